"""E-mail is not identity: a calendar reply changes an answer only when authenticated as its invitee's, a bounce
only when it names a message the portal sent; the rest is held for the secretariat, who may confirm it.

Real signatures: each test signs the client-shaped fixtures with an RSA key made here (dkimpy), and serves the
public key through dkimpy's injectable DNS function, as a domain's DNS would.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from membership.models import Person
from secretariat.inbound import authentication
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.services import inbound_confirm, inbound_process
from secretariat.message_ids import make_message_id, parse_message_id
from secretariat.models import Invitation
from tests.factories import UserFactory
from tests.secretariat.inbound.conftest import TRUSTED_SERVER, message, with_results
from tests.secretariat.inbound.dkim_keys import Domains

pytestmark = pytest.mark.django_db
INIGO = "inigo.alvarez@aecid.example"


@pytest.fixture(scope="module")
def domains():
    return Domains()


def stored(name: str, **values) -> bytes:
    """The fixture as it sits in the mailbox of a server that adds no Authentication-Results header."""
    return message(name, authenticated=False, **values)


def process(raw: bytes, domains: Domains):
    return inbound_process(raw=raw, dnsfunc=domains.dns)


def rsvp(world, email=INIGO) -> str:
    return world.invitation(email).rsvp


# --- recorded ------------------------------------------------------------------------------------------------


def test_reply_signed_by_the_invitees_domain_is_recorded(world, domains):
    processed = process(domains.sign(stored("gmail_accepted.eml"), "aecid.example"), domains)
    assert processed.outcome == "answer"
    assert processed.message.authentication == "dkim:aecid.example"
    assert (rsvp(world), world.invitation(INIGO).answer_channel) == ("attending", "calendar")
    assert "portal-test._domainkey.aecid.example." in domains.lookups


def test_reply_signed_by_a_parent_domain_is_aligned(world, domains):
    raw = stored("gmail_declined.eml")  # From abigail.underwood@usaid.example
    raw = raw.replace(b"@usaid.example", b"@mail.usaid.example")
    Invitation.objects.filter(email="abigail.underwood@usaid.example").update(
        email="abigail.underwood@mail.usaid.example")
    processed = process(domains.sign(raw, "usaid.example"), domains)
    assert processed.outcome == "answer" and processed.message.authentication == "dkim:usaid.example"


def test_reply_with_the_trusted_servers_dmarc_pass_is_recorded_without_any_dns(world, domains):
    before = len(domains.lookups)
    raw = with_results(stored("gmail_accepted.eml"), f"{TRUSTED_SERVER}; dmarc=pass header.from=aecid.example")
    processed = process(raw, domains)
    assert processed.outcome == "answer" and rsvp(world) == "attending"
    assert processed.message.authentication == f"authentication-results:{TRUSTED_SERVER}"
    assert len(domains.lookups) == before


def test_reply_with_the_trusted_servers_aligned_dkim_pass_is_recorded(world, domains):
    raw = with_results(stored("gmail_accepted.eml"),
                       f"{TRUSTED_SERVER}; dkim=pass (2048-bit key) header.d=aecid.example header.s=s1; dmarc=none")
    assert process(raw, domains).outcome == "answer"


# --- held, nothing changed -------------------------------------------------------------------------------------


def assert_held(processed, code: str, world, email=INIGO):
    assert processed.outcome == "held" and processed.message.detail_code == code
    assert processed.message.needs_attention and processed.message.is_held
    assert processed.message.invitation == world.invitation(email)
    assert processed.message.held_action["type"] == "answer"
    assert not Invitation.objects.exclude(rsvp="none").filter(meeting=world.meeting).exists()


def test_reply_with_a_broken_signature_is_held(world, domains):
    signed = domains.sign(stored("gmail_declined.eml"), "usaid.example")
    # The answer changed after signing (a forger reusing a real reply): the body hash no longer matches.
    forged = signed.replace(b"PARTSTAT=DECLINED", b"PARTSTAT=ACCEPTED")
    processed = process(forged, domains)
    assert_held(processed, "held_unauthenticated", world, "abigail.underwood@usaid.example")
    assert processed.message.detail_params["reason"] == "bad_signature"
    with translation.override("fr"):
        assert "ne se vérifie pas" in processed.message.detail


def test_reply_whose_from_is_not_the_attendee_is_held_even_when_signed(world, domains):
    """An invitee of another partner, with a perfectly valid signature of their own domain, answers for Íñigo."""
    # From stays Abigail (her domain signs); the ATTENDEE line of the calendar now names Íñigo.
    raw = stored("gmail_declined.eml").replace(b"TS=0:mailto:abigail.underwood@usaid.example",
                                               b"TS=0:mailto:" + INIGO.encode())
    processed = process(domains.sign(raw, "usaid.example"), domains)
    assert_held(processed, "held_sender_mismatch", world)
    assert processed.message.detail_params["sender"] == "abigail.underwood@usaid.example"


def test_reply_signed_by_another_domain_is_held(world, domains):
    processed = process(domains.sign(stored("gmail_accepted.eml"), "relay.example"), domains)
    assert_held(processed, "held_unauthenticated", world)
    assert processed.message.detail_params["reason"] == "signature_not_aligned"


def test_reply_with_results_from_an_untrusted_server_is_held(world, domains):
    raw = with_results(stored("gmail_accepted.eml"), "mx.attacker.example; dmarc=pass header.from=aecid.example")
    assert_held(process(raw, domains), "held_unauthenticated", world)


def test_reply_without_any_authentication_is_held(world, domains):
    processed = process(stored("gmail_accepted.eml"), domains)
    assert_held(processed, "held_unauthenticated", world)
    assert processed.message.detail_params["reason"] == "no_proof"


def test_only_the_topmost_header_of_the_trusted_server_counts(world, domains):
    """The sender wrote a `dmarc=pass` with the trusted id; the server's own header, above it, says fail."""
    raw = with_results(stored("gmail_accepted.eml"), f"{TRUSTED_SERVER}; dmarc=pass header.from=aecid.example")
    raw = with_results(raw, f"{TRUSTED_SERVER}; dkim=none; dmarc=fail (p=NONE) header.from=aecid.example")
    processed = process(raw, domains)
    assert_held(processed, "held_unauthenticated", world)
    assert processed.message.detail_params["reason"] == "results_fail"


