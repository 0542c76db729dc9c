"""Portal accounts: the single-use links that open an account, and the account events the audit shows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class AccountInvitation(models.Model):
    """A single-use link that lets a person of the directory (or a new secretariat member) choose a password.

    Only the SHA-256 of the token is stored; the token itself exists in the e-mail alone. The token is
    minted when the message is sent, so a link lost on the way is simply replaced by a new invitation.
    """

    person = models.ForeignKey(
        "membership.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="account_invitations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("login account"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="account_invitations",
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("invited on"))
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires on"), null=True, blank=True)
    used_at = models.DateTimeField(_("used on"), null=True, blank=True)
    replaced_at = models.DateTimeField(_("replaced on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("account invitation")
        verbose_name_plural = _("account invitations")
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(user__isnull=False),
                                   name="account_invitation_names_someone"),
            # Re-inviting replaces the old link: one open invitation per person.
            models.UniqueConstraint(fields=["person"], condition=Q(used_at__isnull=True, replaced_at__isnull=True),
                                    name="one_open_account_invitation_per_person"),
        ]

    def __str__(self):
        return str(self.person or self.user)

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.replaced_at is None


class AccountEvent(models.Model):
    """One thing that happened to a portal account: invited, activated, reset, disabled, enabled, role change."""

    class Kind(models.TextChoices):
        INVITED = "invited", _("invitation sent")
        ACTIVATED = "activated", _("account activated")
        RESET_REQUESTED = "reset_requested", _("password reset requested")
        RESET = "reset", _("password reset")
        DISABLED = "disabled", _("account disabled")
        LAPSED = "lapsed", _("account disabled: no active mandate")
        ENABLED = "enabled", _("account enabled again")
        ROLE_GRANTED = "role_granted", _("added to the secretariat")
        ROLE_REMOVED = "role_removed", _("removed from the secretariat")
        LINKED = "linked", _("login given to a person")
        UNLINKED = "unlinked", _("login taken from a person")
        EMAIL_CHANGED = "email_changed", _("login e-mail changed")
        LINK_REFUSED = "link_refused", _("activation refused: the address is another account's")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"))
    person = models.ForeignKey("membership.Person", verbose_name=_("person"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="account_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("login account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="account_events")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # For a lapsed account: the first day without any active mandate.
    since = models.DateField(_("since"), null=True, blank=True)

    # The audit page reads history records: each event is one "created" record there.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "kind", "at"], name="account_event_person_kind")]

    def __str__(self):
        who = self.person if self.person_id else (self.user.get_username() if self.user_id else "—")
        return f"{self.get_kind_display()} — {who}"


class PasswordResetRequest(models.Model):
    """One request for a reset link, as typed on the page: written by the request whether or not the address is
    an account's (so both answer alike), resolved and e-mailed by the worker, deleted after a day."""

    email = models.CharField(_("e-mail"), max_length=254)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)
    created_at = models.DateTimeField(_("requested on"), db_index=True)
    processed_at = models.DateTimeField(_("processed on"), null=True, blank=True)
    sent = models.PositiveSmallIntegerField(_("links sent"), default=0)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.sent}"


class LoginSlowdown(models.Model):
    """Failed sign-ins of one login within a window, and when the next attempt may be checked.

    Keyed on a digest of the login as typed (normalised), so unknown logins are slowed exactly like real ones
    and no login is stored in clear. Deleted at the first success.
    """

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in slow-down")
        verbose_name_plural = _("sign-in slow-downs")

    def __str__(self):
        return f"{self.key[:12]}… {self.failures}"
