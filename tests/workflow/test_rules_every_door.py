"""Every write path runs the same rules: the portal's forms, the admin's forms and the services refuse the
same record with the same rule message and its ID (A1, A2, A3, A4, A6, I3, M3)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import ActionItem, AgendaItem, Attendance, Meeting, Referral
from membership.models import Mandate
from tests.factories import GroupFactory, PartnerFactory, ga, gec
from tests.meetings.factories import at, convened, item, meeting, person_of, seat

pytestmark = pytest.mark.django_db
GENERIC_CHOICE_ERROR = ("Sélectionnez un choix valide", "Select a valid choice")

OUT_OF_SCOPE = {  # instance -> (a category outside its scope, the rule)
    "GEC": ("security", "A2"),
    "GA": ("policy_dialogue", "A4"),
    "GT": ("security", "A6"),
}


def _instance(kind):
    return {"GEC": gec, "GA": ga}[kind]() if kind != "GT" else GroupFactory(kind="GT")


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "root-password-123")
    client.force_login(user)
    return client


def _admin_item_data(m, category, **extra):
    return {"meeting": m.pk, "order": 1, "title": "Point ajouté en admin", "category": category,
            "expected_outcome": "information", "duration_minutes": 15, "status": "accepted", **extra}


@pytest.mark.parametrize("kind", ["GEC", "GA", "GT"])
def test_rule_scope_service_door(kind):
    category, rule = OUT_OF_SCOPE[kind]
    m = meeting(_instance(kind))
    with pytest.raises(ValidationError) as exc:
        item(m, category=category)
    assert rule in str(exc.value)


@pytest.mark.parametrize("kind", ["GEC", "GA", "GT"])
def test_rule_scope_admin_door(kind, admin_client):
    """A2/A4/A6: the admin's add page refuses an item outside the instance's scope, with the rule's ID."""
    category, rule = OUT_OF_SCOPE[kind]
    m = meeting(_instance(kind))
    response = admin_client.post(reverse("admin:meetings_agendaitem_add"), _admin_item_data(m, category))
    assert response.status_code == 200
    assert f"({rule})" in response.content.decode()
    assert not m.items.exists()


@pytest.mark.parametrize("kind", ["GEC", "GA", "GT"])
def test_rule_scope_admin_change_door(kind, admin_client):
    category, rule = OUT_OF_SCOPE[kind]
    m = meeting(_instance(kind))
    existing = item(m)
    url = reverse("admin:meetings_agendaitem_change", args=[existing.pk])
    response = admin_client.post(url, _admin_item_data(m, category))
    assert response.status_code == 200 and f"({rule})" in response.content.decode()
    existing.refresh_from_db()
    assert existing.category != category


def test_rule_A2_admin_accepts_an_item_in_scope(admin_client):
    m = meeting(gec())
    response = admin_client.post(reverse("admin:meetings_agendaitem_add"), _admin_item_data(m, "policy_dialogue"))
    assert response.status_code == 302
    assert m.items.get().category == "policy_dialogue"


@pytest.mark.parametrize("kind", ["GEC", "GA", "GT"])
def test_rule_scope_portal_form_door(kind, client, secretariat_user):
    """A forced out-of-scope category gets the rule's message, not the generic "invalid choice"."""
    category, rule = OUT_OF_SCOPE[kind]
    m = meeting(_instance(kind))
    client.force_login(secretariat_user)
    response = client.post(reverse("meetings:item_add", args=[m.pk]), {
        "title": "Point forcé", "category": category, "expected_outcome": "information", "duration_minutes": 15})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"({rule})" in body
    assert not any(text in body for text in GENERIC_CHOICE_ERROR)
    assert not m.items.exists()


