"""Keeping the search index current: what each record says to the search, and who may find it.

`connect()` (from `SearchConfig.ready`) registers post_save / post_delete receivers for every indexed model, so
services, the admin, the importer and the history generator keep the index current in the same transaction
as their write. `reindex_all()` rebuilds everything (the `reindex_search` command). Invitations, answers and
attendance are not indexed: the hot writes of a sending cost nothing here.

Who may find a row is decided by `membership.access.search_entry_scope` from the row's columns, set here with
the pages' own rules: `needs_clearance` (A4) for documents, minutes, decisions and actions; an agenda item's
confidential flag (`can_view_item`); proposed and rejected items for the meeting's managers (the meeting page);
referrals by `referral_sight` (the GEC side and the GA side); the directory for every logged-in user, e-mail
addresses for the SEG only.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db import connection, connections
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone, translation

from instances.models import Instance
from meetings.models import ActionItem, AgendaItem, Decision, Document, Meeting, Minutes, Referral
from membership.access import REFERRAL_FROM_GEC, REFERRAL_RETURNED, needs_clearance
from membership.models import Institution, Partner, Person
from membership.signals import records_written
from search.models import SearchEntry
from search.text import clean, guess_language, plain_text

Kind, Audience = SearchEntry.Kind, SearchEntry.Audience
# The text search configurations the migration creates on PostgreSQL (unaccent, then the language's stemmer).
CONFIGS = {"fr": "fr_unaccent", "en": "en_unaccent"}
BATCH = 2000


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def _meeting_context(meeting: Meeting) -> str:
    start = timezone.localtime(meeting.start)
    return f"{meeting.heading} {meeting.instance.name_fr} {meeting.instance.code} {start.year}"


def _on_meeting(meeting: Meeting, *, confidential: bool) -> dict:
    return {"instance_id": meeting.instance_id, "meeting_id": meeting.pk, "date": _local_date(meeting.start),
            "audience": Audience.MEETING, "clearance": needs_clearance(meeting, confidential)}


def meeting_entry(meeting: Meeting) -> dict:
    return {"kind": Kind.MEETING, "object_id": meeting.pk, "instance_id": meeting.instance_id,
            "meeting_id": meeting.pk, "date": _local_date(meeting.start), "audience": Audience.MEETING,
            "state": meeting.status, "title": meeting.heading,
            "body": " ".join(filter(None, [meeting.place, meeting.extraordinary_reason])),
            "context": _meeting_context(meeting),
            "link": reverse("meetings:detail", args=[meeting.pk])}


def item_entry(item: AgendaItem) -> dict:
    meeting = item.meeting
    presenter = item.presenter_group
    return {"kind": Kind.ITEM, "object_id": item.pk, **_on_meeting(meeting, confidential=False),
            # can_view_item: an item is hidden only when marked confidential (the rest of a GA agenda is read
            # by every invitee); proposed and rejected items only by those who manage the meeting.
            "clearance": bool(item.confidential), "managers_only": item.status != AgendaItem.Status.ACCEPTED,
            "state": item.status, "title": item.title, "body": item.description,
            "context": " ".join(filter(None, [_meeting_context(meeting), item.get_category_display(),
                                              presenter.code if presenter else "",
                                              presenter.name_fr if presenter else ""])),
            "link": reverse("meetings:detail", args=[meeting.pk]) + f"#item-{item.pk}"}


def minutes_entry(minutes: Minutes) -> dict:
    meeting = minutes.meeting
    return {"kind": Kind.MINUTES, "object_id": minutes.pk, **_on_meeting(meeting, confidential=minutes.confidential),
            "title": str(translation.gettext("Minutes")) + " — " + meeting.heading, "body": minutes.text,
            "context": _meeting_context(meeting), "link": reverse("meetings:detail", args=[meeting.pk]) + "#records"}


def decision_entry(decision: Decision) -> dict:
    meeting = decision.meeting
    if meeting is None:
        # Taken by written procedure: found by the SEG only for now (the procedure's own page says who else reads
        # it; a wider audience needs that rule in membership.access first).
        body = decision.body
        return {"kind": Kind.DECISION, "object_id": decision.pk, "instance_id": decision.body_id, "meeting_id": None,
                "date": decision.decided_on, "audience": Audience.SEG, "title": decision.text[:120],
                "body": decision.text, "context": f"{body.name_fr} {body.code} {decision.decided_on.year}",
                "link": reverse("meetings:decisions")}
    return {"kind": Kind.DECISION, "object_id": decision.pk, **_on_meeting(meeting, confidential=False),
            "title": decision.text[:120], "body": decision.text, "context": _meeting_context(meeting),
            "link": reverse("meetings:detail", args=[meeting.pk]) + "#records"}


def action_entry(action: ActionItem) -> dict:
    meeting = action.meeting
    owner = " ".join(filter(None, [action.owner_partner.name, str(action.owner_person or "")]))
    return {"kind": Kind.ACTION, "object_id": action.pk, **_on_meeting(meeting, confidential=False),
            "state": action.state, "due_date": action.due_date, "title": action.title, "body": owner,
            # The decision it follows: "élections" finds the action of a decision on the elections.
            "context": " ".join(filter(None, [_meeting_context(meeting),
                                              action.decision.text if action.decision else ""])),
            "link": reverse("meetings:detail", args=[meeting.pk]) + "#actions"}


def document_entry(document: Document) -> dict:
    meeting = document.meeting
    return {"kind": Kind.DOCUMENT, "object_id": document.pk,
            **_on_meeting(meeting, confidential=document.confidential),
            "state": document.text_state, "language": guess_language(document.text),
            "title": document.title, "body": document.text,
            "context": f"{document.filename} {_meeting_context(meeting)}",
            "link": reverse("meetings:document", args=[document.pk])}


def referral_entry(referral: Referral) -> dict:
    """referral_sight: a GEC member reads the question, the GEC's own details and a conclusion returned to the
    GEC; the rest (a self-seized question before its return, its details, a conclusion not yet returned, the GA
    meeting) only the GA side reads."""
    gec_sees = referral.origin == REFERRAL_FROM_GEC or referral.state == REFERRAL_RETURNED
    details_public = referral.origin == REFERRAL_FROM_GEC
    conclusion_public = referral.state == REFERRAL_RETURNED
    public = [referral.details if details_public else "", referral.conclusion if conclusion_public else ""]
    hidden = [referral.details if not details_public else "", referral.conclusion if not conclusion_public else ""]
    if gec_sees:
        meeting = referral.requested_at_meeting or referral.returned_to_meeting
        audience, body, extra = Audience.REFERRAL_GEC, public, hidden
    else:
        meeting = referral.ga_meeting
        audience, body, extra = Audience.REFERRAL_GA, public + hidden, []
    return {"kind": Kind.REFERRAL, "object_id": referral.pk, "audience": audience,
            "instance_id": meeting.instance_id if meeting else None, "meeting_id": meeting.pk if meeting else None,
            "date": _local_date(referral.created_at), "state": referral.state, "title": referral.question,
            "body": "\n".join(filter(None, body)), "extra": "\n".join(filter(None, extra)),
            "extra_audience": Audience.REFERRAL_GA if any(extra) else "",
            "link": reverse("meetings:referral", args=[referral.pk])}


def partner_entry(partner: Partner) -> dict:
    institutions = " ".join(f"{i.name} {i.acronym}" for i in partner.institutions.all())
    return {"kind": Kind.PARTNER, "object_id": partner.pk, "audience": Audience.DIRECTORY, "title": partner.name,
            "body": " ".join(filter(None, [partner.get_partner_type_display(), institutions])),
            "link": reverse("membership:partner", args=[partner.pk])}


def group_entry(instance: Instance) -> dict:
    return {"kind": Kind.GROUP, "object_id": instance.pk, "instance_id": instance.pk,
            "audience": Audience.DIRECTORY, "title": f"{instance.code} — {instance.name_fr}",
            "body": " ".join(filter(None, [instance.name_en, instance.sector])),
            "link": reverse("directory:detail", args=[instance.code])}


def person_entry(person: Person) -> dict:
    institution = person.institution
    return {"kind": Kind.PERSON, "object_id": person.pk, "audience": Audience.DIRECTORY, "title": person.full_name,
            "body": " ".join([person.get_function_display(), institution.name, institution.partner.name]),
            "extra": person.email, "extra_audience": Audience.SEG,
            "link": reverse("membership:partner", args=[institution.partner_id])}


# What each model says, and how to load it with what its entry reads.
BUILDERS = {
    Meeting: (meeting_entry, lambda qs: qs.select_related("instance")),
    AgendaItem: (item_entry, lambda qs: qs.select_related("meeting__instance", "presenter_group")),
    Minutes: (minutes_entry, lambda qs: qs.select_related("meeting__instance")),
    Decision: (decision_entry, lambda qs: qs.select_related("meeting__instance", "body")),
    ActionItem: (action_entry, lambda qs: qs.select_related("meeting__instance", "decision", "owner_partner",
                                                           "owner_person")),
    Document: (document_entry, lambda qs: qs.select_related("meeting__instance", "extracted")),
    Referral: (referral_entry, lambda qs: qs.select_related("requested_at_meeting__instance",
                                                            "returned_to_meeting__instance", "ga_meeting__instance")),
    Partner: (partner_entry, lambda qs: qs.prefetch_related("institutions")),
    Instance: (group_entry, lambda qs: qs),
    Person: (person_entry, lambda qs: qs.select_related("institution__partner")),
}
KIND_OF = {Meeting: Kind.MEETING, AgendaItem: Kind.ITEM, Minutes: Kind.MINUTES, Decision: Kind.DECISION,
           ActionItem: Kind.ACTION, Document: Kind.DOCUMENT, Referral: Kind.REFERRAL, Partner: Kind.PARTNER,
           Instance: Kind.GROUP, Person: Kind.PERSON}
MEETING_CHILDREN = (AgendaItem, Minutes, Decision, ActionItem, Document)


def _row(data: dict) -> SearchEntry:
    entry = SearchEntry(**data)
    entry.title = clean(entry.title)[:300]
    entry.body, entry.context, entry.extra = clean(entry.body), clean(entry.context), clean(entry.extra)
    if connection.vendor != "postgresql":  # PostgreSQL searches the vectors: no second copy of the text there
        entry.plain = plain_text(" ".join([entry.title, entry.body, entry.context]))
        entry.extra_plain = plain_text(entry.extra)
    return entry


def build(model, objects) -> list[SearchEntry]:
    builder, _load = BUILDERS[model]
    with translation.override("fr"):
        return [_row(builder(obj)) for obj in objects]


FIELDS = [f.name for f in SearchEntry._meta.concrete_fields if f.name not in ("id", "kind", "object_id", "vector",
                                                                               "extra_vector")]


def _vector_expressions(language: str):
    config = CONFIGS[language]
    return {"vector": SearchVector("title", weight="A", config=config) + SearchVector("body", weight="B", config=config)
            + SearchVector("context", weight="D", config=config),
            "extra_vector": SearchVector("extra", config=config)}


def _compute_vectors(queryset) -> None:
    """PostgreSQL: the weighted vectors of the rows, each in its language's configuration (one UPDATE each)."""
    if connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        queryset.filter(language=language).update(**_vector_expressions(language))