def test_results_for_another_from_domain_do_not_count(world, domains):
    raw = with_results(stored("gmail_accepted.eml"), f"{TRUSTED_SERVER}; dmarc=pass header.from=attacker.example")
    assert_held(process(raw, domains), "held_unauthenticated", world)


def test_header_without_authserv_id_is_ignored(world, domains):
    """Exchange Online writes its header without an authserv-id: anyone can write the same, so it proves nothing."""
    raw = with_results(stored("gmail_accepted.eml"), "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=aecid.example; "
                       "dkim=pass (signature was verified) header.d=aecid.example;dmarc=pass action=none "
                       "header.from=aecid.example;compauth=pass reason=100")
    assert_held(process(raw, domains), "held_unauthenticated", world)


def test_second_from_header_is_never_authenticated(world, domains):
    signed = domains.sign(stored("gmail_accepted.eml"), "aecid.example")
    processed = process(b"From: Someone <inigo.alvarez@aecid.example>\r\n" + signed, domains)
    assert processed.outcome == "held"


def test_signature_limited_to_part_of_the_body_is_held(world, domains):
    signed = domains.sign(stored("gmail_accepted.eml"), "aecid.example", length=True)
    processed = process(signed, domains)
    assert_held(processed, "held_unauthenticated", world)
    assert processed.message.detail_params["reason"] == "signature_partial"


def test_without_required_authentication_the_from_must_still_be_the_attendee(world, domains, settings):
    settings.INBOUND_REQUIRE_AUTHENTICATION = False
    assert process(stored("gmail_accepted.eml"), domains).outcome == "answer"
    assert process(stored("outlookcom_accepted_alias.eml"), domains).outcome == "held"


# --- the secretariat confirms ----------------------------------------------------------------------------------


def held_reply(world, domains) -> InboundMessage:
    processed = process(stored("outlook_tentative.eml"), domains)
    assert processed.outcome == "held"
    return processed.message


