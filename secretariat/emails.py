"""The e-mails of the secretariat, each built in its recipient's language (fr/en)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.french import long_date
from meetings.models import AgendaItem
from secretariat.ics import invitation_calendar
from secretariat.message_ids import make_message_id
from secretariat.models import SeatRole
from secretariat.reasons import render_reason
from secretariat.rsvp import rsvp_url
from secretariat.selectors import root_invitation


def _subject(kind: str, meeting) -> str:
    label = f"{meeting.heading} — {long_date(meeting.start)}"
    if kind == "update":
        return _("Updated: %(meeting)s") % {"meeting": label}
    if kind == "cancel":
        return _("Cancelled: %(meeting)s") % {"meeting": label}
    return _("Invitation: %(meeting)s") % {"meeting": label}


def agenda_items(meeting) -> list:
    return list(meeting.items.filter(status=AgendaItem.Status.ACCEPTED).order_by("order", "pk"))


# A4: a confidential item's title is not spelled out in a message or a calendar that leaves the portal
# (forwarded, synced to phones); the reader follows the link and the portal checks who may see it.
CONFIDENTIAL_ITEM = gettext_lazy("Confidential item — see the portal")


def meeting_url(meeting) -> str:
    return settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk])


def item_label(item) -> str:
    return str(CONFIDENTIAL_ITEM) if item.confidential else item.title


def _agenda_text(items, meeting) -> str:
    lines = [f"{n}. {item_label(item)}" for n, item in enumerate(items, start=1)]
    if any(item.confidential for item in items):
        lines += ["", meeting_url(meeting)]
    return "\n".join(lines)


def answer_prompt(invitation) -> str:
    """The line above the answer link, by the recipient's role (M3, M6, M8): only the one who holds the seat in
    their own right may pass it on — a titular of the GEC or GA to the deputy, a group's expert to the binôme.
    A deputy, a binôme, someone in copy or convened by delegation is only asked whether they will attend."""
    if invitation.delegated_from_id is None:
        group = invitation.meeting.instance.is_group
        if invitation.role == SeatRole.TITULAR and not group:
            return _("Please answer (attending, not attending, or delegate to your deputy):")
        if invitation.role in (SeatRole.EXPERT, SeatRole.LEADER, SeatRole.CO_LEAD) and group:
            return _("Please answer (attending, not attending, or delegate to your binôme):")
    return _("Please answer (attending or not attending):")


def delegation_sentence(invitation) -> str:
    """Why a delegate is invited, in the reader's language and in words: "Représente l'Allemagne par délégation
    d'Aïssata Keïta" (the row's stored reason is in the language of whoever delegated, with the rule's ID)."""
    source = invitation.delegated_from
    if source is None:
        return ""
    person = source.person
    article = person.institution.partner.article if person is not None else ""
    return render_reason({"code": "delegate", "params": {"partner": source.partner, "delegator": source.name,
                                                         "partner_article": article}}, with_rule=False)


def invitation_message(invitation, *, items=None, shared: dict | None = None) -> EmailMultiAlternatives:
    """Text + HTML, the calendar as a text/calendar alternative and as invite.ics (METHOD REQUEST or CANCEL).

    `shared`: a dict kept across the messages of one batch, where parts common to a meeting are built once.
    """
    meeting = invitation.meeting
    items = agenda_items(meeting) if items is None else items
    method = "CANCEL" if invitation.kind == "cancel" else "REQUEST"
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        link = rsvp_url(root_invitation(invitation), issued_at=invitation.message_at) if method == "REQUEST" else ""
        context = {
            "invitation": invitation, "meeting": meeting, "instance_name": meeting.instance.name,
            "start": timezone.localtime(meeting.start), "end": timezone.localtime(meeting.end),
            "items": items, "rsvp_url": link, "time_zone": settings.TIME_ZONE, "answer_prompt": answer_prompt(invitation),
            "secretariat_email": settings.SECRETARIAT_EMAIL, "meeting_url": meeting_url(meeting),
            "delegation": delegation_sentence(invitation) if invitation.delegated_from_id else "",
        }
        subject = _subject(invitation.kind, meeting)
        text = render_to_string("secretariat/emails/invitation.txt", context)
        html = render_to_string("secretariat/emails/invitation.html", context)
        ics = invitation_calendar(invitation, description=_agenda_text(items, meeting), shared=shared)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.email], reply_to=[settings.SECRETARIAT_EMAIL],
        headers={"X-PTF-Invitation": str(invitation.pk), "Message-ID": make_message_id(
            invitation_id=invitation.pk, kind=invitation.kind, sequence=invitation.sequence)},
    )
    message.attach_alternative(html, "text/html")
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", ics, "application/ics")
    return message


def reminder_message(invitation) -> EmailMultiAlternatives:
    meeting = invitation.meeting
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "meeting": meeting, "start": timezone.localtime(meeting.start),
                   "rsvp_url": rsvp_url(invitation, issued_at=invitation.reminded_at or invitation.message_at),
                   "time_zone": settings.TIME_ZONE, "answer_prompt": answer_prompt(invitation)}
        subject = _("Reminder: please answer — %(meeting)s") % {
            "meeting": meeting.heading}
        text = render_to_string("secretariat/emails/reminder.txt", context)
    return EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.email],
                                  reply_to=[settings.SECRETARIAT_EMAIL],
                                  headers={"X-PTF-Reminder": str(invitation.pk), "Message-ID": make_message_id(
                                      invitation_id=invitation.pk, kind="reminder", sequence=invitation.sequence)})


def digest_message(*, failed, unanswered, chairs=()) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        context = {"failed": failed, "unanswered": unanswered, "chairs": chairs, "site_url": settings.SITE_URL}
        subject = _("Invitations: %(failed)d failed, %(unanswered)d unanswered") % {
            "failed": len(failed), "unanswered": len(unanswered)}
        text = render_to_string("secretariat/emails/digest.txt", context)
    return EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [settings.SECRETARIAT_EMAIL])


def proposal_decision_message(item) -> EmailMultiAlternatives:
    """To the member who proposed an agenda item: accepted or rejected, with the reason."""
    person, meeting = item.proposed_by, item.meeting
    with translation.override(person.language or settings.LANGUAGE_CODE):
        accepted = item.status == AgendaItem.Status.ACCEPTED
        context = {"person": person, "item": item, "meeting": meeting, "accepted": accepted,
                   "start": timezone.localtime(meeting.start), "time_zone": settings.TIME_ZONE,
                   "site_url": settings.SITE_URL}
        label = meeting.heading
        subject = (_("Your proposal was accepted: %(item)s") if accepted
                   else _("Your proposal was not accepted: %(item)s")) % {"item": item.title}
        subject = f"{subject} ({label})"
        text = render_to_string("secretariat/emails/proposal_decision.txt", context)
    return EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [person.email],
                                  reply_to=[settings.SECRETARIAT_EMAIL],
                                  headers={"X-PTF-Proposal": str(item.pk)})
