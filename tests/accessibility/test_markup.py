"""Markup that axe cannot judge alone: errors tied to their fields and announced, skip link, lang, captions."""

import re
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse


def test_a_field_error_is_tied_to_its_field_and_announced(client, db):
    response = client.post(reverse("membership:password_reset"), {"email": "not-an-address"},
                           HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    field = re.search(r"<input[^>]*name=\"email\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    errors = [i for i in described if i.endswith("_error")]
    assert errors, field
    error = re.search(rf'<[^>]*id="{errors[0]}"[^>]*>', html).group(0)
    assert 'role="alert"' in error


def test_every_page_has_a_skip_link_and_its_language(client, db):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html
    assert re.search(r'<a class="skip" href="#content">', html)
    assert '<main id="content">' in html
    # The language buttons name each language in that language.
    assert re.search(r'<button[^>]*value="en"[^>]*lang="en"', html)


# -- tables: a caption and scoped headers on every data table of every page ----------------------------------------


class _Tables(HTMLParser):
    """Each <table> of a page: whether its first child is a non-empty <caption>, and its <th> without a scope."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self.open: list[dict] = []
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            table = {"id": attrs.get("id") or attrs.get("class") or "", "first": None, "caption": "", "headers": 0,
                     "unscoped": []}
            self.tables.append(table)
            self.open.append(table)
            return
        if not self.open:
            return
        table = self.open[-1]
        if table["first"] is None:
            table["first"] = tag
        if tag == "caption":
            self.in_caption = True
        elif tag == "th":
            table["headers"] += 1
            if attrs.get("scope") not in ("col", "row", "colgroup", "rowgroup"):
                table["unscoped"].append(self.getpos()[0])

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag == "table" and self.open:
            self.open.pop()

    def handle_data(self, data):
        if self.in_caption and self.open:
            self.open[-1]["caption"] += data.strip()


def table_problems(html: str) -> list[str]:
    parser = _Tables()
    parser.feed(html)
    found = []
    for table in parser.tables:
        name = f"<table {table['id']!r}>"
        if table["first"] != "caption" or not table["caption"]:
            found.append(f"{name} has no caption (its first child is <{table['first']}>)")
        if not table["headers"]:
            found.append(f"{name} has no <th> header")
        if table["unscoped"]:
            found.append(f"{name} has <th> without scope (lines {table['unscoped'][:3]})")
    return found


def test_the_table_check_is_not_vacuous():
    assert table_problems("<table><tr><th>Nom</th></tr></table>") == [
        "<table ''> has no caption (its first child is <tr>)", "<table ''> has <th> without scope (lines [1])"]
    assert table_problems("<table><caption> </caption><tr><td>1</td></tr></table>")
    assert table_problems('<table><caption>Partenaires</caption><thead><tr><th scope="col">Nom</th></tr></thead>'
                          '<tbody><tr><th scope="row">Canada</th></tr></tbody></table>') == []


def test_every_table_of_every_page_has_a_caption_and_scoped_headers(db, settings):
    """Every page of the access matrix as every role that may open it (the portal's pages; the admin's own lists
    are Django's), and the admin's history pages, which are the portal's templates."""
    from django.contrib import admin
    from simple_history.admin import SimpleHistoryAdmin

    from tests.french.world import build_french_world
    from tests.security.access_matrix import MATRIX
    from tests.security.world import ROLES, login_as

    settings.LANGUAGE_CODE = "fr"
    settings.REQUIRE_2FA_FOR_STAFF = False
    world = build_french_world()
    found, tables = [], 0
    urls = []
    for name in sorted(MATRIX):
        if name.startswith("admin:"):
            continue
        for variant, case in MATRIX[name].items():
            if case.method == "GET":
                urls += [(f"{name}[{variant}]", reverse(name, kwargs=case.kwargs(world)), role) for role in ROLES
                         if case.expect[role] == 200]
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, SimpleHistoryAdmin) and (obj := model._default_manager.first()) is not None:
            opts = model._meta
            urls.append((f"{opts.label} history", reverse(f"admin:{opts.app_label}_{opts.model_name}_history",
                                                          args=[obj.pk]), "admin"))
    for label, url, role in urls:
        client = Client(HTTP_ACCEPT_LANGUAGE="fr")
        login_as(client, world, role)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        tables += html.count("<table")
        found += [f"{label} as {role} ({url}): {problem}" for problem in table_problems(html)]
    assert tables > 40
    unique = list(dict.fromkeys(found))
    assert unique == [], f"{len(unique)} problems:\n" + "\n".join(unique)


# -- lang on what is written in the other language ----------------------------------------------------------------


def test_the_language_buttons_name_each_language_in_that_language(client, db):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = re.search(r'<button[^>]*value="en"[^>]*>', html).group(0)
    french = re.search(r'<button[^>]*value="fr"[^>]*>', html).group(0)
    assert 'lang="en"' in english and 'aria-label="English"' in english and 'title="English"' in english
    assert 'lang="fr"' in french and 'aria-label="Français"' in french


def test_an_email_says_its_language_and_a_reply_is_marked_with_the_language_it_answers(db, settings):
    """The HTML part of an invitation says the language it is written in; on the SEG's mailbox page, what a person
    wrote back is marked with the language of the invitation it answers (the page itself may be in the other one),
    and the line before it elides: "Réponse écrite d'Ingrid Coulibaly"."""
    from secretariat import emails
    from secretariat.inbound.models import InboundMessage
    from secretariat.models import Invitation
    from tests.french.world import build_french_world
    from tests.security.world import login_as

    settings.LANGUAGE_CODE = "fr"
    world = build_french_world()
    invitation = Invitation.objects.select_related("meeting__instance").get(pk=world.invitations["rep_gec"].pk)
    for language in ("en", "fr"):
        invitation.language = language
        [html] = [c for c, mimetype in emails.invitation_message(invitation).alternatives if mimetype == "text/html"]
        assert f'<html lang="{language}">' in html
    Invitation.objects.filter(pk=invitation.pk).update(language="en")
    InboundMessage.objects.create(
        key="reply-ingrid", sender="ingrid.coulibaly@cooperation.example", subject="RE: Invitation",
        kind=InboundMessage.Kind.FREE_TEXT, outcome=InboundMessage.Outcome.HELD, detail_code="free_text",
        detail_params={"name": "Ingrid Coulibaly"}, excerpt="I will attend with a colleague.",
        invitation=invitation, meeting=invitation.meeting, needs_attention=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    login_as(client, world, "secretariat")
    html = client.get(reverse("secretariat:mailbox")).content.decode()
    assert "Réponse écrite d’Ingrid Coulibaly" in html or "Réponse écrite d&#x27;Ingrid Coulibaly" in html, html
    assert re.search(r'<blockquote[^>]*lang="en"[^>]*>I will attend with a colleague\.', html)
