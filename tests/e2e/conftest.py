"""Playwright (sync API) against pytest-django's live_server, with the system Chromium only."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _require_chromium():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (make browser)"
        if os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def browser(monkeypatch):
    """One Chromium per test: Playwright's event loop must be gone before the test database is flushed."""
    _require_chromium()
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still sync.
    # Set per test (not for the session) so subprocesses of other tests never inherit it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_settings(settings, live_server):
    settings.REQUIRE_2FA_FOR_STAFF = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = live_server.url
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "fr"
    return settings


@pytest.fixture
def e2e_cast(e2e_settings, transactional_db):
    """The cast of tests/portal, after restoring GEC and GA (a transactional test's flush removes them)."""
    from django.contrib.auth.models import Group, User

    from instances.models import Instance
    from membership.roles import SECRETARIAT_GROUP
    from tests.portal.factories import make_cast

    Instance.objects.get_or_create(code="GEC", defaults={"kind": "GEC", "name_fr": "Groupe Exécutif de Coopération",
                                                         "name_en": "Executive Cooperation Group"})
    Instance.objects.get_or_create(code="GA", defaults={"kind": "GA", "name_fr": "Groupe des Ambassadeurs",
                                                        "name_en": "Ambassadors' Group", "periodicity": "semiannual"})
    cast = make_cast()
    seg = User.objects.create_user("seg", "seg@example.org", "portal-password-123", first_name="Awa",
                                   last_name="Traoré")
    seg.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    cast.seg = seg
    return cast


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base = live_server.url
    yield page
    context.close()


def shot(page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def login(page, username: str, password: str = "portal-password-123") -> None:  # noqa: S107
    page.goto(page.base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"login failed for {username}"


def logout(page) -> None:
    page.click("form.logout button[type=submit]")
    page.wait_for_load_state()
