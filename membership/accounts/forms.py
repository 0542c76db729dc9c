"""Forms of the access page, the Secretariat page, the activation link and the password reset."""

from __future__ import annotations

import logging

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.client_ip import client_ip
from instances.models import Instance
from membership.accounts import resets, slowdown
from membership.accounts.selectors import State, accounts_with_address
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
    """Django's reset form; the request is throttled and the e-mail sent by the worker (accounts.resets).

    Whatever happens (unknown address, disabled account, throttled), the page answers the same, in the same time.
    """

    email = forms.EmailField(label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email):
        """Active accounts with a usable password whose address is this one by its key (core.addresses), which
        is what Django's own check (_unicode_ci_compare) does, made the portal's one normalisation."""
        return (user for user in accounts_with_address(email)
                if user.is_active and user.has_usable_password())

    def save(self, *args, request=None, **kwargs):
        resets.password_reset_request(email=self.cleaned_data["email"],
                                      client_ip=client_ip(request) if request is not None else "")


class SlowDownMixin:
    """The per-login slow-down (accounts.slowdown) around Django's check of the password."""

    slowed_down = False  # the page then says how long to wait instead of "wrong password"

    def clean(self):
        login, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (login and password):
            return super().clean()
        wait = slowdown.wait_before_check(login, request=self.request)
        if wait:
            self.slowed_down = True
            security_log.warning("login slowed down user=%s ip=%s wait=%ds", str(login)[:254],
                                 client_ip(self.request) if self.request is not None else "-", wait)
            raise ValidationError(
                ngettext("Too many failed attempts for this login. Try again in %(seconds)d second.",
                         "Too many failed attempts for this login. Try again in %(seconds)d seconds.", wait)
                % {"seconds": wait}, code="slowed_down")
        try:
            cleaned = super().clean()
        except ValidationError:
            if self.user_cache is None:  # a wrong password (not a disabled account)
                slowdown.failure_record(login)
            raise
        slowdown.success_record(login)
        return cleaned


class AdminLoginForm(SlowDownMixin, AdminAuthenticationForm):
    """Django admin's login form, slowed down per login like the portal's."""


class LoginForm(SlowDownMixin, AuthenticationForm):
    """Django's login form; people of the directory sign in with their e-mail address (any case)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail address (or username)")
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = 254
