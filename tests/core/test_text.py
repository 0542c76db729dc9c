"""Single-line fields refuse the invisible characters that make a line read otherwise than it is written."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.text import validate_multi_line, validate_single_line
from instances.models import Instance
from meetings.models import Meeting

BIDI_AND_ZERO_WIDTH = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010))]


@pytest.mark.parametrize("char", BIDI_AND_ZERO_WIDTH, ids=[f"U+{ord(c):04X}" for c in BIDI_AND_ZERO_WIDTH])
def test_single_line_refuses_bidi_overrides_and_zero_width_characters(char):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(f"Compte rendu{char}fdp.exe")
    assert refused.value.code == "invisible_character"
    validate_multi_line(f"Compte rendu{char}")  # free text is not a header: only control characters count there


def test_single_line_keeps_visible_non_latin_text():
    for text in ("Réunion du GEC — Ségou", "اجتماع الشركاء", "Встреча партнёров", "会议"):
        validate_single_line(text)


@pytest.mark.django_db
def test_single_line_bidi_override_in_a_meeting_title_is_refused_in_french(secretariat_user):
    client = Client()
    client.force_login(secretariat_user)
    data = {"instance": Instance.objects.get(code="GEC").pk, "kind": "ordinary", "start": "2027-03-10T09:00",
            "end": "2027-03-10T11:00", "place": "Salle Ébène, Bamako",
            "title": "Réunion du GEC \u202eexe.fdp"}
    with translation.override("fr"):
        response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 200
    assert "caractères de contrôle invisibles" in response.content.decode()
    assert not Meeting.objects.exists()