def test_rule_A2_proposal_form_door(client):
    """The member's proposal form gives the scope rule's message too."""
    m = meeting(gec(), proposal_deadline=at(20))
    item(m)
    services.meeting_propose_agenda(meeting=m)
    member = person_of(PartnerFactory(name="Éthiopie"))
    seat(member, gec())
    user = member.user or _user_for(member)
    client.force_login(user)
    response = client.post(reverse("meetings:propose_item", args=[m.pk]), {
        "title": "Sécurité au Nord", "category": "security", "expected_outcome": "information"})
    body = response.content.decode()
    assert response.status_code == 200
    assert not any(text in body for text in GENERIC_CHOICE_ERROR)
    assert "ne relève pas de l&#x27;ordre du jour du GEC" in body
    assert not m.items.filter(status="proposed").exists()


def _user_for(person):
    from django.contrib.auth.models import User

    user = User.objects.create_user(f"u{person.pk}", person.email, "pw-123456789")
    person.user = user
    person.save()
    return user


def test_rule_A1_admin_refuses_an_item_on_a_convened_meeting(admin_client):
    m = convened(gec())
    response = admin_client.post(reverse("admin:meetings_agendaitem_add"), _admin_item_data(m, "policy_dialogue"))
    assert response.status_code == 200 and "(A1)" in response.content.decode()
    assert m.items.count() == 1


def test_rule_A1_service_refuses_an_item_on_a_convened_meeting():
    m = convened(gec())
    with pytest.raises(ValidationError):
        item(m)


def test_rule_I3_admin_refuses_an_extraordinary_gec_meeting_without_reason(admin_client):
    start = at(10)
    response = admin_client.post(reverse("admin:meetings_meeting_add"), {
        "instance": gec().pk, "kind": "extraordinary", "title": "Réunion extraordinaire",
        "start_0": start.strftime("%Y-%m-%d"), "start_1": "09:00", "end_0": start.strftime("%Y-%m-%d"),
        "end_1": "11:00", **_empty_inlines()})
    assert response.status_code == 200 and "(I3)" in response.content.decode()
    assert not Meeting.objects.exists()


def test_rule_I3_service_refuses_an_extraordinary_gec_meeting_without_reason():
    with pytest.raises(ValidationError) as exc:
        meeting(gec(), kind="extraordinary")
    assert "I3" in str(exc.value)


