"""CSP without inline script, and the production headers and cookies."""

import json
import re
from pathlib import Path

from django.urls import reverse

from tests.test_foundation import run_manage

ROOT = Path(__file__).resolve().parents[2]


def template_files():
    roots = [ROOT / "templates", *ROOT.glob("*/templates")]
    return sorted(p for root in roots if ".venv" not in root.parts for p in root.rglob("*.html"))


def test_pages_carry_a_content_security_policy_without_inline_script(client, secretariat_user):
    for response in (client.get(reverse("login")), client.get(reverse("healthz"))):
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
    client.force_login(secretariat_user)
    assert "script-src 'self'" in client.get(reverse("audit"))["Content-Security-Policy"]


def test_pages_forbid_framing_sniffing_and_leaking_referrers(client, db):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_templates_have_no_inline_script_style_or_event_handler():
    files = template_files()
    assert len(files) > 5
    inline_script = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<script\b[^>]*>\s*\S[^<]*</script>", re.I)
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT)
        if inline_script.search(text):
            offenders.append(f"{rel}: inline <script>")
        if re.search(r"\sstyle\s*=", text, re.I):
            offenders.append(f"{rel}: style= attribute")
        if re.search(r"<style\b", text, re.I):
            offenders.append(f"{rel}: <style> element")
        if handler.search(text):
            offenders.append(f"{rel}: inline event handler")
        if re.search(r"javascript:", text, re.I):
            offenders.append(f"{rel}: javascript: URL")
    assert offenders == []


def test_template_scan_catches_an_inline_script(tmp_path):
    """The scanner above is not vacuous: these are the shapes it must refuse."""
    pattern = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>|<script\b[^>]*>\s*\S[^<]*</script>", re.I)
    assert pattern.search("<script>alert(1)</script>")
    assert pattern.search('<script type="module">x()</script>')
    assert pattern.search('<script src="/static/a.js">alert(1)</script>')
    assert not pattern.search('<script src="/static/a.js" defer></script>')


PROBE = """
import json
from django.conf import settings
from django.test import Client
r = Client().get('/healthz', secure=True, headers={'host': 'portal.example.org'})
plain = Client().get('/healthz', headers={'host': 'portal.example.org'})
print(json.dumps({
    'hsts': r.headers.get('Strict-Transport-Security', ''), 'redirect': plain.status_code,
    'location': plain.headers.get('Location', ''),
    'session_secure': settings.SESSION_COOKIE_SECURE, 'csrf_secure': settings.CSRF_COOKIE_SECURE,
    'session_httponly': settings.SESSION_COOKIE_HTTPONLY, 'require_2fa': settings.REQUIRE_2FA_FOR_STAFF,
    'xfo': r.headers.get('X-Frame-Options'), 'csp': r.headers.get('Content-Security-Policy', ''),
}))
"""


def test_production_settings_turn_on_hsts_https_and_secure_cookies(tmp_path):
    result = run_manage(
        "shell", "-c", PROBE,
        DEBUG="0", SECRET_KEY="k" * 20 + "a-much-longer-and-random-secret-key-value-0123456789",
        ALLOWED_HOSTS="portal.example.org", VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["hsts"].startswith("max-age=31536000") and "includeSubDomains" in found["hsts"]
    assert found["redirect"] == 301 and found["location"].startswith("https://")
    assert found["session_secure"] and found["csrf_secure"] and found["session_httponly"]
    assert found["require_2fa"] is True
    assert found["xfo"] == "DENY"
    assert "script-src 'self'" in found["csp"]
