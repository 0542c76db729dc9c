"""A small world in which every URL of the portal can be filled and every role tried.

The cast (one login each): an outsider with no mandate, a GEC representative, a GA member, a member of
group A, the leaders of groups A and B, the secretariat and an admin. Objects: a GEC, a GA and a group A
and a group B meeting, each convened with an agenda item and a document, invitations sent from the
distribution lists, an action, a referral.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from instances.models import Instance
from instances.permissions import sync_leader_permissions
from meetings import services as meeting_services
from meetings.models import Meeting, Referral
from membership.models import Mandate, Partner, Person
from membership.roles import SECRETARIAT_GROUP
from procedures import services as procedure_services
from procedures.mail import make_token as procedure_token
from procedures.models import ProcedureMail
from secretariat import services as secretariat_services
from secretariat.inbound.services import inbound_process
from secretariat.models import Invitation
from secretariat.rsvp import make_token
from tests.factories import InstitutionFactory, PartnerFactory, PersonFactory

ROLES = ["anonymous", "no_mandate", "rep", "ga_member", "gt_member", "leader_b", "leader_a", "secretariat", "admin"]
PASSWORD = "portal-password-123"
CATEGORY = {"GEC": "policy_dialogue", "GA": "security", "GT": "sector_dialogue", "GD": "cross_cutting"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    instances: dict[str, Instance] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    documents: dict = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def _person(name: str, partner: Partner, function=Person.Function.HEAD_OF_COOPERATION) -> Person:
    user = User.objects.create_user(name, f"{name}@example.org", PASSWORD, first_name=name.title())
    return PersonFactory(institution=InstitutionFactory(partner=partner), function=function, user=user,
                         email=f"{name}@example.org", last_name=name.title())


def _seat(person, instance, role=Mandate.Role.TITULAR):
    # bulk_create: the mandate is world furniture; the representation rules are tested by membership.
    [mandate] = Mandate.objects.bulk_create(
        [Mandate(person=person, instance=instance, role=role, start=datetime.date(2000, 1, 1))]
    )
    return mandate


def _meeting(instance, days: int, title: str) -> Meeting:
    start = (timezone.localtime() + datetime.timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    meeting = meeting_services.meeting_create(instance=instance, title=title, start=start,
                                              end=start + datetime.timedelta(hours=2))
    return meeting


def _group(code: str, leader: Person) -> Instance:
    group = Instance.objects.create(kind=Instance.Kind.GT, code=code, name_fr=f"Groupe {code}", name_en=f"Group {code}",
                                    secretariat=Instance.Secretariat.DEDICATED, leader_partner=leader.partner,
                                    leader_person=leader)
    return group


def login_as(client, world: World, role: str) -> None:
    """Log the role in, with a verified second factor for those who have a device."""
    if role == "anonymous":
        return
    user = world.users[role]
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def build_world() -> World:
    w = World()
    gec, ga = Instance.objects.get(code="GEC"), Instance.objects.get(code="GA")
    partners = [PartnerFactory(name=f"Partner {c}") for c in "ABCDEFG"]

    w.people["rep"] = _person("rep", partners[0])
    w.people["ga_member"] = _person("ga_member", partners[1], Person.Function.AMBASSADOR)
    w.people["gt_member"] = _person("gt_member", partners[2], Person.Function.EXPERT)
    w.people["leader_a"] = _person("leader_a", partners[3], Person.Function.EXPERT)
    w.people["leader_b"] = _person("leader_b", partners[4], Person.Function.EXPERT)
    w.people["no_mandate"] = _person("no_mandate", partners[5])
    for role, person in w.people.items():
        w.users[role] = person.user

    group_a = _group("GT-A", w.people["leader_a"])
    group_b = _group("GT-B", w.people["leader_b"])
    w.instances.update(GEC=gec, GA=ga, A=group_a, B=group_b)
    _seat(w.people["rep"], gec)
    _seat(w.people["ga_member"], ga)
    _seat(w.people["gt_member"], group_a, Mandate.Role.EXPERT)
    _seat(w.people["leader_a"], group_a, Mandate.Role.EXPERT)
    _seat(w.people["leader_b"], group_b, Mandate.Role.EXPERT)
    sync_leader_permissions(group_a)
    sync_leader_permissions(group_b)

    seg = User.objects.create_user("seg", "seg@example.org", PASSWORD, first_name="Awa", last_name="Traoré")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    admin = User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    w.users.update(secretariat=seg, admin=admin)
    for user in (seg, admin):
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    for key, instance, days in [("gec", gec, 20), ("ga", ga, 25), ("a", group_a, 30), ("b", group_b, 35)]:
        meeting = _meeting(instance, days, f"Session {instance.code} qz{days}")
        w.items[key] = meeting_services.agenda_item_add(
            meeting=meeting, title=f"Item {instance.code} kw{days}", category=CATEGORY[instance.kind],
            expected_outcome="information",
        )
        w.documents[key] = meeting_services.document_attach(
            meeting=meeting, uploaded_file=SimpleUploadedFile(f"{key}.pdf", PDF), title=f"Paper {instance.code} vx{days}",
            agenda_item=w.items[key],
        )
        meeting_services.meeting_propose_agenda(meeting=meeting)
        secretariat_services.invitations_send(meeting=meeting, by_user=seg)
        w.meetings[key] = Meeting.objects.get(pk=meeting.pk)

    # A draft GEC meeting: the secretariat's work in progress, hidden from members until its agenda is proposed.
    draft = _meeting(gec, 40, "Draft GEC zq40")
    meeting_services.agenda_item_add(meeting=draft, title="Draft item", category=CATEGORY[gec.kind],
                                     expected_outcome="information")
    w.meetings["gec_draft"] = draft

    # A held meeting of group A, for attendance and records.
    held = _meeting(group_a, -3, "GT-A held meeting")
    meeting_services.agenda_item_add(meeting=held, title="Review", category="sector_dialogue",
                                     expected_outcome="information")
    meeting_services.meeting_propose_agenda(meeting=held)
    meeting_services.meeting_convene(meeting=held)
    meeting_services.meeting_mark_held(meeting=held)
    meeting_services.minutes_save(meeting=held, text="The group reviewed the sector.")
    w.meetings["a_held"] = held

    w.invitations["rep_gec"] = Invitation.objects.get(meeting=w.meetings["gec"], person=w.people["rep"])
    w.invitations["ga_member_ga"] = Invitation.objects.get(meeting=w.meetings["ga"], person=w.people["ga_member"])
    w.invitations["gt_member_a"] = Invitation.objects.get(meeting=w.meetings["a"], person=w.people["gt_member"])
    w.extra["rsvp_rep"] = make_token(w.invitations["rep_gec"])
    w.extra["rsvp_ga"] = make_token(w.invitations["ga_member_ga"])
    w.extra["feed_rep"] = secretariat_services.calendar_feed_token_for(w.people["rep"]).token
    w.extra["action_a"] = meeting_services.action_add(
        meeting=held, title="Send the sector review", owner_partner=w.people["leader_a"].partner,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    w.extra["referral"] = meeting_services.referral_request(question="Security situation in the centre")
    w.extra["inbound"] = inbound_process(raw=(
        "From: Jeanne Ouattara <jeanne.ouattara@webmail.example>\nSubject: RE: Invitation\n"
        "Message-ID: <world-free-text@webmail.example>\nContent-Type: text/plain; charset=utf-8\n\n"
        "Je serai présente.\n").encode(), source="file").message
    # More drafts, of the GA and of a group (the GEC's is above): hidden from members alike.
    w.meetings["ga_draft"] = _meeting(ga, 42, "GA draft session dq42")
    w.meetings["a_draft"] = _meeting(group_a, 45, "GT-A draft session dq45")
    # A referral of each origin in each state (A3, A4). Rows written directly: the world needs the states, the
    # transitions are tested by meetings.
    w.extra["referrals"] = {}
    for origin in Referral.Origin.values:
        for n, state in enumerate(Referral.State.values):
            w.extra["referrals"][origin, state] = Referral.objects.create(
                origin=origin, state=state, question=f"Question {origin} {state} rq{n}",
                details=f"Details {origin} {state} rd{n}",
                requested_at_meeting=w.meetings["gec"] if origin == Referral.Origin.GEC else None,
                ga_meeting=w.meetings["ga"] if state != Referral.State.REQUESTED else None,
                conclusion=f"Conclusion {origin} {state} rc{n}"
                if state in (Referral.State.CONCLUDED, Referral.State.RETURNED) else "",
                returned_to_meeting=w.meetings["gec"] if state == Referral.State.RETURNED else None,
            )
    _procedures(w, seg)
    return w


def _procedures(w: World, seg) -> None:
    """Written procedures: an open one in the GEC, the GA and group A, a GEC draft and a closed GEC one."""
    now = timezone.now()
    w.extra["procedures"] = {}
    for key, instance in [("gec", w.instances["GEC"]), ("ga", w.instances["GA"]), ("a", w.instances["A"]),
                          ("b", w.instances["B"])]:
        procedure = procedure_services.procedure_create(
            body=instance, title=f"Déclaration {key} wp{key}", text=f"Texte confidentiel {key} tx{key}",
            deadline=now + datetime.timedelta(days=3), by_user=seg,
            attachment=SimpleUploadedFile("annex.pdf", PDF) if key == "gec" else None)
        w.extra["procedures"][key] = procedure_services.procedure_launch(procedure=procedure, now=now)
    w.extra["procedures"]["gec_draft"] = procedure_services.procedure_create(
        body=w.instances["GEC"], title="Draft statement wd", text="Draft text", by_user=seg)
    closed = procedure_services.procedure_create(body=w.instances["GEC"], title="Closed statement wc",
                                                 text="Closed text", deadline=now + datetime.timedelta(hours=1))
    closed = procedure_services.procedure_launch(procedure=closed, now=now)
    procedure_services.procedure_close(procedure_id=closed.pk, now=closed.deadline)
    w.extra["procedures"]["gec_closed"] = closed
    mail = ProcedureMail.objects.get(procedure=w.extra["procedures"]["gec"], person=w.people["rep"], kind="launch")
    w.extra["procedure_link_rep"] = procedure_token(mail)
    w.extra["procedure_seat_rep"] = w.extra["procedures"]["gec"].seats.get(titular=w.people["rep"])
