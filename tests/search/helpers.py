"""Reading the search page as a person does: the results shown (kind, id), the counts by kind, the HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse

from tests.security.world import login_as

HIT = re.compile(r'<li data-kind="(\w+)" data-id="(\d+)"><span class="badge">')
FACET = re.compile(r'<li data-kind="(\w+)" data-count="(\d+)">')
COUNT = re.compile(r'<p id="result-count">(\d+)')


@dataclass
class Page:
    status: int
    html: str
    hits: set[tuple[str, int]]
    facets: dict[str, int]
    count: int


def read(html: str, status: int = 200) -> Page:
    hits = {(kind, int(pk)) for kind, pk in HIT.findall(html)}
    facets = {kind: int(n) for kind, n in FACET.findall(html)}
    count = COUNT.search(html)
    return Page(status, html, hits, facets, int(count.group(1)) if count else 0)


def search_as(world, role: str, q: str, **filters) -> Page:
    client = Client()
    login_as(client, world, role)
    response = client.get(reverse("search:search"), {"q": q, **filters})
    return read(response.content.decode(), response.status_code)
