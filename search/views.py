"""The search page: `/search/?q=…` with its filters, a page of results and the counts by kind."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.paging import paginate
from membership.access import search_audiences
from search.forms import SearchForm
from search.models import SearchEntry
from search.selectors import search
from search.text import headline_html, highlight

PER_PAGE = 20


def _decorate(page, results, extra_audiences):
    """What each row shows: its kind, its excerpt with the matches marked (escaped), its meeting and body."""
    labels = dict(SearchEntry.Kind.choices)
    for entry in page:
        entry.kind_label = labels.get(entry.kind, entry.kind)
        if results.postgres:
            entry.title_html = headline_html(entry.title_headline)
            entry.excerpt_html = headline_html(entry.headline) if (entry.body or entry.extra) else ""
        else:
            entry.title_html = highlight(entry.title, results.words, length=300)
            text = entry.body
            if entry.extra and entry.extra_audience in extra_audiences:
                text = f"{text} {entry.extra}"
            entry.excerpt_html = highlight(text, results.words) if text else ""


def _with_kind(query, kind: str) -> str:
    """The query string of the same search narrowed to one kind (or all kinds), from the first page."""
    kept = query.copy()
    kept.pop("page", None)
    kept["kind"] = kind
    return kept.urlencode()


@login_required
@require_GET
def search_page(request):
    form = SearchForm(request.GET or None)
    query = form.query() if request.GET else ""
    results = search(request.user, query, form.filters() if request.GET else None)
    page = paginate(request, results.ids, per_page=PER_PAGE, count=results.count) if results.searched else None
    if page is not None:
        page.object_list = results.entries(page.object_list)
        _decorate(page, results, search_audiences(request.user) - {"directory"})
    labels = dict(SearchEntry.Kind.choices)
    facets = [(kind, labels[kind], results.facets[kind], _with_kind(request.GET, kind))
              for kind in labels if results.facets.get(kind)]
    return render(request, "search/results.html", {
        "form": form, "query": results.query, "results": results, "page": page, "facets": facets,
        "malformed": bool(request.GET.get("q", "").strip()) and not results.searched,
        "kind": (form.cleaned_data.get("kind") or "") if form.is_bound else "", "all_kinds": _with_kind(request.GET, ""),
        "search_query": results.query, "today": timezone.localdate(), "bad_filters": form.is_bound and bool(form.errors),
    })
