"""Records that help: owners filtered by partner, a due date before the meeting asks for confirmation, the
reschedule and cancellation messages in the audit, "Refer to the GA" pre-fills the referral, pickers put the
most relevant meeting first; creating a meeting in the past asks for confirmation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.forms import ActionForm, ReferralForm, ReferralScheduleForm
from meetings.models import ActionItem, Meeting
from tests.factories import PartnerFactory, ga, gec
from tests.meetings.factories import at, convened, held, meeting, person_of

pytestmark = pytest.mark.django_db


def _fmt(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _directory():
    irlande, autriche = PartnerFactory(name="Irlande"), PartnerFactory(name="Autriche")
    return irlande, autriche, person_of(irlande, first_name="Aïssata", last_name="Ouédraogo"), \
        person_of(autriche, first_name="Éric", last_name="Ambroise")


def test_owner_list_is_labelled_with_the_partner_and_filtered_by_the_chosen_one():
    m = convened(gec())
    irlande, autriche, aissata, eric = _directory()
    form = ActionForm(meeting=m)
    html = str(form["owner_person"])
    assert "Aïssata Ouédraogo (Irlande)" in html and f'data-partner="{irlande.pk}"' in html
    bound = ActionForm({"title": "Note", "owner_partner": irlande.pk, "owner_person": eric.pk,
                        "due_date": (m.start + datetime.timedelta(days=30)).strftime("%Y-%m-%d")}, meeting=m)
    assert list(bound.fields["owner_person"].queryset) == [aissata]
    assert not bound.is_valid() and "owner_person" in bound.errors


def test_records_page_offers_only_the_chosen_partners_people(seg_client, cast):
    m = convened(gec())
    irlande, autriche, aissata, eric = _directory()
    response = seg_client.post(reverse("meetings:records", args=[m.pk]), {
        "form": "action", "title": "Note", "owner_partner": irlande.pk, "owner_person": "",
        "due_date": "2000-01-01"})
    body = response.content.decode()
    assert "Aïssata Ouédraogo (Irlande)" in body and "Éric Ambroise (Autriche)" not in body


def test_a_due_date_before_the_meeting_asks_for_confirmation(seg_client, cast):
    m = convened(gec())
    irlande, _autriche, aissata, _eric = _directory()
    early = (timezone.localtime(m.start) - datetime.timedelta(days=3)).strftime("%Y-%m-%d")
    data = {"form": "action", "title": "Rapport", "owner_partner": irlande.pk, "owner_person": aissata.pk,
            "due_date": early}
    response = seg_client.post(reverse("meetings:records", args=[m.pk]), data)
    assert response.status_code == 200 and 'name="confirm_due_date"' in response.content.decode()
    assert 'type="checkbox" name="confirm_due_date"' in response.content.decode()
    assert not ActionItem.objects.exists()
    response = seg_client.post(reverse("meetings:records", args=[m.pk]), {**data, "confirm_due_date": "on"})
    assert response.status_code == 302 and ActionItem.objects.get().due_date.isoformat() == early


def test_a_due_date_after_the_meeting_needs_no_confirmation(seg_client, cast):
    m = convened(gec())
    irlande, _autriche, _aissata, _eric = _directory()
    later = (timezone.localtime(m.start) + datetime.timedelta(days=30)).strftime("%Y-%m-%d")
    response = seg_client.post(reverse("meetings:records", args=[m.pk]), {
        "form": "action", "title": "Rapport", "owner_partner": irlande.pk, "due_date": later})
    assert response.status_code == 302 and ActionItem.objects.count() == 1


def test_reschedule_message_is_kept_in_the_audit(seg_client, cast):
    m = convened(gec())
    new_start = m.start + datetime.timedelta(days=2)
    message = "Report à cause de la fête de l'Indépendance"
    seg_client.post(reverse("secretariat:reschedule", args=[m.pk]), {
        "start": _fmt(new_start), "end": _fmt(new_start + datetime.timedelta(hours=2)), "place": "Bamako",
        "message": message})
    assert m.history.first().history_change_reason == message
    assert message.replace("'", "&#x27;") in seg_client.get(reverse("audit"), {"model": "meeting"}).content.decode()


def test_cancellation_message_is_kept_in_the_audit(seg_client, cast):
    m = convened(gec())
    seg_client.post(reverse("secretariat:cancel", args=[m.pk]), {"reason": "Quorum impossible"})
    assert m.history.first().history_change_reason == "Quorum impossible"
    assert "Quorum impossible" in seg_client.get(reverse("audit"), {"model": "meeting"}).content.decode()


def test_refer_to_the_ga_from_a_gec_meeting_decision_and_action(seg_client, cast):
    m = held(gec())
    decision = services.decision_add(meeting=m, text="Saisir le GA sur la sécurité au Centre")
    partner = PartnerFactory(name="Union européenne")
    action = services.action_add(meeting=m, title="Note sur la transition", owner_partner=partner,
                                 due_date=datetime.date(2099, 1, 1))
    page = seg_client.get(reverse("meetings:detail", args=[m.pk])).content.decode()
    assert f"{reverse('meetings:referral_new')}?meeting={m.pk}" in page
    records = seg_client.get(reverse("meetings:records", args=[m.pk])).content.decode()
    assert f"?decision={decision.pk}" in records and f"?action={action.pk}" in records
    form = seg_client.get(reverse("meetings:referral_new"), {"decision": decision.pk}).context["form"]
    assert form.initial["question"] == decision.text and form.initial["requested_at_meeting"] == m.pk
    form = seg_client.get(reverse("meetings:referral_new"), {"action": action.pk}).context["form"]
    assert form.initial["question"] == action.title and "Union européenne" in form.initial["details"]
    form = seg_client.get(reverse("meetings:referral_new"), {"meeting": m.pk}).context["form"]
    assert form.initial["requested_at_meeting"] == m.pk


def test_refer_to_the_ga_is_not_offered_from_a_ga_meeting(seg_client, cast):
    m = meeting(ga())
    assert reverse("meetings:referral_new") not in seg_client.get(reverse("meetings:detail", args=[m.pk])).content.decode()
    form = seg_client.get(reverse("meetings:referral_new"), {"meeting": m.pk}).context["form"]
    assert "requested_at_meeting" not in form.initial


def test_asked_at_picker_lists_the_latest_past_gec_meeting_first():
    past = [held(gec(), days=-d) for d in (40, 10)]
    future = [meeting(gec(), days=d) for d in (5, 35, 65)]
    choices = list(ReferralForm().fields["requested_at_meeting"].queryset)
    assert choices == [past[1], past[0], *future]


def test_scheduled_at_picker_lists_the_next_ga_meetings_first():
    old = meeting(ga(), days=-20)
    future = [meeting(ga(), days=d) for d in (50, 10)]
    choices = list(ReferralScheduleForm().fields["ga_meeting"].queryset)
    assert choices == [future[1], future[0], old]


def test_creating_a_meeting_in_the_past_asks_for_confirmation(seg_client, cast):
    start = at(-3)
    data = {"instance": gec().pk, "title": "GEC tenu hors portail", "kind": "ordinary", "start": _fmt(start),
            "end": _fmt(start + datetime.timedelta(hours=2))}
    response = seg_client.post(reverse("meetings:create"), data)
    assert response.status_code == 200 and 'type="checkbox" name="confirm_past"' in response.content.decode()
    assert not Meeting.objects.exists()
    assert seg_client.post(reverse("meetings:create"), {**data, "confirm_past": "on"}).status_code == 302
    assert Meeting.objects.count() == 1


def test_creating_a_future_meeting_needs_no_confirmation(seg_client, cast):
    start = at(3)
    response = seg_client.post(reverse("meetings:create"), {
        "instance": gec().pk, "title": "GEC", "kind": "ordinary", "start": _fmt(start),
        "end": _fmt(start + datetime.timedelta(hours=2))})
    assert response.status_code == 302




def test_a_long_reschedule_message_is_kept_whole(seg_client, cast):
    m = convened(gec())
    new_start = m.start + datetime.timedelta(days=2)
    message = "La réunion est décalée de deux jours. " * 12
    seg_client.post(reverse("secretariat:reschedule", args=[m.pk]), {
        "start": _fmt(new_start), "end": _fmt(new_start + datetime.timedelta(hours=2)), "message": message})
    assert m.history.first().history_change_reason == message.strip()
