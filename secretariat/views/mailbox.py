"""The secretariat's "Courrier entrant" page: what the portal read from the mailbox, and what needs a person."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from membership.roles import is_secretariat
from secretariat.inbound.models import InboundMessage
from secretariat.inbound.selectors import failed_addresses, mailbox_recent, mailbox_to_handle
from secretariat.inbound.services import inbound_confirm, inbound_mark_handled


def _require_secretariat(user) -> None:
    if not is_secretariat(user):
        raise PermissionDenied


@require_GET
def mailbox(request):
    _require_secretariat(request.user)
    return render(request, "secretariat/mailbox.html", {
        "to_handle": mailbox_to_handle(), "recent": mailbox_recent(), "failed_addresses": failed_addresses(),
        "configured": bool(settings.INBOUND_IMAP_HOST), "folder": settings.INBOUND_IMAP_FOLDER,
    })


@require_POST
def mailbox_handled(request, pk):
    _require_secretariat(request.user)
    message = get_object_or_404(InboundMessage, pk=pk)
    inbound_mark_handled(message=message, by_user=request.user)
    messages.success(request, _("The message is marked as handled."))
    return redirect("secretariat:mailbox")


@require_POST
def mailbox_confirm(request, pk):
    """One click: the secretariat vouches for a held reply (or bounce), which is then applied, with their name."""
    _require_secretariat(request.user)
    message = get_object_or_404(InboundMessage, pk=pk)
    try:
        confirmed = inbound_confirm(message=message, by_user=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Confirmed: %(detail)s") % {"detail": confirmed.detail})
    return redirect("secretariat:mailbox")
