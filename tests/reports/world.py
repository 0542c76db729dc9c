"""A small GEC for the reports: eight partners (titular + deputy), a presenter from outside the GEC, a
convened meeting with a confidential item and a delegation, and a held meeting with its minutes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from instances.models import Instance
from meetings import services as meeting_services
from meetings.models import Meeting
from membership.models import Mandate, Partner
from secretariat import answers
from secretariat import services as secretariat_services
from secretariat.models import Invitation
from tests.secretariat.factories import at, partner, person, seat

BAMAKO = ZoneInfo("Africa/Bamako")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# (partner, type, titular, deputy): names with accents and initial vowels, as in the real directory.
GEC_MEMBERS = [
    ("Allemagne", Partner.Type.BILATERAL, ("Élodie", "Öztürk"), ("Anke", "Müller")),
    ("Autriche", Partner.Type.BILATERAL, ("Ingrid", "Auer"), ("Oskar", "Ebner")),
    ("Belgique", Partner.Type.BILATERAL, ("Aurélie", "Dupré"), ("Émile", "Lefèvre")),
    ("Canada", Partner.Type.BILATERAL, ("Ève", "Tremblay"), ("Olivier", "Gagnon")),
    ("Espagne", Partner.Type.BILATERAL, ("Inés", "García"), ("Óscar", "Núñez")),
    ("Irlande", Partner.Type.BILATERAL, ("Aoife", "Ó Briain"), ("Eoin", "Kelly")),
    ("Union européenne", Partner.Type.MULTILATERAL, ("Anaïs", "Lebœuf"), ("Ugo", "Ferrari")),
    ("États-Unis", Partner.Type.BILATERAL, ("Abigail", "Ellis"), ("Ethan", "Owens")),
]


@dataclass
class ReportsWorld:
    gec: Instance
    partners: dict = field(default_factory=dict)
    titulars: dict = field(default_factory=dict)
    deputies: dict = field(default_factory=dict)
    presenter: object = None
    presenter_user: User | None = None
    member_user: User | None = None
    upcoming: Meeting | None = None
    held: Meeting | None = None
    secret_item: object = None


def _user(person_obj, username):
    user = User.objects.create_user(username, person_obj.email, "portal-password-123")
    person_obj.user = user
    person_obj.save(update_fields=["user"])
    return user


def build(seg_user) -> ReportsWorld:
    gec = Instance.objects.get(code="GEC")
    w = ReportsWorld(gec=gec)
    for name, kind, (tf, tl), (df, dl) in GEC_MEMBERS:
        p = partner(name, kind)
        titular = person(p, first_name=tf, last_name=tl, function="head_of_cooperation")
        deputy = person(p, first_name=df, last_name=dl, function="head_of_cooperation")
        seat(titular, gec, Mandate.Role.TITULAR)
        seat(deputy, gec, Mandate.Role.DEPUTY)
        w.partners[name], w.titulars[name], w.deputies[name] = p, titular, deputy
    who = partner("Organisation mondiale de la Santé", Partner.Type.UN_SYSTEM)
    w.presenter = person(who, first_name="Oumou", last_name="Ag Ibrahim", function="expert")
    w.presenter_user = _user(w.presenter, "oumou")
    w.member_user = _user(w.titulars["Canada"], "eve")

    # The meeting to come: an agenda with a confidential item, documents, invitations sent, one delegation.
    start = at(20)
    upcoming = meeting_services.meeting_create(instance=gec, title="Réunion ordinaire de décembre", start=start,
                                               end=start + datetime.timedelta(hours=3), place="Salle Djoliba, Bamako")
    first = meeting_services.agenda_item_add(
        meeting=upcoming, title="Appui budgétaire général", category="policy_dialogue", expected_outcome="orientation",
        duration_minutes=45, presenter_person=w.presenter)
    w.secret_item = meeting_services.agenda_item_add(
        meeting=upcoming, title="Situation sécuritaire réservée", category="organisation",
        expected_outcome="information", duration_minutes=20, confidential=True)
    meeting_services.document_attach(meeting=upcoming, uploaded_file=SimpleUploadedFile("cadrage.pdf", PDF),
                                     title="Note de cadrage budgétaire", agenda_item=first)
    meeting_services.document_attach(meeting=upcoming, uploaded_file=SimpleUploadedFile("reserve.pdf", PDF),
                                     title="Note réservée aux membres", agenda_item=w.secret_item)
    meeting_services.meeting_propose_agenda(meeting=upcoming)
    secretariat_services.invitations_send(meeting=upcoming, by_user=seg_user)
    belgium = Invitation.objects.get(meeting=upcoming, person=w.titulars["Belgique"])
    answers.invitation_delegate(invitation=belgium)
    w.upcoming = Meeting.objects.get(pk=upcoming.pk)

    # A held meeting: register, minutes, a decision, an action, a referral to the GA.
    start = datetime.datetime(2026, 11, 12, 9, 0, tzinfo=BAMAKO)
    held = meeting_services.meeting_create(instance=gec, title="Réunion ordinaire de novembre", start=start,
                                           end=start + datetime.timedelta(hours=2), place="Primature, Bamako")
    budget = meeting_services.agenda_item_add(meeting=held, title="Revue conjointe", category="effectiveness",
                                              expected_outcome="decision")
    hidden = meeting_services.agenda_item_add(meeting=held, title="Point réservé", category="organisation",
                                              expected_outcome="decision", confidential=True)
    meeting_services.meeting_propose_agenda(meeting=held)
    meeting_services.meeting_convene(meeting=held)
    for name in ("Allemagne", "Canada", "Union européenne"):
        meeting_services.attendance_record(meeting=held, person=w.titulars[name], status="present")
    meeting_services.attendance_record(meeting=held, person=w.titulars["Belgique"], status="represented",
                                       represented_by=w.deputies["Belgique"])
    meeting_services.meeting_mark_held(meeting=held)
    meeting_services.minutes_save(meeting=held, text="La revue conjointe est fixée au premier trimestre.")
    meeting_services.decision_add(meeting=held, text="Tenir la revue conjointe en mars", agenda_item=budget)
    meeting_services.decision_add(meeting=held, text="Décision réservée aux membres", agenda_item=hidden)
    meeting_services.action_add(meeting=held, title="Envoyer le calendrier de la revue",
                                owner_partner=w.partners["Canada"], owner_person=w.titulars["Canada"],
                                due_date=datetime.date(2027, 1, 15))
    meeting_services.referral_request(question="Sécurité dans le centre du pays", requested_at_meeting=held)
    w.held = Meeting.objects.get(pk=held.pk)
    return w
