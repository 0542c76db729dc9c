"""Sessions, caching and error pages: the session key changes at the second factor, nothing signed-in is cached,
a refusal is one log line, the CSRF page is the portal's own, the 500 page promises only what is configured, and
request bodies are capped."""

import logging

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import path, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from instances.models import Instance
from meetings.services import document_attach
from ptf_portal.urls import urlpatterns as portal_urlpatterns
from tests.factories import UserFactory
from tests.security.conftest import current_code
from tests.security.world import PDF, _meeting


@login_not_required
def _boom(request):
    raise RuntimeError("something broke")


urlpatterns = [*portal_urlpatterns, path("boom/", _boom, name="boom")]
handler500 = "ptf_portal.views.server_error"


# -- session key at the second factor ------------------------------------------------------------------

def test_session_key_is_cycled_when_the_second_factor_is_verified(client, secretariat_user, staff_2fa):
    device = TOTPDevice.objects.create(user=secretariat_user, name="phone", confirmed=True)
    client.post(reverse("login"), {"username": "seg", "password": "seg-password-123"})
    after_password = client.session.session_key
    response = client.post(reverse("two_factor_verify"), {"otp_token": current_code(device)})
    assert response.status_code == 302
    assert client.session.session_key != after_password
    stale = Client()
    stale.cookies[django_settings.SESSION_COOKIE_NAME] = after_password
    assert stale.get(reverse("audit")).status_code == 302  # the old id opens nothing


# -- Cache-Control ---------------------------------------------------------------------------------------

def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_cache_control_no_store_on_authenticated_pages_downloads_and_totp_enrolment(client, secretariat_user, settings):
    settings.REQUIRE_2FA_FOR_STAFF = True
    client.force_login(secretariat_user)
    enrolment = client.get(reverse("two_factor_setup"))  # the QR code is the TOTP secret
    assert enrolment.status_code == 200 and _no_store(enrolment)
    settings.REQUIRE_2FA_FOR_STAFF = False
    for name in ("home", "meetings:list", "membership:partners", "audit"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and _no_store(response), name

    meeting = _meeting(Instance.objects.get(code="GEC"), 10, "Cache check")
    document = document_attach(meeting=meeting, uploaded_file=SimpleUploadedFile("a.pdf", PDF), title="Paper")
    download = client.get(reverse("meetings:document", kwargs={"pk": document.pk}))
    assert download.status_code == 200 and _no_store(download)
    csv = client.get(reverse("secretariat:distribution_csv", kwargs={"meeting_id": meeting.pk}))
    assert csv.status_code == 200 and _no_store(csv)


# -- a refusal is one log line ------------------------------------------------------------------------------

def test_403_is_logged_as_one_line_with_user_path_and_reason_without_traceback(client, db, caplog):
    client.force_login(UserFactory(username="ousmane.e"))
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("meetings:referral_new")).status_code == 403
    denials = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(denials) == 1, [r.getMessage() for r in denials]
    [record] = denials
    message = record.getMessage()
    assert record.name == "ptf.security" and record.exc_info is None and "\n" not in message
    assert "user=ousmane.e" in message and "path=/meetings/referrals/new/" in message and "reason=" in message


# -- CSRF failure page --------------------------------------------------------------------------------------

def test_csrf_failure_page_is_the_portals_own_in_french_and_works_under_the_csp(db, caplog):
    strict = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING):
        response = strict.post(reverse("login"), {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="fr">' in html and "Ce formulaire a expiré" in html
    assert "<style" not in html and " style=" not in html  # the CSP forbids inline styles
    assert "/static/css/portal.css" in html  # the portal's own layout
    assert "style-src 'self'" in response["Content-Security-Policy"]
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "reason=CSRF" in line


# -- the 500 page -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("admins,claims", [([], False), ([("SEG", "seg@ptf-mali.example.org")], True)])
def test_500_page_claims_notification_only_with_an_error_channel(db, admins, claims, mailoutbox):
    with override_settings(ROOT_URLCONF=__name__, ADMINS=admins, DEBUG=False):
        response = Client(raise_request_exception=False).get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert ("a été informé" in html) is claims
    assert ("has been notified" in html) is claims
    assert (len(mailoutbox) == 1) is claims  # and when it says so, the report did go out


# -- request bodies ------------------------------------------------------------------------------------------

def test_request_body_caps_are_set_deliberately_and_enforced(client, secretariat_user, settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2 * 1024 * 1024
    client.force_login(secretariat_user)
    raw = Client(raise_request_exception=False)
    raw.force_login(secretariat_user)
    response = raw.post(reverse("meetings:referral_new"), {"question": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    assert response.status_code == 400
