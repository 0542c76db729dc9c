"""Questions between the GEC and the GA (A3): requested → scheduled → concluded → returned to the GEC."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings import rules
from meetings.models import AgendaItem, Meeting, Referral
from meetings.services import validation
from meetings.services._common import fail, lock
from meetings.services.agenda import item_create


def _title(text: str) -> str:
    limit = AgendaItem._meta.get_field("title").max_length
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _lock_referral(referral: Referral) -> Referral:
    referral.refresh_from_db(from_queryset=Referral.objects.select_for_update())
    return referral


@transaction.atomic
def referral_request(*, question: str, expected_outcome: str = AgendaItem.Outcome.ORIENTATION,
                     requested_at_meeting: Meeting | None = None, details: str = "") -> Referral:
    """The GEC asks the GA for an orientation, an arbitration or a decision (A3)."""
    validation.check_referral_meetings(requested_at_meeting=requested_at_meeting)
    referral = Referral(
        origin=Referral.Origin.GEC, question=question, details=details, expected_outcome=expected_outcome,
        requested_at_meeting=requested_at_meeting,
    )
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def referral_self_seize(*, question: str, expected_outcome: str = AgendaItem.Outcome.ORIENTATION,
                        details: str = "") -> Referral:
    """The GA takes a question up itself (auto-saisine, A3); its conclusions go to the GEC all the same."""
    referral = Referral(origin=Referral.Origin.SELF, question=question, details=details,
                        expected_outcome=expected_outcome)
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def referral_schedule(*, referral: Referral, ga_meeting: Meeting, category: str | None = None) -> AgendaItem:
    """Put the question on a GA meeting's agenda. A GEC question is a `gec_referral` item; a question the GA
    took up itself is filed under one of the GA's own themes (A4), given as `category`."""
    _lock_referral(referral)
    if referral.state != Referral.State.REQUESTED:
        fail(_("This question is already scheduled or concluded."), code="invalid_transition")
    validation.check_referral_meetings(ga_meeting=ga_meeting)
    if referral.origin == Referral.Origin.GEC:
        category = AgendaItem.Category.GEC_REFERRAL
    elif category not in rules.GA_THEMES:
        fail(_("Choose the GA theme of this question (A4)."), "category")
    lock(ga_meeting)
    item = item_create(
        meeting=ga_meeting, title=_title(referral.question), category=category, expected_outcome=referral.expected_outcome,
        description=referral.details, referral=referral,
    )
    referral.state, referral.ga_meeting = Referral.State.SCHEDULED, ga_meeting
    referral.full_clean()
    referral.save()
    return item


@transaction.atomic
def referral_conclude(*, referral: Referral, conclusion: str) -> Referral:
    """The GA's conclusion, once its meeting is held; it goes to the next GEC agenda (A3)."""
    _lock_referral(referral)
    if referral.state != Referral.State.SCHEDULED:
        fail(_("Only a question scheduled on a GA meeting can be concluded."), code="invalid_transition")
    if referral.ga_meeting.status not in (Meeting.Status.HELD, Meeting.Status.MINUTES_APPROVED):
        fail(_("The GA concludes once its meeting has been held."), code="ga_not_held")
    if not (conclusion or "").strip():
        fail(_("Write the GA's conclusion."), "conclusion")
    referral.state, referral.conclusion, referral.concluded_at = Referral.State.CONCLUDED, conclusion, timezone.now()
    referral.full_clean()
    referral.save()
    return_concluded_referrals()
    referral.refresh_from_db()
    return referral


def next_gec_meeting() -> Meeting | None:
    """The next GEC meeting whose agenda can still take an item."""
    return (
        Meeting.objects.select_for_update()
        .filter(instance__kind="GEC", start__gte=timezone.now(), status__in=rules.AGENDA_EDITABLE)
        .order_by("start")
        .first()
    )


def return_concluded_referrals() -> list[Referral]:
    """Concluded questions become information items on the next GEC agenda (A3); called inside a transaction."""
    pending = list(Referral.objects.select_for_update().filter(state=Referral.State.CONCLUDED,
                                                                returned_to_meeting__isnull=True))
    if not pending:
        return []
    target = next_gec_meeting()
    if target is None:
        return []  # they stay concluded until a GEC meeting is created
    for referral in pending:
        item_create(
            meeting=target, title=_title(_("Conclusions of the GA: %(question)s") % {"question": referral.question}),
            category=AgendaItem.Category.REFERRAL_CONCLUSION, expected_outcome=AgendaItem.Outcome.INFORMATION,
            description=referral.conclusion, confidential=False, referral=referral,
        )
        referral.state, referral.returned_to_meeting = Referral.State.RETURNED, target
        referral.save()
    return pending