def store(entries: list[SearchEntry]) -> None:
    """Insert or update the entries (unique on kind and object), then their vectors."""
    if not entries:
        return
    SearchEntry.objects.bulk_create(entries, update_conflicts=True, unique_fields=["kind", "object_id"],
                                    update_fields=FIELDS, batch_size=BATCH)
    if connection.vendor != "postgresql":
        return
    for kind, language in {(e.kind, e.language) for e in entries}:
        ids = [e.object_id for e in entries if e.kind == kind and e.language == language]
        SearchEntry.objects.filter(kind=kind, object_id__in=ids).update(**_vector_expressions(language))


def index_objects(model, pks) -> None:
    builder, load = BUILDERS[model]
    store(build(model, load(model.objects.filter(pk__in=list(pks)))))


def remove(model, pk) -> None:
    SearchEntry.objects.filter(kind=KIND_OF[model], object_id=pk).delete()


def reindex_all(*, stdout=None) -> dict[str, int]:
    """Rebuild the whole index (idempotent): every indexed model, in batches; rows of records gone are removed."""
    counts = {}
    for model, (_builder, load) in BUILDERS.items():
        kind = KIND_OF[model]
        seen = []
        queryset = load(model.objects.order_by("pk"))
        batch = []
        for obj in queryset.iterator(chunk_size=BATCH) if model is not Partner else queryset:
            batch.append(obj)
            if len(batch) >= BATCH:
                store(build(model, batch))
                seen.extend(o.pk for o in batch)
                batch = []
        store(build(model, batch))
        seen.extend(o.pk for o in batch)
        SearchEntry.objects.filter(kind=kind).exclude(object_id__in=seen).delete()
        counts[kind] = len(seen)
        if stdout is not None:
            stdout.write(f"{kind}: {len(seen)}")
    return counts


