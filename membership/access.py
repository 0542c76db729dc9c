"""Who may see and manage what. Every view asks here; nothing decides elsewhere.

- secretariat staff (and superusers): everything;
- a GT/GD leader or co-lead: their own group's meetings (guardian object permission);
- a partner representative: the instances where they hold an active mandate, the meetings
  they are invited to (GA meetings included), and the documents of those meetings that are not confidential;
- A4: GA documents and minutes only to people with an active GA mandate and the SEG (an invitee without one
  opens the meeting, not its material);
  a group's documents only to its members, its leaders and the SEG;
- a draft meeting only to those who manage it, in the meetings list and on its page alike: members see a
  meeting once its agenda is proposed;
- referrals between the GEC and the GA (A3, A4): the SEG and GA members see every referral whole; a GEC
  member sees what the GEC asked (question, details, the GEC meetings) and the GA's conclusion once it is
  returned to the GEC — never a question the GA took up itself before its conclusion comes back, nor the
  GA meeting, nor the GA's work on it (a self-seized question's details, a conclusion not yet returned).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from instances.models import Instance
from membership.models import Mandate
from membership.roles import (
    granted_group_ids,
    is_secretariat,
    managed_group_ids,
    may_manage_group,
    person_id_of,
    role_facts,
)


def _today() -> datetime.date:
    return timezone.localdate()


def active_instance_ids(user, on_date: datetime.date | None = None) -> set[int]:
    """Instances where the user's person holds a mandate active on the date (cached per request user; today's
    come with the role facts)."""
    person_id = person_id_of(user)
    if person_id is None:
        return set()
    on_date = on_date or _today()
    facts = role_facts(user)
    if facts.today == on_date:
        return set(facts.member_of)
    cache = user.__dict__.setdefault("_ptf_active_instances", {})
    if on_date not in cache:
        # No ordering: Mandate's default one would join the instances and people for nothing.
        cache[on_date] = set(Mandate.objects.active_on(on_date).filter(person_id=person_id).order_by()
                             .values_list("instance_id", flat=True))
    return cache[on_date]


def can_manage_instance(user, instance) -> bool:
    if not user.is_authenticated:
        return False
    return is_secretariat(user) or may_manage_group(user, instance)


def managed_instances(user):
    """The instances whose meetings the user manages: all for the SEG, their own groups for a leader."""
    qs = Instance.objects.filter(is_active=True)
    if is_secretariat(user):
        return qs
    return qs.filter(pk__in=managed_group_ids(user), kind__in=[Instance.Kind.GT, Instance.Kind.GD])


def manages_meetings(user) -> bool:
    """Whether the user manages any meetings at all (the SEG, or the leader of an active group): no query
    beyond the request's role facts."""
    return is_secretariat(user) or bool(managed_group_ids(user))


def is_member(user, instance) -> bool:
    return instance.pk in active_instance_ids(user)


def can_view_instance(user, instance) -> bool:
    return can_manage_instance(user, instance) or is_member(user, instance)


def is_invited(user, meeting) -> bool:
    person_id = person_id_of(user)
    if person_id is None:
        return False
    invitations = getattr(meeting, "invitations", None)
    if invitations is None:
        return False
    return invitations.filter(person_id=person_id).exists()


# Who may open a meeting: ONE rule, asked for one meeting (`can_view_meeting`) and for lists (`meeting_scope`,
# the same rule as a filter), so that every meeting a list, the calendar feed or an e-mail shows opens.
#   - those who manage it (the SEG, the group's leaders): always, drafts included;
#   - nobody else sees a draft (the secretariat's work in progress);
#   - an invitee: the invitation, whatever their seats today (a mandate that ended yesterday or starts
#     tomorrow still lets them open the meeting they are invited to); what they may read on it follows A4
#     (`can_view_confidential`: GA and group material only to today's members);
#   - anyone else: their current seats (a mandate active today in the meeting's instance).
DRAFT = "draft"


def can_view_meeting(user, meeting) -> bool:
    """The rule above for one meeting (its twin for lists is `meeting_scope`)."""
    if can_manage_instance(user, meeting.instance):
        return True
    if meeting.status == DRAFT:
        return False
    return is_member(user, meeting.instance) or is_invited(user, meeting)


