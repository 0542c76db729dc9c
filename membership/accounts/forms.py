"""Forms of the access page, the Secretariat page, the activation link and the password reset."""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from instances.models import Instance
from membership.accounts import services
from membership.accounts.selectors import State
from membership.models import Partner, Person

security_log = logging.getLogger("ptf.security")


class AccessFilterForm(forms.Form):
    instance = forms.ModelChoiceField(label=_("Instance"), queryset=Instance.objects.order_by("code"),
                                      required=False, to_field_name="code", empty_label=_("all"))
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.order_by("name"), required=False,
                                     empty_label=_("all"))
    state = forms.ChoiceField(label=_("Account"), choices=[("", _("all"))] + State.CHOICES, required=False)
    q = forms.CharField(label=_("Name"), required=False, max_length=100)


class InviteForm(AccessFilterForm):
    """Invite the people ticked, or everyone the filter shows (all of an instance, all without an account…)."""

    SELECTED, SHOWN = "selected", "shown"
    people = forms.ModelMultipleChoiceField(queryset=Person.objects.all(), required=False)
    scope = forms.ChoiceField(choices=[(SELECTED, _("the people ticked")), (SHOWN, _("everyone shown"))])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.SELECTED and not cleaned.get("people"):
            raise forms.ValidationError(_("Tick at least one person."))
        return cleaned


class SecretariatMemberForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)


class ActivationPasswordForm(SetPasswordForm):
    """Django's password validators, against the account the link opens (similarity to name and e-mail)."""


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form, throttled per address and per IP, in the person's language.

    Whatever happens (unknown address, disabled account, throttled), the page answers the same.
    """

    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def _over_limit(self, key: str, limit: int) -> bool:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        cache_key = f"ptf:password-reset:{digest}"
        cache.add(cache_key, 0, settings.PASSWORD_RESET_WINDOW)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, settings.PASSWORD_RESET_WINDOW)
            count = 1
        return count > limit

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"].strip().lower()
        ip = request.META.get("REMOTE_ADDR", "-") if request is not None else "-"
        by_ip = self._over_limit(f"ip:{ip}", settings.PASSWORD_RESET_PER_IP)
        by_address = self._over_limit(f"address:{email}", settings.PASSWORD_RESET_PER_ADDRESS)
        if by_ip or by_address:
            security_log.warning("password reset throttled ip=%s by=%s", ip, "ip" if by_ip else "address")
            return
        kwargs["extra_email_context"] = {**(kwargs.get("extra_email_context") or {}), "site_url": settings.SITE_URL}
        super().save(*args, request=request, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        user = context["user"]
        person = Person.objects.filter(user=user).first()
        language = person.language if person is not None else translation.get_language()
        with translation.override(language or settings.LANGUAGE_CODE):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email,
                              html_email_template_name)
        services.password_reset_recorded(user=user, requested=True)


class LoginForm(AuthenticationForm):
    """Django's login form; people of the directory sign in with their e-mail address (any case)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail address (or username)")
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = 254