def test_secretariat_confirms_a_held_reply_and_it_is_recorded_with_who_confirmed(world, domains, secretariat_user):
    held = held_reply(world, domains)
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat_user)
    page = client.get(reverse("secretariat:mailbox"))
    html = page.content.decode()
    to_handle = html.split('id="to-handle"', 1)[1].split("</section>", 1)[0]
    assert f'id="inbound-{held.pk}"' in to_handle and 'data-outcome="held"' in to_handle
    confirm_url = reverse("secretariat:mailbox_confirm", args=[held.pk])
    assert f'action="{confirm_url}"' in to_handle
    assert "Confirmer cette réponse" in to_handle  # the page's default language is French
    token = page.cookies["csrftoken"].value
    response = client.post(confirm_url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    invitation = world.invitation("olof.ekstrom@sida.example")
    assert (invitation.rsvp, invitation.answer_channel, invitation.answered_by) == (
        "tentative", "calendar", secretariat_user)
    assert invitation.answer_note == "Je confirme dès que possible."
    held.refresh_from_db()
    assert (held.outcome, held.confirmed_by, held.handled_by) == ("answer", secretariat_user, secretariat_user)
    assert not held.is_held and not held.is_open
    # The history says who changed the answer.
    assert invitation.history.filter(rsvp="tentative").first().history_user == secretariat_user
    # Confirming again changes nothing and says so.
    again = client.post(confirm_url, {"csrfmiddlewaretoken": token}, follow=True)
    assert again.status_code == 200
    assert InboundMessage.objects.get(pk=held.pk).confirmed_at == held.confirmed_at


def test_confirming_needs_the_secretariat_and_a_csrf_token(world, domains, secretariat_user):
    held = held_reply(world, domains)
    url = reverse("secretariat:mailbox_confirm", args=[held.pk])
    member = Client()
    member.force_login(UserFactory())
    assert member.post(url).status_code == 403
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(secretariat_user)
    assert forged.post(url).status_code == 403
    assert world.invitation("olof.ekstrom@sida.example").rsvp == "none"
    assert InboundMessage.objects.get(pk=held.pk).is_held


def test_a_message_that_is_not_held_cannot_be_confirmed(world, domains, secretariat_user):
    processed = process(domains.sign(stored("gmail_accepted.eml"), "aecid.example"), domains)
    with pytest.raises(ValidationError):
        inbound_confirm(message=processed.message, by_user=secretariat_user)


# --- bounces -----------------------------------------------------------------------------------------------------


def test_message_ids_carry_a_mac_that_only_the_portal_can_make(settings):
    settings.SECRET_KEY = "k" * 50 + "some-entropy-0123456789"
    value = make_message_id(invitation_id=42, kind="request", sequence=3)
    assert value == make_message_id(invitation_id=42, kind="request", sequence=3)  # stable across retries
    assert parse_message_id(value).verified and parse_message_id(value).invitation_id == 42
    forged = value.replace(".42.", ".43.")
    assert parse_message_id(forged) is None
    old = "<ptf.invitation.42.request.3@portail.ptf-mali.example>"
    assert parse_message_id(old) is not None and not parse_message_id(old).verified
    # A rotated key still recognises what it sent.
    settings.SECRET_KEY_FALLBACKS, settings.SECRET_KEY = [settings.SECRET_KEY], "n" * 50 + "other-entropy-98765"
    assert parse_message_id(value).verified


def test_genuine_bounce_naming_a_sent_message_id_counts(world):
    invitation = world.invitation("ursula.eichel@giz.example")
    processed = inbound_process(raw=stored("dsn_5_1_1_user_unknown.eml", INVITATION_ID=invitation.pk))
    invitation.refresh_from_db()
    assert processed.outcome == "bounce" and invitation.state == Invitation.State.BOUNCED
    assert Person.objects.get(email="ursula.eichel@giz.example").email_failed_at is not None


@pytest.mark.parametrize("message_id", [
    "<ptf.invitation.{pk}.request.0@portail.ptf-mali.example>",  # the old form, numbers anyone can write
    "<ptf.invitation.{pk}.request.0.aaaaaaaaaaaaaaaa@portail.ptf-mali.example>",  # a made-up MAC
    "<CAF7m2k+unrelated@mail.example>",  # none of the portal's: only the failed recipient is left
])
def test_forged_bounce_for_someone_else_is_held_and_changes_nothing(world, message_id):
    invitation = world.invitation("ursula.eichel@giz.example")
    raw = stored("dsn_5_1_1_user_unknown.eml", INVITATION_ID=invitation.pk,
                 MESSAGE_ID=message_id.format(pk=invitation.pk))
    processed = inbound_process(raw=raw)
    assert (processed.outcome, processed.message.detail_code) == ("held", "held_bounce")
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.SENT
    assert Person.objects.get(email="ursula.eichel@giz.example").email_failed_at is None


def test_secretariat_confirms_a_held_bounce(world, secretariat_user):
    processed = inbound_process(raw=stored("exim_bounce_no_report.eml"))
    confirmed = inbound_confirm(message=processed.message, by_user=secretariat_user)
    assert (confirmed.outcome, confirmed.confirmed_by) == ("bounce", secretariat_user)
    assert Person.objects.get(email="a.alotaibi@sfd.example").email_failed_at is not None
    assert confirmed.invitation.state == Invitation.State.BOUNCED


def test_alignment_is_the_from_domain_or_a_parent():
    assert authentication.aligned("aecid.example", "aecid.example")
    assert authentication.aligned("aecid.example", "mail.aecid.example")
    assert not authentication.aligned("mail.aecid.example", "aecid.example")
    assert not authentication.aligned("example", "aecid.example")
    assert not authentication.aligned("cid.example", "aecid.example")
