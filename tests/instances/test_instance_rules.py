"""Rules on the bodies themselves (DOMAIN.md I1, I2, I6)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from instances.models import Instance
from instances.organigram import build_organigram
from tests.factories import GroupFactory, PartnerFactory, TroikaFactory, ga, gec

pytestmark = pytest.mark.django_db


def test_rule_I1_the_organigram_draws_the_whole_collectif():
    GroupFactory(code="GT-SANTE")
    GroupFactory(code="GD-JUSTICE", kind=Instance.Kind.GD)
    troika = TroikaFactory()
    chart = build_organigram(troika=troika, instances=list(Instance.objects.order_by("kind", "code")))
    kinds = {box.css for box in chart.boxes}
    titles = {box.title for box in chart.boxes}
    assert kinds == {"troika", "political", "group"}
    assert {"GEC", "GA", "GT-SANTE", "GD-JUSTICE"} <= titles
    assert any(troika.lead.name in line for box in chart.boxes if box.css == "troika" for line in box.lines)


def test_rule_I2_the_level_follows_the_kind():
    assert gec().level == ga().level == Instance.Level.POLITICAL
    assert GroupFactory(kind=Instance.Kind.GT).level == Instance.Level.TECHNICAL
    assert GroupFactory(kind=Instance.Kind.GD).level == Instance.Level.TECHNICAL


@pytest.mark.parametrize("body", [gec, ga])
def test_rule_I6_the_seg_is_the_secretariat_of_the_gec_and_the_ga(body):
    instance = body()
    assert instance.secretariat == Instance.Secretariat.SEG
    instance.secretariat = Instance.Secretariat.DEDICATED
    with pytest.raises(ValidationError) as refused:
        instance.validate_constraints()
    assert "(I6)" in " ".join(refused.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        instance.save()


def test_rule_I6_a_group_chooses_its_own_secretariat_formula():
    group = GroupFactory(leader_partner=PartnerFactory())
    for formula in Instance.Secretariat.values:
        group.secretariat = formula
        group.validate_constraints()
        group.save()
