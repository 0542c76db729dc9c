"""Agenda items within each instance's scope (A2, A4, A6), proposals, presenters (A5) and documents."""

from __future__ import annotations

import os

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.french import long_datetime
from core.queue import enqueue_on_commit
from meetings import extraction, hooks, rules
from meetings.models import AgendaItem, Document, DocumentText, Meeting, Referral
from meetings.services import validation
from meetings.services._common import apply_fields, fail, lock, meeting_day, require_agenda_editable, status_label
from meetings.uploads import validate_upload
from membership.models import Mandate

ITEM_FIELDS = {
    "title", "description", "category", "expected_outcome", "duration_minutes",
    "presenter_person", "presenter_group", "confidential", "topic_experts",
}


def _check_item(item: AgendaItem, meeting: Meeting, topic_experts) -> None:
    """The rules an item must meet whoever writes it (shared with the admin's forms)."""
    validation.check_agenda_item(item, meeting, topic_experts)


def _next_order(meeting: Meeting) -> int:
    return (meeting.items.aggregate(m=Max("order"))["m"] or 0) + 1


def item_create(*, meeting: Meeting, title: str, category: str, expected_outcome: str, duration_minutes: int = 15,
                presenter_person=None, presenter_group=None, description: str = "", topic_experts=(),
                confidential: bool | None = None, status: str = AgendaItem.Status.ACCEPTED,
                proposed_by=None, referral=None) -> AgendaItem:
    """Create an item on a locked, editable meeting (shared by the services that add items); a member's
    proposal may also arrive after convocation, until the deadline (A1)."""
    if status != AgendaItem.Status.PROPOSED:
        require_agenda_editable(meeting)
    topic_experts = list(topic_experts or ())
    item = AgendaItem(
        meeting=meeting, order=_next_order(meeting), title=title, description=description, category=category,
        expected_outcome=expected_outcome, duration_minutes=duration_minutes, presenter_person=presenter_person,
        presenter_group=presenter_group,
        confidential=meeting.confidential_by_default if confidential is None else confidential,  # A4
        status=status, proposed_by=proposed_by, referral=referral,
    )
    _check_item(item, meeting, topic_experts)
    item.full_clean()
    item.save()
    if topic_experts:
        item.topic_experts.set(topic_experts)
    return item


@transaction.atomic
def agenda_item_add(*, meeting: Meeting, title: str, category: str, expected_outcome: str,
                    duration_minutes: int = 15, presenter_person=None, presenter_group=None, description: str = "",
                    topic_experts=(), confidential: bool | None = None) -> AgendaItem:
    """Add an accepted item: the secretariat or the group leader sets the agenda."""
    lock(meeting)
    return item_create(
        meeting=meeting, title=title, category=category, expected_outcome=expected_outcome,
        duration_minutes=duration_minutes, presenter_person=presenter_person, presenter_group=presenter_group,
        description=description, topic_experts=topic_experts, confidential=confidential,
    )


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, **fields) -> AgendaItem:
    meeting = lock(item.meeting)
    require_agenda_editable(meeting)
    topic_experts = fields.pop("topic_experts", None)
    apply_fields(item, fields, ITEM_FIELDS)
    experts = list(topic_experts) if topic_experts is not None else list(item.topic_experts.all())
    _check_item(item, meeting, experts)
    item.full_clean()
    item.save()
    if topic_experts is not None:
        item.topic_experts.set(experts)
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem) -> None:
    meeting = lock(item.meeting)
    require_agenda_editable(meeting)
    referral = item.referral
    if referral is not None and item.category == AgendaItem.Category.GEC_REFERRAL \
            and referral.state == Referral.State.SCHEDULED and referral.ga_meeting_id == meeting.pk:
        # The question goes back to waiting for a GA meeting (A3).
        referral.state, referral.ga_meeting = Referral.State.REQUESTED, None
        referral.save()
    item.delete()


@transaction.atomic
def agenda_reorder(*, meeting: Meeting, item_ids) -> list[AgendaItem]:
    """Put the listed items first in the given order; unlisted items keep their relative order after them."""
    lock(meeting)
    require_agenda_editable(meeting)
    item_ids = [int(pk) for pk in item_ids]
    if len(set(item_ids)) != len(item_ids):
        fail(_("An item appears twice in the new order."))
    items = {item.pk: item for item in meeting.items.all()}
    if not set(item_ids) <= set(items):
        fail(_("Some items do not belong to this meeting."))
    rest = [item for pk, item in items.items() if pk not in set(item_ids)]
    ordered = [items[pk] for pk in item_ids] + rest
    for position, item in enumerate(ordered, start=1):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order"])
    return ordered


def _is_member(person, meeting: Meeting) -> bool:
    instance = meeting.instance
    if person.pk in (instance.leader_person_id, instance.co_lead_person_id):
        return True
    return Mandate.objects.active_on(meeting_day(meeting)).filter(instance=instance, person=person).exists()


@transaction.atomic
def agenda_item_propose(*, meeting: Meeting, proposer, title: str, category: str, expected_outcome: str,
                        description: str = "") -> AgendaItem:
    """A member proposes an item once the agenda is proposed and until the deadline, even after convocation
    (A1, `rules.proposals_open`); it waits for acceptance."""
    lock(meeting)
    if meeting.status not in rules.PROPOSALS_OPEN:
        fail(_("Proposals are closed: this meeting is “%(status)s”.") % {"status": status_label(meeting.status)},
             code="proposals_closed")
    deadline = rules.proposal_deadline(meeting.start, meeting.proposal_deadline)
    if not rules.proposals_open(meeting.status, meeting.start, meeting.proposal_deadline, timezone.now()):
        fail(_("The deadline for proposing agenda items has passed (%(deadline)s).")
             % {"deadline": long_datetime(deadline)}, code="deadline_passed")
    if not _is_member(proposer, meeting):
        fail(_("Only members of the %(instance)s can propose agenda items.") % {"instance": meeting.instance.code},
             code="not_member")
    return item_create(
        meeting=meeting, title=title, category=category, expected_outcome=expected_outcome,
        description=description, status=AgendaItem.Status.PROPOSED, proposed_by=proposer,
    )


