"""The SEG's "Accès au portail" page, the admins' Secretariat page, invitation links and password reset."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.french import of_name
from core.paging import paginate
from membership.access import can_manage_accounts, can_manage_roles
from membership.accounts import selectors, services
from membership.accounts.forms import (
    AccessFilterForm,
    ActivationPasswordForm,
    InviteForm,
    SecretariatMemberForm,
    ThrottledPasswordResetForm,
)
from membership.accounts.selectors import State
from membership.accounts.services import SkipReason
from membership.models import Person

SESSION_TOKEN = "ptf_account_invitation"  # noqa: S105  (a session key, not a secret)
SKIP_LABELS = {
    SkipReason.ACTIVE: gettext_lazy("already active"),
    SkipReason.DISABLED: gettext_lazy("disabled"),
    SkipReason.NO_MANDATE: gettext_lazy("no active mandate"),
    SkipReason.NO_EMAIL: gettext_lazy("no e-mail address"),
}


def _require(check, request):
    if not check(request.user):
        raise PermissionDenied


def _filters(form):
    data = form.cleaned_data if form.is_valid() else {}
    return {"instance": data.get("instance"), "partner": data.get("partner"), "state": data.get("state") or None,
            "search": data.get("q") or ""}


@require_GET
def access_list(request):
    _require(can_manage_accounts, request)
    form = AccessFilterForm(request.GET or None)
    """Everyone of the directory with their account, fifty at a time; "invite everyone shown" means every
    page of the filters."""
    people = paginate(request, selectors.people_access(**_filters(form)) if not form.errors else Person.objects.none())
    for person in people:
        person.state_label = State.LABELS[person.account_state]
    return render(request, "membership/accounts/access.html", {
        "form": form, "people": people, "page": people, "query": request.GET.urlencode(), "State": State,
    })


@require_POST
def access_invite(request):
    _require(can_manage_accounts, request)
    form = InviteForm(request.POST)
    back = reverse("membership:access")
    filters = {k: request.POST.get(k, "") for k in ("instance", "partner", "state", "q") if request.POST.get(k)}
    if filters:
        back += "?" + urlencode(filters)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    if form.cleaned_data["scope"] == InviteForm.SHOWN:
        people = selectors.people_access(**_filters(form))
    else:
        people = list(form.cleaned_data["people"])
    result = services.people_invite(people=people, by_user=request.user)
    invited = len(result.invited)
    messages.success(request, ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", invited)
                     % {"count": invited})
    if result.skipped:
        details = ", ".join(_("%(reason)s: %(count)d") % {"reason": SKIP_LABELS[reason], "count": count}
                            for reason, count in sorted(result.skipped.items()))
        messages.info(request, ngettext("%(count)d person skipped (%(details)s).",
                                        "%(count)d people skipped (%(details)s).", result.skipped_count)
                      % {"count": result.skipped_count, "details": details})
    return redirect(back)


@require_POST
def access_enable(request, pk):
    _require(can_manage_accounts, request)
    person = get_object_or_404(Person.objects.select_related("user"), pk=pk)
    try:
        services.account_enable(person=person, by_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The account %(of_name)s is open again.") % {"of_name": of_name(person.full_name)})
    return redirect("membership:access")


@require_http_methods(["GET", "POST"])
def secretariat_staff(request):
    _require(can_manage_roles, request)
    form = SecretariatMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, invitation = services.secretariat_member_add(by_user=request.user, **form.cleaned_data)
        if invitation is not None:
            messages.success(request, _("%(email)s is in the secretariat; an e-mail invites them to choose a "
                                        "password.") % {"email": user.email})
        else:
            messages.success(request, _("%(email)s is in the secretariat.") % {"email": user.email})
        return redirect("membership:secretariat_staff")
    return render(request, "membership/accounts/secretariat.html",
                  {"form": form, "members": selectors.secretariat_members()})


@require_POST
def secretariat_staff_remove(request, pk):
    _require(can_manage_roles, request)
    user = get_object_or_404(get_user_model(), pk=pk)
    services.secretariat_member_remove(user=user, by_user=request.user)
    messages.success(request, _("%(name)s is no longer in the secretariat.")
                     % {"name": user.get_full_name() or user.get_username()})
    return redirect("membership:secretariat_staff")


@require_POST
def secretariat_staff_reinvite(request, pk):
    _require(can_manage_roles, request)
    user = get_object_or_404(get_user_model(), pk=pk, groups__name=services.SECRETARIAT_GROUP)
    services.secretariat_member_reinvite(user=user, by_user=request.user)
    messages.success(request, _("A new link was sent to %(email)s.") % {"email": user.email})
    return redirect("membership:secretariat_staff")


def _invalid_link(request):
    # 200, not 4xx: Django logs the path of 4xx answers, and the path would carry the link.
    return render(request, "membership/accounts/link_invalid.html")


@login_not_required
@never_cache
@require_GET
def activate(request, token):
    """The link of the e-mail: keep the token in the session and continue on a URL that does not carry it."""
    if services.invitation_by_token(token) is None:
        return _invalid_link(request)
    request.session[SESSION_TOKEN] = token
    return redirect("membership:activate_password")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def activate_password(request):
    token = request.session.get(SESSION_TOKEN, "")
    invitation = services.invitation_by_token(token) if isinstance(token, str) else None
    if invitation is None:
        return _invalid_link(request)
    try:
        account = services.invitation_account(invitation)
    except services.AccountLinkRefused as refused:  # the address is another account's: nothing opens
        services.account_link_refused(invitation=invitation, refused=refused)
        return _invalid_link(request)
    form = ActivationPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["new_password1"])
        except ValidationError:
            return _invalid_link(request)
        if request.user.is_authenticated:
            logout(request)
        request.session.pop(SESSION_TOKEN, None)
        messages.success(request, _("Your password is set. Sign in with your e-mail address %(email)s.")
                         % {"email": user.email})
        # A group leader's first page is their groups (T7); everyone else's, their invitations.
        first_page = "meetings:my_groups" if services.leads_a_group(user) else "secretariat:my_invitations"
        return redirect(f"{reverse('login')}?{urlencode({'next': reverse(first_page)})}")
    return render(request, "membership/accounts/activate.html",
                  {"form": form, "login": account.email, "name": invitation.person or account.get_full_name()})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    template_name = "membership/accounts/password_reset_form.html"
    email_template_name = "membership/accounts/emails/password_reset.txt"
    subject_template_name = "membership/accounts/emails/password_reset_subject.txt"
    success_url = reverse_lazy("membership:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "membership/accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(timeout_minutes=max(1, settings.PASSWORD_RESET_TIMEOUT // 60), **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "membership/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("membership:password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # A disabled account gets no new password, even from a link sent before it was disabled.
        return user if user is not None and user.is_active else None

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_recorded(user=form.user, requested=False)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "membership/accounts/password_reset_complete.html"