# Receivers --------------------------------------------------------------------------------------------

def _saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: related rows may not be there yet; reindex_search rebuilds after a load
        return
    if sender is Meeting:
        previous = SearchEntry.objects.filter(kind=Kind.MEETING, object_id=instance.pk).values_list(
            "title", "date").first()
        index_objects(Meeting, [instance.pk])
        if previous is not None and previous != (instance.heading, _local_date(instance.start)):
            # What places its records changed (title, day): their context and date follow.
            for child in MEETING_CHILDREN:
                index_objects(child, child.objects.filter(meeting_id=instance.pk).values_list("pk", flat=True))
        return
    index_objects(sender, [instance.pk])
    if sender is Decision:
        index_objects(ActionItem, ActionItem.objects.filter(decision_id=instance.pk).values_list("pk", flat=True))
    elif sender is Partner:
        index_objects(Person, Person.objects.filter(institution__partner_id=instance.pk).values_list("pk", flat=True))


def _institution_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _bulk_written(sender, Institution, [instance.pk])


def _bulk_written(sender, model, pks, **kwargs):
    """Rows the importer wrote in bulk (no post_save): their entries, and those that show them (a constant number
    of queries whatever the number of rows)."""
    if model in BUILDERS:
        index_objects(model, pks)
    if model is Partner:
        index_objects(Person, Person.objects.filter(institution__partner_id__in=pks).values_list("pk", flat=True))
    elif model is Institution:
        index_objects(Partner, Partner.objects.filter(institutions__in=pks).values_list("pk", flat=True))
        index_objects(Person, Person.objects.filter(institution_id__in=pks).values_list("pk", flat=True))


def _deleted(sender, instance, **kwargs):
    remove(sender, instance.pk)


def index_if_empty(sender=None, using="default", **kwargs) -> None:
    """After `migrate`: an empty index over a database that holds records (a new install, whose bodies a data
    migration wrote, or an upgrade from a release without search) is built at once, so nothing waits for a
    `reindex_search` someone might forget. A non-empty index is left to the receivers."""
    connection = connections[using]
    if SearchEntry._meta.db_table not in connection.introspection.table_names():
        return  # migrated back below search's first migration
    if SearchEntry.objects.using(using).exists():
        return
    reindex_all()


def connect() -> None:
    records_written.connect(_bulk_written, dispatch_uid="search-bulk-written")
    post_save.connect(_institution_saved, sender=Institution, dispatch_uid="search-save-institution")
    for model in BUILDERS:
        post_save.connect(_saved, sender=model, dispatch_uid=f"search-save-{model._meta.label}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"search-delete-{model._meta.label}")