def meeting_scope(user, *, with_invitations: bool = True) -> Q:
    """The rule above as a filter on meetings (`Meeting.objects.filter(meeting_scope(user)).distinct()`).

    `with_invitations` is False when the invitations app is not installed (no `invitations` relation).
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_secretariat(user):
        return Q()
    condition = Q(instance_id__in=granted_group_ids(user)) | (Q(instance_id__in=active_instance_ids(user))
                                                             & ~Q(status=DRAFT))
    person_id = person_id_of(user)
    if person_id is not None and with_invitations:
        condition |= invited_scope(person_id)
    return condition


def invited_scope(person_id) -> Q:
    """The invitee's part of the rule, as a filter on meetings: what the person's calendar feed lists."""
    return Q(invitations__person_id=person_id) & ~Q(status=DRAFT)


def can_view_confidential(user, meeting) -> bool:
    """A4: confidential material of a meeting — GA members (or the group's members) and the SEG."""
    return can_manage_instance(user, meeting.instance) or is_member(user, meeting.instance)


def needs_clearance(meeting, confidential: bool) -> bool:
    """A4: GA material, a group's material, and anything marked confidential need clearance to be read.

    Pages that list many documents call this per document (no query) after one `can_view_confidential`.
    """
    return meeting.instance.is_group or meeting.instance.kind == "GA" or bool(confidential)


def can_view_document(user, document) -> bool:
    meeting = document.meeting
    if not can_view_meeting(user, meeting):
        return False
    return not needs_clearance(meeting, document.confidential) or can_view_confidential(user, meeting)


def can_view_item(user, item) -> bool:
    """A confidential agenda item is shown only to those cleared for the meeting's confidential material."""
    meeting = item.meeting
    if not can_view_meeting(user, meeting):
        return False
    return not item.confidential or can_view_confidential(user, meeting)


def can_view_minutes(user, minutes) -> bool:
    """A4: the minutes of a GA or group meeting, or marked confidential, only to cleared readers."""
    meeting = minutes.meeting
    if not can_view_meeting(user, meeting):
        return False
    return not needs_clearance(meeting, minutes.confidential) or can_view_confidential(user, meeting)


def can_propose_item(user, meeting) -> bool:
    """Members of the instance may propose agenda items."""
    return is_member(user, meeting.instance) or can_manage_instance(user, meeting.instance)


def can_view_audit(user) -> bool:
    """The audit trail: the secretariat and admins only."""
    return user.is_authenticated and (is_secretariat(user) or user.is_superuser)


# Referrals between the GEC and the GA (A3, A4) ---------------------------------------------------------

REFERRAL_FROM_GEC = "gec"
REFERRAL_RETURNED = "returned"


def _political_kinds(user) -> set[str]:
    """Which of the GEC and the GA the user holds an active mandate in (cached per request user)."""
    cache = user.__dict__
    if "_ptf_political_kinds" not in cache:
        ids = active_instance_ids(user)
        cache["_ptf_political_kinds"] = set(
            Instance.objects.filter(pk__in=ids, kind__in=("GEC", "GA")).values_list("kind", flat=True)
        ) if ids else set()
    return cache["_ptf_political_kinds"]


def can_manage_referrals(user) -> bool:
    """Filing a question, putting it on a GA agenda, recording the GA's conclusion: the SEG."""
    return is_secretariat(user)


def can_list_referrals(user) -> bool:
    """The referrals pages: the SEG, and members of the GEC or the GA."""
    return is_secretariat(user) or bool(_political_kinds(user))


def sees_referral_ga_side(user) -> bool:
    """A4: the GA side of referrals (self-seized questions, GA meetings, the GA's work) — GA members and the SEG."""
    return is_secretariat(user) or "GA" in _political_kinds(user)


def _gec_sees(referral) -> bool:
    return referral.origin == REFERRAL_FROM_GEC or referral.state == REFERRAL_RETURNED


def can_view_referral(user, referral) -> bool:
    if sees_referral_ga_side(user):
        return True
    return "GEC" in _political_kinds(user) and _gec_sees(referral)


def referral_scope(user) -> Q:
    """The referrals a user may list, as a filter on the Referral table."""
    if sees_referral_ga_side(user):
        return Q()
    if "GEC" in _political_kinds(user):
        return Q(origin=REFERRAL_FROM_GEC) | Q(state=REFERRAL_RETURNED)
    return Q(pk__in=[])


@dataclass(frozen=True)
class ReferralSight:
    """What of one referral a reader may see, beyond its question, origin and state."""

    details: bool
    ga_meeting: bool
    conclusion: bool


def referral_sight(user, referral) -> ReferralSight:
    if sees_referral_ga_side(user):
        return ReferralSight(details=True, ga_meeting=True, conclusion=True)
    return ReferralSight(
        details=referral.origin == REFERRAL_FROM_GEC,  # the GEC's own request; a self-seized one is GA work
        ga_meeting=False,
        conclusion=referral.state == REFERRAL_RETURNED,
    )


def can_manage_accounts(user) -> bool:
    """Portal access of the directory's people (invite, enable again): the secretariat and admins."""
    return user.is_authenticated and is_secretariat(user)


def can_manage_roles(user) -> bool:
    """Who belongs to the secretariat: admins (superusers) only."""
    return user.is_authenticated and user.is_superuser


# The search (`search.SearchEntry`): the rules above as one filter on the index, whose rows carry `audience`,
# `meeting_id`, `instance_id`, `clearance` (needs_clearance / an item's confidential flag) and `managers_only`.

def cleared_instance_ids(user) -> set[int] | None:
    """`can_view_confidential`'s list twin: the instances whose confidential material the user reads (None:
    all, the SEG)."""
    if is_secretariat(user):
        return None
    return set(granted_group_ids(user)) | active_instance_ids(user)


def search_audiences(user) -> set[str]:
    """The audiences of the index the user belongs to beyond the meetings (the directory, the GEC and GA
    sides of referrals — `referral_scope` and `referral_sight` —, the SEG)."""
    if not user.is_authenticated:
        return set()
    audiences = {"directory"}
    if is_secretariat(user):
        return audiences | {"referral_gec", "referral_ga", "seg"}
    kinds = _political_kinds(user)
    if kinds:
        audiences.add("referral_gec")
    if "GA" in kinds:
        audiences.add("referral_ga")
    return audiences


def search_entry_scope(user, *, meetings) -> Q:
    """The entries of the search index a user may find, as a filter.

    `meetings`: the Meeting model's manager (this layer does not import it). The meetings the user may open are
    `meeting_scope`, asked as two subqueries — their seats' and their invitations' —, each read once by
    PostgreSQL rather than a join of every invitation. On them, A4: material that needs clearance only for
    `can_view_confidential`; items proposed or rejected only for the meeting's managers (`can_manage_instance`).
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if is_secretariat(user):
        return Q()
    managed = set(granted_group_ids(user))
    cleared = cleared_instance_ids(user)
    readable = Q(meeting_id__in=meetings.filter(meeting_scope(user, with_invitations=False)).values("pk"))
    person_id = person_id_of(user)
    if person_id is not None:
        readable |= Q(meeting_id__in=meetings.filter(invited_scope(person_id)).values("pk"))
    on_meetings = (Q(audience="meeting") & readable
                   & (Q(clearance=False) | Q(instance_id__in=cleared))
                   & (Q(managers_only=False) | Q(instance_id__in=managed)))
    return on_meetings | Q(audience__in=search_audiences(user))
# Written procedures (decisions between meetings) ----------------------------------------------------------
# Who opens, launches, extends and withdraws one: those who manage the body (the SEG for the GEC and the GA, a
# group's leaders for their group). Who reads it: its managers; once launched, today's members of the body and
# the people who hold one of its frozen seats — except that a GA procedure (A4, like GA minutes) is read only by
# today's GA members and the SEG. A reader who does not manage it sees the seats' answers of their own partner
# only, and the result once it is closed.


def can_manage_procedures(user, body) -> bool:
    return can_manage_instance(user, body)


def can_view_procedure(user, *, body, draft: bool, seat_person_ids=()) -> bool:
    if can_manage_instance(user, body):
        return True
    if draft or not user.is_authenticated:
        return False
    if is_member(user, body):
        return True
    if body.kind == "GA":  # A4: a seat frozen at launch opens nothing once the GA mandate has ended
        return False
    return person_id_of(user) in set(seat_person_ids)


def can_list_procedures(user, body) -> bool:
    """The body's "written procedures" page: its managers and today's members (A4 for the GA alike)."""
    return can_manage_instance(user, body) or is_member(user, body)
