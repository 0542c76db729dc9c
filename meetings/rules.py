"""Pure meeting rules: the life cycle of a meeting and the agenda scope of each instance (A1–A6, I3).

No ORM access here: services and forms ask these tables, so a rule lives in one place.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

DRAFT = "draft"
AGENDA_PROPOSED = "agenda_proposed"
CONVENED = "convened"
HELD = "held"
MINUTES_APPROVED = "minutes_approved"
CANCELLED = "cancelled"

# The one transition table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({AGENDA_PROPOSED, CANCELLED}),
    AGENDA_PROPOSED: frozenset({CONVENED, CANCELLED}),
    CONVENED: frozenset({HELD, CANCELLED}),
    HELD: frozenset({MINUTES_APPROVED}),
    MINUTES_APPROVED: frozenset(),
    CANCELLED: frozenset(),
}

# While the agenda is being prepared its items, title and place may change (A1).
AGENDA_EDITABLE = frozenset({DRAFT, AGENDA_PROPOSED})
# A meeting that has not taken place may move in time.
RESCHEDULABLE = frozenset({DRAFT, AGENDA_PROPOSED, CONVENED})
# A1, proposals: members see a meeting once its agenda is proposed (a draft is the secretariat's work, hidden
# from them by the access policy) and may propose items until the proposal deadline (the start when none is
# set), even after convocation; an item accepted after convocation goes out as an agenda update (calendar
# SEQUENCE + 1).
PROPOSALS_OPEN = frozenset({DRAFT, AGENDA_PROPOSED, CONVENED})
# Proposed items are accepted or rejected until the meeting is held.
PROPOSALS_DECIDABLE = frozenset({DRAFT, AGENDA_PROPOSED, CONVENED})
VISIBLE_TO_MEMBERS = frozenset({AGENDA_PROPOSED, CONVENED, HELD, MINUTES_APPROVED, CANCELLED})

# Minutes, decisions and actions are written during or after the meeting.
RECORDABLE = frozenset({CONVENED, HELD})
# The attendance register is kept from the proposed agenda to the meeting held.
REGISTER_OPEN = frozenset({AGENDA_PROPOSED, CONVENED, HELD})

# Agenda categories by instance kind: A2 (GEC), A4 (GA), A6 (GT/GD), plus the flows of A3 and follow-up.
GEC_SCOPE = frozenset({"policy_dialogue", "effectiveness", "organisation", "referral_conclusion", "follow_up"})
GA_SCOPE = frozenset({"human_rights", "democracy", "reconciliation", "rule_of_law", "security", "gec_referral",
                      "follow_up"})
GROUP_SCOPE = frozenset({"sector_dialogue", "government_dialogue", "cross_cutting", "follow_up"})
CATEGORY_SCOPE: dict[str, frozenset[str]] = {"GEC": GEC_SCOPE, "GA": GA_SCOPE, "GT": GROUP_SCOPE, "GD": GROUP_SCOPE}
SCOPE_RULE = {"GEC": "A2", "GA": "A4", "GT": "A6", "GD": "A6"}
# A4: the GA's own themes, for a question it takes up itself.
GA_THEMES = GA_SCOPE - {"gec_referral", "follow_up"}


def transition_error(current: str, target: str, labels: dict[str, str] | None = None) -> str | None:
    """A sentence saying why `current` -> `target` is refused, or None when the move is allowed."""
    if target in TRANSITIONS.get(current, frozenset()):
        return None
    labels = labels or {}
    return _("A meeting that is “%(current)s” cannot become “%(target)s”.") % {
        "current": labels.get(current, current), "target": labels.get(target, target),
    }


def proposal_deadline(start, deadline):
    """When proposals close: the meeting's deadline, or its start when it has none."""
    return deadline or start


def proposals_open(status: str, start, deadline, now) -> bool:
    """A1: a member may propose an item now (the one rule the page, "my invitations" and the form follow)."""
    return status in PROPOSALS_OPEN and now <= proposal_deadline(start, deadline)


def category_allowed(instance_kind: str, category: str) -> bool:
    return category in CATEGORY_SCOPE.get(instance_kind, frozenset())


def scope_error(instance_kind: str, instance_code: str, category_label: str) -> str:
    return _("“%(category)s” is outside the agenda scope of the %(instance)s (%(rule)s).") % {
        "category": category_label, "instance": instance_code, "rule": SCOPE_RULE.get(instance_kind, "A1"),
    }
