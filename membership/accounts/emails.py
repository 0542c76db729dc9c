"""The e-mails of portal accounts, each in its recipient's language (fr/en)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from core import french
from membership.models import Person


def activation_url(token: str) -> str:
    return settings.SITE_URL + reverse("membership:activate", kwargs={"token": token})


def invitation_message(invitation, token: str) -> EmailMessage:
    """The invitation to choose a password: to a person of the directory or to a new secretariat member."""
    person = invitation.person
    language = (person.language if person is not None else None) or settings.LANGUAGE_CODE
    to = person.email if person is not None else invitation.user.email
    with translation.override(language):
        context = {
            "person": person,
            "name": person.full_name if person is not None else invitation.user.get_full_name(),
            "secretariat": person is None,
            "link": activation_url(token),
            "expires": timezone.localtime(invitation.expires_at),
            "days": settings.ACCOUNT_INVITATION_DAYS,
            "login_url": settings.SITE_URL + reverse("login"),
            "login": to,
            "secretariat_email": settings.SECRETARIAT_EMAIL,
        }
        subject = _("Your access to the PTF Mali portal")
        body = render_to_string("membership/accounts/emails/invitation.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to], reply_to=[settings.SECRETARIAT_EMAIL],
                        headers={"Auto-Submitted": "auto-generated"})


def password_reset_message(user) -> EmailMessage:
    """The reset link (Django's token: single-use, PASSWORD_RESET_TIMEOUT) in the account's person's language."""
    person = Person.objects.filter(user=user).first()
    language = (person.language if person is not None else None) or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "user": user, "email": user.email, "site_url": settings.SITE_URL,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
        }
        subject = "".join(render_to_string("membership/accounts/emails/password_reset_subject.txt",
                                           context).splitlines())
        body = render_to_string("membership/accounts/emails/password_reset.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email], headers={"Auto-Submitted": "auto-generated"})
def login_change_notice(*, to: str, change: str, language: str | None, when, by: str) -> EmailMessage:
    """Told to the address a login had before a change of owner or address: if it was not you, say so.

    `change` is the sentence that says what changed, written in `language` by the caller (services).
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Security notice: your access to the PTF Mali portal has changed")
        body = "\n\n".join([
            _("Hello,"),
            change,
            _("When: %(when)s. By: %(by)s.") % {"when": french.long_datetime(when), "by": by},
            _("If you did not expect this change, tell the secretariat at once (%(email)s): someone else may be "
              "using your access.") % {"email": settings.SECRETARIAT_EMAIL},
        ]) + "\n"
    return EmailMessage(subject=subject, body=body, to=[to], reply_to=[settings.SECRETARIAT_EMAIL],
                        headers={"Auto-Submitted": "auto-generated"})