def _decide(item: AgendaItem, status: str, reason: str) -> AgendaItem:
    meeting = lock(item.meeting)
    if meeting.status not in rules.PROPOSALS_DECIDABLE:
        fail(_("Proposals can no longer be decided: the meeting is “%(status)s”.")
             % {"status": status_label(meeting.status)}, code="agenda_closed")
    item.refresh_from_db(fields=["status"])
    if item.status != AgendaItem.Status.PROPOSED:
        fail(_("This item is no longer waiting for a decision."), code="not_proposed")
    item.status, item.decision_reason = status, reason.strip()
    if status == AgendaItem.Status.ACCEPTED:
        item.order = _next_order(meeting)
    item.full_clean()
    item.save()
    agenda_updated = status == AgendaItem.Status.ACCEPTED and meeting.status == Meeting.Status.CONVENED
    if agenda_updated:
        meeting.ical_sequence += 1  # the convocation went out: invitees get the new agenda as an update
        meeting.save(update_fields=["ical_sequence"])
    hooks.proposal_decided(item=item, agenda_updated=agenda_updated)
    return item


@transaction.atomic
def agenda_item_accept(*, item: AgendaItem, reason: str = "") -> AgendaItem:
    return _decide(item, AgendaItem.Status.ACCEPTED, reason)


@transaction.atomic
def agenda_item_reject(*, item: AgendaItem, reason: str) -> AgendaItem:
    if not (reason or "").strip():
        fail(_("Say why the item is rejected."), "reason", code="reason_required")
    return _decide(item, AgendaItem.Status.REJECTED, reason)


def item_presenters(item: AgendaItem) -> list[tuple[object, str]]:
    """(person, reason) for one item: its presenter, and the leader and co-lead of a presenting group (A5)."""
    out = []
    if item.presenter_person is not None:
        out.append((item.presenter_person, _("presents “%(item)s”") % {"item": item.title}))
    group = item.presenter_group
    if group is not None:
        for person, label in ((group.leader_person, _("leader")), (group.co_lead_person, _("co-lead"))):
            if person is not None:
                out.append((person, _("%(label)s of %(group)s, presenting group for “%(item)s” (A5)")
                            % {"label": label, "group": group.code, "item": item.title}))
    return out


def meeting_presenters(meeting: Meeting, items=None) -> list[tuple[object, str]]:
    """Presenters of the accepted items, each person once with the first reason found (A5)."""
    if items is None:
        items = meeting.items.filter(status=AgendaItem.Status.ACCEPTED).select_related(
            "presenter_person", "presenter_group__leader_person", "presenter_group__co_lead_person"
        )
    seen, out = set(), []
    for item in items:
        if item.status != AgendaItem.Status.ACCEPTED:
            continue
        for person, reason in item_presenters(item):
            if person.pk not in seen:
                seen.add(person.pk)
                out.append((person, reason))
    return out


@transaction.atomic
def document_attach(*, meeting: Meeting, uploaded_file, title: str, agenda_item: AgendaItem | None = None,
                    kind: str = Document.Kind.AGENDA, uploaded_by=None, confidential: bool | None = None) -> Document:
    """Store a checked file under a random name; GA documents are confidential by default (A4)."""
    lock(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        fail(_("Documents cannot be attached to a cancelled meeting."))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        fail(_("The agenda item belongs to another meeting."), "agenda_item")
    content_type = validate_upload(uploaded_file)
    if confidential is None:
        confidential = meeting.confidential_by_default or bool(agenda_item and agenda_item.confidential)
    document = Document(
        meeting=meeting, agenda_item=agenda_item, kind=kind, title=title,
        filename=os.path.basename(uploaded_file.name)[:250], content_type=content_type, size=uploaded_file.size,
        confidential=confidential, uploaded_by=uploaded_by,
    )
    document.full_clean(exclude=["file"])
    document.file.save(uploaded_file.name, uploaded_file, save=False)  # upload_to gives a random name
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    enqueue_on_commit("meetings.tasks.extract_document_text", document.pk)
    return document


def document_extract_text(*, document_id: int) -> Document | None:
    """Read a document's text for the search (bounded: meetings.extraction) and store it, or why it failed.

    Safe to run twice: the text is read again and stored again. Reading happens outside the transaction (it may
    take seconds); the row is updated only if it still exists.
    """
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return None
    if document.content_type not in extraction.EXTRACTABLE:
        state, text, error = Document.TextState.NONE, "", ""
    else:
        try:
            with document.file.open("rb") as handle:
                data = handle.read(extraction.MAX_FILE_BYTES + 1)
            extracted = extraction.extract_text(data, document.content_type)
        except (extraction.ExtractionError, OSError) as failure:
            reason = failure.args[0] if isinstance(failure, extraction.ExtractionError) else "unreadable"
            state, text, error = Document.TextState.FAILED, "", reason
        else:
            state, text, error = Document.TextState.DONE, extracted.text, ""
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None:
            return None
        DocumentText.objects.update_or_create(document=document, defaults={"text": text})
        document.text_state, document.text_error = state, error
        # save(): the search index follows the document's receivers, as for any other write.
        document.save(update_fields=["text_state", "text_error"])
    return document
