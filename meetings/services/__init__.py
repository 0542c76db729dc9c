"""Every write to meetings goes through these services (one way in for each state change)."""

from meetings.services.agenda import (
    agenda_item_accept,
    agenda_item_add,
    agenda_item_propose,
    agenda_item_reject,
    agenda_item_remove,
    agenda_item_update,
    agenda_reorder,
    document_attach,
    document_extract_text,
    item_presenters,
    meeting_presenters,
)
from meetings.services.attendance import (
    attendance_confirm_expected,
    attendance_initialise,
    attendance_record,
    current_acting_chair,
    expected_from_answers,
    meeting_chair,
    member_partners,
    register_absences,
    register_chair,
    representation_error,
    represented_partners,
    stand_ins_by_person,
)
from meetings.services.lifecycle import (
    meeting_approve_minutes,
    meeting_cancel,
    meeting_convene,
    meeting_create,
    meeting_mark_held,
    meeting_propose_agenda,
    meeting_reschedule,
    meeting_update,
)
from meetings.services.records import (
    action_add,
    action_mark_done,
    action_register,
    decision_add,
    decision_record_written,
    meeting_follow_up_actions,
    minutes_save,
)
from meetings.services.referrals import (
    referral_conclude,
    referral_request,
    referral_schedule,
    referral_self_seize,
    return_concluded_referrals,
)

__all__ = [
    "document_extract_text",
    "attendance_confirm_expected", "expected_from_answers", "stand_ins_by_person",
    "action_add", "action_mark_done", "action_register", "agenda_item_accept", "agenda_item_add",
    "agenda_item_propose", "agenda_item_reject", "agenda_item_remove", "agenda_item_update", "agenda_reorder",
    "attendance_initialise", "attendance_record", "current_acting_chair", "meeting_chair", "decision_add", "decision_record_written", "document_attach",
    "item_presenters", "meeting_approve_minutes", "meeting_cancel", "meeting_convene", "meeting_create",
    "meeting_follow_up_actions", "meeting_mark_held", "meeting_presenters", "meeting_propose_agenda",
    "meeting_reschedule", "meeting_update", "member_partners", "minutes_save", "referral_conclude",
    "referral_request", "referral_schedule", "referral_self_seize", "register_absences", "register_chair", "represented_partners",
    "representation_error", "return_concluded_referrals",
]
