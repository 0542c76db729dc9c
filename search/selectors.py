"""The search: the index's rows a reader may find for a query and filters, ranked, highlighted, counted by kind.

PostgreSQL: `websearch_to_tsquery` in the French (and, for English texts, English) configuration with unaccent,
on the stored GIN-indexed vectors; ranked by `ts_rank`, highlighted by `ts_headline`. SQLite (development): a
containment of the accent-folded words in the folded text, newest first, highlighted in Python.
Which rows a reader may find is `membership.access.search_entry_scope`, the pages' own policy.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Count, F, Q, TextField, Value, When
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from meetings.models import Meeting
from membership.access import search_audiences, search_entry_scope
from search.indexing import CONFIGS
from search.models import SearchEntry
from search.text import MARK_START, MARK_STOP, clean_query, parse_terms

HEADLINE_CHARS = 20_000  # a long document's headline is taken from its beginning
HEADLINE_OPTIONS = {"start_sel": MARK_START, "stop_sel": MARK_STOP, "max_words": 30, "min_words": 12,
                    "max_fragments": 2, "fragment_delimiter": " … "}

ACTION_STATES = ("open", "late", "done")


@dataclass(frozen=True)
class Filters:
    body: int | None = None
    year: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    kind: str | None = None
    state: str | None = None


@dataclass
class Results:
    query: str
    ids: object  # the ordered ids of the matching rows, a queryset not yet read (paginated by the view)
    facets: dict[str, int] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)  # SQLite: the words to highlight
    postgres: bool = False
    searched: bool = False
    kind: str | None = None
    annotations: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.facets.values())

    @property
    def count(self) -> int:
        """How many rows `ids` holds: the facets say it, no COUNT query needed."""
        return self.facets.get(self.kind, 0) if self.kind else self.total

    def entries(self, ids) -> list[SearchEntry]:
        """The rows of a page, in the page's order, with what they show (meeting, body, and on PostgreSQL the
        headlines): one query, whatever the page holds. Ranking reads only ids; the text is read for 20 rows."""
        ids = list(ids)
        if not ids:
            return []
        rows = (SearchEntry.objects.filter(pk__in=ids).select_related("meeting__instance", "instance")
                .defer("plain", "extra_plain", "vector", "extra_vector", "context").annotate(**self.annotations))
        by_id = {row.pk: row for row in rows}
        return [by_id[pk] for pk in ids if pk in by_id]

    @property
    def rows(self) -> list[SearchEntry]:
        """Every matching row, in order (tests and small lists)."""
        return self.entries(self.ids)


def _use_postgres() -> bool:
    return connection.vendor == "postgresql"


def _filters(filters: Filters) -> Q:
    condition = Q()
    if filters.body is not None:
        condition &= Q(instance_id=filters.body)
    if filters.year is not None:
        condition &= Q(date__year=filters.year)
    if filters.date_from is not None:
        condition &= Q(date__gte=filters.date_from)
    if filters.date_to is not None:
        condition &= Q(date__lte=filters.date_to)
    if filters.state in ACTION_STATES:
        today = timezone.localdate()
        condition &= Q(kind=SearchEntry.Kind.ACTION)
        if filters.state == "late":
            condition &= Q(state="open", due_date__lt=today)
        else:
            condition &= Q(state=filters.state)
    return condition


def _postgres_match(query: str, extra_audiences: set[str]):
    queries = {language: SearchQuery(query, config=config, search_type="websearch")
               for language, config in CONFIGS.items()}
    match = Q()
    for language, search_query in queries.items():
        match |= Q(language=language, vector=search_query)
        if extra_audiences:
            match |= Q(language=language, extra_audience__in=extra_audiences, extra_vector=search_query)
    by_language = lambda build: Case(  # noqa: E731
        *[When(language=language, then=build(language, queries[language])) for language in CONFIGS if language != "fr"],
        default=build("fr", queries["fr"]),
    )
    rank = by_language(lambda language, q: SearchRank(F("vector"), q))
    text = Substr(F("body"), 1, HEADLINE_CHARS)
    if extra_audiences:
        text = Case(When(extra_audience__in=extra_audiences,
                         then=Substr(Concat(F("body"), Value(" "), F("extra"), output_field=TextField()), 1,
                                     HEADLINE_CHARS)),
                    default=text, output_field=TextField())
    headline = by_language(lambda language, q: SearchHeadline(text, q, config=CONFIGS[language], **HEADLINE_OPTIONS))
    title_headline = by_language(lambda language, q: SearchHeadline(
        "title", q, config=CONFIGS[language], start_sel=MARK_START, stop_sel=MARK_STOP, highlight_all=True))
    return match, {"rank": rank, "headline": headline, "title_headline": title_headline}


def _sqlite_match(query: str, extra_audiences: set[str]):
    include, exclude, words = parse_terms(query)
    if not include:
        return None, words
    match = Q()
    for term in include:
        found = Q(plain__contains=term)
        if extra_audiences:
            found |= Q(extra_audience__in=extra_audiences, extra_plain__contains=term)
        match &= found
    for term in exclude:
        match &= ~Q(plain__contains=term)
        if extra_audiences:
            match &= ~Q(extra_audience__in=extra_audiences, extra_plain__contains=term)
    return match, words


def search(user, raw_query: str, filters: Filters | None = None) -> Results:
    """What `user` may find for `raw_query` under `filters`: rows (ordered, not read) and counts by kind
    (one aggregate query over exactly the rows shown when no kind is chosen)."""
    filters = filters or Filters()
    query = clean_query(raw_query)
    postgres = _use_postgres()
    results = Results(query=query, ids=SearchEntry.objects.none(), postgres=postgres)
    if not query or not user.is_authenticated:
        return results
    extra_audiences = {a for a in search_audiences(user) if a != "directory"} if user.is_authenticated else set()
    base = SearchEntry.objects.filter(search_entry_scope(user, meetings=Meeting.objects))
    annotations = {}
    if not parse_terms(query)[0]:  # nothing to find: only exclusions, or no word at all
        return results
    if postgres:
        match, annotations = _postgres_match(query, extra_audiences)
    else:
        match, results.words = _sqlite_match(query, extra_audiences)
        if match is None:
            return results
    base = base.filter(match).filter(_filters(filters))
    results.searched = True
    results.facets = dict(base.order_by().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    results.kind = filters.kind
    rows = base.filter(kind=filters.kind) if filters.kind else base
    if postgres:
        rank = annotations.pop("rank")
        rows = rows.annotate(rank=rank).order_by("-rank", F("date").desc(nulls_last=True), "pk")
        results.annotations = annotations  # the headlines, computed for the page's rows only
    else:
        rows = rows.order_by(F("date").desc(nulls_last=True), "-pk")
    results.ids = rows.values_list("pk", flat=True)
    return results
