"""Pages of a list that grows with history: Django's Paginator (counts in the database), the filters kept.

Every list page that can grow shows `PAGE_SIZE` rows at a time; its "previous" and "next" links carry the
query string of the filters (`query_without_page`), so paging never loses them. A page number out of range
shows the last page, a malformed one the first: a bookmarked link never ends in an error.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def query_without_page(query) -> str:
    """The request's query string without its page number, for links that keep the filters."""
    kept = query.copy()
    kept.pop("page", None)
    return kept.urlencode()


def paginate(request, queryset, *, per_page: int = PAGE_SIZE, count: int | None = None) -> Page:
    """The requested page of `queryset` (counted with one COUNT query, unless the caller already knows `count`),
    with `filters` set on it for the links."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.__dict__["count"] = count  # Paginator.count is a cached property: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    page.filters = query_without_page(request.GET)
    return page
