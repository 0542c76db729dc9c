"""What the three meeting documents say: convocation, attendance sheet ("feuille d'émargement"), minutes.

Reads only. Each builder returns the context its template prints; `pdf.py` turns it into a PDF. What a
reader may see is decided by the caller with the access policy and passed in as `cleared` (A4).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import Meeting
from meetings.selectors import meeting_page
from membership.access import needs_clearance
from secretariat.distribution import build_distribution_list
from secretariat.models import Invitation
from secretariat.reports.dates import long_date, long_datetime, long_time
from secretariat.services import distribution_latest, meeting_date

CONVOCATION, ATTENDANCE, MINUTES = "convocation", "attendance", "minutes"
KINDS = (CONVOCATION, ATTENDANCE, MINUTES)
# Rows left empty at the end of the sheet for participants who were not expected.
BLANK_ROWS = 8
ROLE_LABELS = {
    "titular": gettext_lazy("titular"),
    "deputy": gettext_lazy("deputy"),
    "expert": gettext_lazy("expert"),
    "binome": gettext_lazy("binôme"),
    "presenter": gettext_lazy("presenter"),
    "topic_expert": gettext_lazy("topic expert"),
    "leader": gettext_lazy("group leader"),
    "co_lead": gettext_lazy("co-lead"),
    "interlocutor": gettext_lazy("government interlocutor"),
    "delegate": gettext_lazy("delegate"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, gettext_lazy("participant")))


def document_title(kind: str) -> str:
    return {CONVOCATION: _("Convocation"), ATTENDANCE: _("Attendance sheet"), MINUTES: _("Minutes")}[kind]


def file_name(meeting: Meeting, kind: str) -> str:
    """"2026-12-19 GEC - feuille d'émargement.pdf", in the active language."""
    label = {CONVOCATION: _("convocation"), ATTENDANCE: _("attendance sheet"), MINUTES: _("minutes")}[kind]
    return f"{meeting_date(meeting):%Y-%m-%d} {meeting.instance.code} - {label}.pdf"


def _header(meeting: Meeting, kind: str) -> dict:
    """The body's name, date, place and the secretariat's identity, printed on every document."""
    instance = meeting.instance
    if instance.is_group:
        lead = instance.leader_partner.name if instance.leader_partner_id else ""
        secretariat = instance.get_secretariat_display()
        if lead:
            secretariat = _("%(secretariat)s — group led by %(partner)s") % {"secretariat": secretariat,
                                                                             "partner": lead}
    else:
        secretariat = instance.get_secretariat_display()
    return {
        "meeting": meeting, "instance": instance, "title": document_title(kind),
        "date": long_date(meeting.start), "when": long_datetime(meeting.start), "until": long_time(meeting.end),
        "secretariat": secretariat, "secretariat_email": settings.SECRETARIAT_EMAIL,
        "extraordinary": meeting.kind == Meeting.Kind.EXTRAORDINARY,
    }


# --- convocation ------------------------------------------------------------------------------------------


def convocation(meeting: Meeting, *, cleared: bool) -> dict:
    """The invitation text, the accepted agenda (confidential items only for the cleared, A4), documents."""
    page = meeting_page(meeting.pk)
    meeting = page.meeting
    items = [item for item in page.accepted_items if cleared or not item.confidential]
    shown_item_ids = {item.pk for item in items}
    documents = [
        d for d in page.documents
        if (cleared or not needs_clearance(meeting, d.confidential))
        and (d.agenda_item_id is None or d.agenda_item_id in shown_item_ids)
    ]
    rows = []
    for number, item in enumerate(items, start=1):
        presenters = [person.full_name for person, _reason in item.presenter_list]
        if item.presenter_group_id:
            presenters.insert(0, item.presenter_group.code)
        rows.append({"number": number, "item": item, "category": item.get_category_display(),
                     "outcome": item.get_expected_outcome_display(), "presenters": ", ".join(presenters)})
    return {
        **_header(meeting, CONVOCATION), "items": rows, "documents": documents,
        "total_minutes": sum(item.duration_minutes for item in items),
        "chair": page.chair,
    }


# --- attendance sheet ---------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    name: str
    role: str
    represented_by: str = ""


@dataclass
class SheetGroup:
    partner: str
    rows: list[SheetRow] = field(default_factory=list)


def _answers(meeting: Meeting) -> dict[str, Invitation]:
    """The answer of each invitee, keyed like distribution entries (person, else e-mail).

    Several rows may exist for one person (an update is its own row on some deployments): the row that
    carries an answer wins, then the first invitation.
    """
    answers: dict[str, Invitation] = {}
    rows = meeting.invitations.select_related("delegated_to", "person__institution__partner").order_by("pk")
    for invitation in rows:
        key = f"p{invitation.person_id}" if invitation.person_id else invitation.email.lower()
        known = answers.get(key)
        if known is None or (known.rsvp == Invitation.Rsvp.NONE and invitation.rsvp != Invitation.Rsvp.NONE):
            answers[key] = invitation
    return answers


def _expected(meeting: Meeting) -> list:
    """The distribution list's entries in its order: the latest snapshot, or the list the mandates give today."""
    snapshot = distribution_latest(meeting)
    if snapshot is not None:
        return list(snapshot.entries.order_by("position"))
    return build_distribution_list(instance=meeting.instance, on_date=meeting_date(meeting), meeting=meeting)


