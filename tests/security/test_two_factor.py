"""TOTP is required for secretariat staff and admins, optional for everyone else."""

import logging
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ptf_portal.two_factor import ensure_demo_device
from tests.factories import UserFactory
from tests.security.conftest import current_code, gated

PASSWORD = "seg-password-123"


def password_login(client, username="seg", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def seg_device(secretariat_user):
    return TOTPDevice.objects.create(user=secretariat_user, name="phone", confirmed=True)


# Pages a half-logged-in user must not reach; the access matrix test walks every URL the same way.
GUARDED = ["home", "audit", "admin:index"]


def test_secretariat_with_device_cannot_reach_any_page_with_the_password_alone(client, seg_device, staff_2fa):
    response = password_login(client)
    assert response.status_code == 302
    for name in GUARDED:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("two_factor_verify")), name


def test_secretariat_with_device_gets_in_with_the_right_code(client, seg_device, staff_2fa):
    password_login(client)
    response = client.post(reverse("two_factor_verify"), {"otp_token": current_code(seg_device), "next": "/audit/"})
    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    assert not gated(client.get(reverse("audit")))
    assert client.get(reverse("audit")).status_code == 200


def test_wrong_code_is_refused_and_logged(client, seg_device, staff_2fa, caplog):
    password_login(client)
    right = current_code(seg_device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with caplog.at_level(logging.WARNING, logger="ptf.security"):
        response = client.post(reverse("two_factor_verify"), {"otp_token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"]
    assert gated(client.get(reverse("home")))
    assert any("2fa failed user=seg" in r.getMessage() for r in caplog.records)


def test_wrong_code_log_names_the_real_client_behind_the_proxy(client, seg_device, staff_2fa, caplog, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    password_login(client)
    right = current_code(seg_device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    with caplog.at_level(logging.WARNING, logger="ptf.security"):
        client.post(reverse("two_factor_verify"), {"otp_token": wrong}, REMOTE_ADDR="10.0.0.1",
                    HTTP_X_FORWARDED_FOR="198.51.100.44")
    assert any(r.getMessage() == "2fa failed user=seg ip=198.51.100.44" for r in caplog.records)


@pytest.mark.parametrize("token", ["", "abcdef", "12345", "1234567", "<script>", "٣٣٣٣٣٣"])
def test_malformed_codes_are_refused_with_a_message(client, seg_device, staff_2fa, token):
    password_login(client)
    response = client.post(reverse("two_factor_verify"), {"otp_token": token})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert gated(client.get(reverse("home")))


def test_repeated_wrong_codes_are_throttled(client, seg_device, staff_2fa, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    password_login(client)
    client.post(reverse("two_factor_verify"), {"otp_token": "000000"})
    # Even the right code is refused while the device is throttled.
    response = client.post(reverse("two_factor_verify"), {"otp_token": current_code(seg_device)})
    assert response.status_code == 200
    assert "Too many" in str(response.context["form"].errors) or "Trop" in str(response.context["form"].errors)
    assert gated(client.get(reverse("home")))


def test_a_code_cannot_be_replayed(client, seg_device, staff_2fa):
    password_login(client)
    code = current_code(seg_device)
    client.post(reverse("two_factor_verify"), {"otp_token": code})
    other = type(client)()
    password_login(other)
    other.post(reverse("two_factor_verify"), {"otp_token": code})
    assert gated(other.get(reverse("home")))


def test_staff_without_device_is_sent_to_enrolment_and_nowhere_else(client, secretariat_user, staff_2fa):
    password_login(client)
    for name in GUARDED:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two_factor_setup")), name
    page = client.get(reverse("two_factor_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=secretariat_user, confirmed=False)
    secret = page.context["secret"].replace(" ", "")
    assert secret and secret in html.replace(" ", "")
    assert f"secret={secret}" in device.config_url


def test_enrolment_is_confirmed_by_a_code_and_opens_the_portal(client, secretariat_user, staff_2fa):
    password_login(client)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=secretariat_user, confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"otp_token": "000000" if current_code(device) != "000000" else "111111"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=secretariat_user, confirmed=True).exists()
    response = client.post(reverse("two_factor_setup"), {"otp_token": current_code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=secretariat_user, confirmed=True).count() == 1
    assert not gated(client.get(reverse("audit")))


def test_a_stolen_password_cannot_enrol_a_second_device(client, seg_device, staff_2fa):
    password_login(client)
    response = client.get(reverse("two_factor_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_setup"), {"otp_token": "123456"})
    assert TOTPDevice.objects.filter(user=seg_device.user).count() == 1


def test_superuser_needs_the_second_factor_too(client, staff_2fa, db):
    from django.contrib.auth.models import User

    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    password_login(client, "root")
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor_setup"))


def test_second_factor_is_optional_for_a_representative(client, staff_2fa, db):
    UserFactory(username="rep")
    password_login(client, "rep", "portal-password-123")
    assert not gated(client.get(reverse("audit")))
    assert client.get(reverse("two_factor_setup")).status_code == 200  # may enrol if they wish


def test_a_representative_who_enrolled_must_give_the_code(client, staff_2fa, db):
    user = UserFactory(username="rep")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password_login(client, "rep", "portal-password-123")
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_verify"))
    client.post(reverse("two_factor_verify"), {"otp_token": current_code(device)})
    assert not gated(client.get(reverse("audit")))


def test_only_optional_users_can_switch_the_second_factor_off(client, seg_device, staff_2fa, db):
    password_login(client)
    client.post(reverse("two_factor_verify"), {"otp_token": current_code(seg_device)})
    assert client.post(reverse("two_factor_disable")).status_code == 403
    assert TOTPDevice.objects.filter(user=seg_device.user).exists()

    rep = UserFactory(username="rep")
    device = TOTPDevice.objects.create(user=rep, name="phone", confirmed=True)
    other = type(client)()
    password_login(other, "rep", "portal-password-123")
    other.post(reverse("two_factor_verify"), {"otp_token": current_code(device)})
    assert other.post(reverse("two_factor_disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=rep).exists()


def test_next_cannot_send_the_user_to_another_site(client, seg_device, staff_2fa):
    password_login(client)
    response = client.post(
        reverse("two_factor_verify"), {"otp_token": current_code(seg_device), "next": "https://evil.example.org/"}
    )
    assert response["Location"] == reverse("home")


def test_enforcement_can_be_switched_off_for_staff_without_device(client, secretariat_user, settings):
    settings.REQUIRE_2FA_FOR_STAFF = False
    password_login(client)
    assert not gated(client.get(reverse("audit")))


def test_demo_device_is_idempotent_and_lets_the_demo_account_in(client, secretariat_user, staff_2fa):
    url = ensure_demo_device(secretariat_user)
    assert ensure_demo_device(secretariat_user) == url
    assert re.match(r"^otpauth://totp/PTF%20Mali%3Aseg\?secret=[A-Z2-7]+", url)
    device = TOTPDevice.objects.get(user=secretariat_user)
    assert device.confirmed
    password_login(client)
    client.post(reverse("two_factor_verify"), {"otp_token": current_code(device)})
    assert not gated(client.get(reverse("audit")))