def _empty_inlines():
    data = {}
    for prefix in ("items", "documents", "attendance", "decisions", "actions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    return data


def test_rule_A3_admin_refuses_a_referral_asked_at_a_ga_meeting(admin_client):
    m = meeting(ga())
    response = admin_client.post(reverse("admin:meetings_referral_add"), {
        "origin": "gec", "question": "Sécurité des élections", "expected_outcome": "orientation",
        "requested_at_meeting": m.pk, "created_at_0": "2026-01-01", "created_at_1": "09:00"})
    assert response.status_code == 200 and "(A3)" in response.content.decode()
    assert not Referral.objects.exists()


def test_rule_A3_service_refuses_a_referral_asked_at_a_ga_meeting():
    with pytest.raises(ValidationError) as exc:
        services.referral_request(question="Sécurité", requested_at_meeting=meeting(ga()))
    assert "A3" in str(exc.value)


def _gec_titular_and_stranger(m):
    france = PartnerFactory(name="Irlande")
    titular = person_of(france)
    seat(titular, gec())
    stranger = person_of(PartnerFactory(name="Autriche"))
    seat(stranger, gec(), Mandate.Role.DEPUTY)
    return titular, stranger


def test_rule_M3_admin_refuses_a_representative_who_is_not_the_deputy(admin_client):
    m = convened(gec())
    titular, stranger = _gec_titular_and_stranger(m)
    response = admin_client.post(reverse("admin:meetings_attendance_add"), {
        "meeting": m.pk, "person": titular.pk, "status": "represented", "represented_by": stranger.pk})
    assert response.status_code == 200 and "(M3)" in response.content.decode()
    assert not Attendance.objects.exists()


def test_rule_M3_service_refuses_a_representative_who_is_not_the_deputy():
    m = convened(gec())
    titular, stranger = _gec_titular_and_stranger(m)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(meeting=m, person=titular, status="represented", represented_by=stranger)
    assert "M3" in str(exc.value)


def test_admin_refuses_an_action_owner_of_another_partner(admin_client):
    m = convened(gec())
    owner_partner, other = PartnerFactory(name="Espagne"), PartnerFactory(name="Italie")
    person = person_of(other)
    response = admin_client.post(reverse("admin:meetings_actionitem_add"), {
        "meeting": m.pk, "title": "Note au Premier ministre", "owner_partner": owner_partner.pk,
        "owner_person": person.pk, "due_date": (m.start + datetime.timedelta(days=30)).strftime("%Y-%m-%d"),
        "state": "open"})
    assert response.status_code == 200 and "Italie" not in "" and not ActionItem.objects.exists()
    assert "Espagne" in response.content.decode()


def test_admin_refuses_an_action_on_a_draft_meeting(admin_client):
    m = meeting(gec())
    owner_partner = PartnerFactory(name="Espagne")
    response = admin_client.post(reverse("admin:meetings_actionitem_add"), {
        "meeting": m.pk, "title": "Note", "owner_partner": owner_partner.pk,
        "due_date": (m.start + datetime.timedelta(days=30)).strftime("%Y-%m-%d"), "state": "open"})
    assert response.status_code == 200 and not ActionItem.objects.exists()


def test_admin_meeting_inline_refuses_an_out_of_scope_item(admin_client):
    """The agenda items inline of the meeting's change page runs the scope rule as well (A2)."""
    m = meeting(gec())
    start = m.start.astimezone(datetime.UTC)
    data = {"kind": "ordinary", "title": m.title, "start_0": start.strftime("%Y-%m-%d"),
            "start_1": start.strftime("%H:%M:%S"), "end_0": start.strftime("%Y-%m-%d"),
            "end_1": (start + datetime.timedelta(hours=2)).strftime("%H:%M:%S"), **_empty_inlines()}
    data.update({"items-TOTAL_FORMS": 1, "items-0-order": 1, "items-0-title": "Sécurité",
                 "items-0-category": "security", "items-0-expected_outcome": "information",
                 "items-0-duration_minutes": 15, "items-0-meeting": m.pk})
    response = admin_client.post(reverse("admin:meetings_meeting_change", args=[m.pk]), data)
    assert response.status_code == 200
    assert "(A2)" in response.content.decode()
    assert not AgendaItem.objects.filter(meeting=m).exists()


def test_rule_I3_portal_form_door(client, secretariat_user):
    client.force_login(secretariat_user)
    start = at(10)
    response = client.post(reverse("meetings:create"), {
        "instance": gec().pk, "title": "GEC extraordinaire", "kind": "extraordinary",
        "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200 and "(I3)" in response.content.decode()
    assert not Meeting.objects.exists()


def test_rule_M3_portal_form_door(client, secretariat_user):
    m = convened(gec())
    titular, stranger = _gec_titular_and_stranger(m)
    services.attendance_initialise(meeting=m, people=[titular, stranger])
    client.force_login(secretariat_user)
    data = {f"p{p.pk}-status": "absent" for p in (titular, stranger)}
    data.update({f"p{titular.pk}-status": "represented", f"p{titular.pk}-represented_by": stranger.pk})
    response = client.post(reverse("meetings:attendance", args=[m.pk]), data)
    assert response.status_code == 200 and "(M3)" in response.content.decode()
    assert not Attendance.objects.filter(status="represented").exists()


def test_admin_refuses_a_decision_on_another_meetings_item(admin_client):
    m, other = convened(gec()), meeting(gec(), days=50)
    foreign = item(other)
    response = admin_client.post(reverse("admin:meetings_decision_add"), {
        "meeting": m.pk, "agenda_item": foreign.pk, "text": "Adopter la feuille de route"})
    assert response.status_code == 200 and not m.decisions.exists()


def test_service_refuses_a_decision_on_another_meetings_item():
    m, other = convened(gec()), meeting(gec(), days=50)
    with pytest.raises(ValidationError):
        services.decision_add(meeting=m, text="Adopter", agenda_item=item(other))