def attendance_sheet(meeting: Meeting, *, blank_rows: int = BLANK_ROWS) -> dict:
    """One row per expected person grouped by partner in the list's order, "represented by" from the answers."""
    meeting = Meeting.objects.select_related("instance__leader_partner").get(pk=meeting.pk)
    answers = _answers(meeting)
    groups: dict[str, SheetGroup] = {}
    seen: set[str] = set()

    def add(key, name, partner, role):
        seen.add(key)
        answer = answers.get(key)
        represented_by = ""
        if answer is not None and answer.rsvp == Invitation.Rsvp.DELEGATED and answer.delegated_to_id:
            represented_by = answer.delegated_to.full_name
        group = groups.setdefault(partner, SheetGroup(partner))
        group.rows.append(SheetRow(name=name, role=role_label(role), represented_by=represented_by))

    for entry in _expected(meeting):
        add(entry.key, entry.name, entry.partner, entry.role)
    # Invited outside the list (a delegate, or a list regenerated after sending): still expected at the door.
    for key, invitation in answers.items():
        if key not in seen:
            partner = invitation.partner or (
                invitation.person.institution.partner.name if invitation.person_id else "")
            add(key, invitation.name, partner, invitation.role or "delegate")
    expected = sum(len(group.rows) for group in groups.values())
    return {**_header(meeting, ATTENDANCE), "groups": list(groups.values()), "expected": expected,
            "blank_rows": range(blank_rows)}


# --- minutes ------------------------------------------------------------------------------------------------


def minutes(meeting: Meeting, *, cleared: bool) -> dict:
    """Attendance, chair, decisions, actions and referrals; "draft" until approved, then the approval meeting."""
    page = meeting_page(meeting.pk)
    meeting = page.meeting
    hidden_items = set() if cleared else {item.pk for item in page.items if item.confidential}
    approved_at = page.minutes.approved_at_meeting if page.minutes else None
    represented_ids = {p.pk for p in page.represented_partners}
    return {
        **_header(meeting, MINUTES), "minutes": page.minutes,
        "draft": meeting.status != Meeting.Status.MINUTES_APPROVED,
        "approved_at": approved_at,
        "approved_at_date": long_date(approved_at.start) if approved_at else "",
        "approved_on": long_date(page.minutes.approved_on) if page.minutes and page.minutes.approved_on else "",
        "represented": page.represented_partners,
        "not_represented": [p for p in page.member_partners if p.pk not in represented_ids],
        "chair": page.chair,
        "decisions": [d for d in page.decisions if d.agenda_item_id not in hidden_items],
        "actions": [{"action": a, "due": long_date(a.due_date)} for a in page.actions
                    if a.decision is None or a.decision.agenda_item_id not in hidden_items],
        "referrals": page.referrals,
    }


BUILDERS = {CONVOCATION: convocation, MINUTES: minutes}
