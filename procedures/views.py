"""Pages of the written procedures: the body's list, a procedure, its forms, the answer links and the record."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from instances.models import Instance
from meetings.forms import apply_validation_error
from membership.access import (
    can_list_procedures,
    can_manage_procedures,
    can_view_procedure,
)
from membership.models import Person
from membership.roles import is_secretariat, person_id_of
from procedures import services
from procedures.forms import AnswerForm, ExtendForm, ProcedureForm, WithdrawForm
from procedures.mail import LinkError, mail_for_token
from procedures.models import Procedure, ProcedureAnswer, ProcedureSeat
from procedures.rules import tally
from procedures.selectors import seat_person_ids, visible_seats
from secretariat.reports.pdf import content_disposition, html_to_pdf


def _procedure(request, pk: int) -> tuple[Procedure, bool]:
    """(the procedure, whether the user manages it); 404 if unknown, 403 if the policy refuses."""
    procedure = get_object_or_404(Procedure.objects.select_related("body", "decision"), pk=pk)
    manages = can_manage_procedures(request.user, procedure.body)
    if not manages:
        if not can_view_procedure(request.user, body=procedure.body, draft=procedure.state == Procedure.State.DRAFT,
                                  seat_person_ids=seat_person_ids(procedure)):
            raise PermissionDenied
    return procedure, manages


def _managed(request, pk: int) -> Procedure:
    procedure, manages = _procedure(request, pk)
    if not manages:
        raise PermissionDenied
    return procedure


@require_GET
def index(request):
    """The bodies whose written procedures the user may read, with what is open."""
    bodies = [body for body in Instance.objects.filter(is_active=True).order_by("kind", "code")
              if can_list_procedures(request.user, body)]
    counts = dict(Procedure.objects.filter(body__in=bodies, state=Procedure.State.OPEN).values_list("body")
                  .annotate(n=Count("pk")).values_list("body", "n"))
    rows = [(body, counts.get(body.pk, 0)) for body in bodies]
    return render(request, "procedures/index.html", {"rows": rows})


@require_GET
def body_list(request, body_id: int):
    """"Procédures écrites" of one body: open, drafts (for its managers), closed with their result, withdrawn."""
    body = get_object_or_404(Instance, pk=body_id)
    if not can_list_procedures(request.user, body):
        raise PermissionDenied
    manages = can_manage_procedures(request.user, body)
    qs = Procedure.objects.filter(body=body).annotate(
        answered=Count("seats__answer"), seat_count=Count("seats", distinct=True),
        objections=Count("seats__answer", filter=Q(seats__answer__answer="object")))
    if not manages:
        qs = qs.exclude(state=Procedure.State.DRAFT)
    procedures = list(qs.order_by("-deadline", "-pk")[:200])
    groups = {state: [p for p in procedures if p.state == state] for state in Procedure.State.values}
    return render(request, "procedures/body_list.html", {"body": body, "manages": manages, "groups": groups})


@require_GET
def detail(request, pk: int):
    procedure, manages = _procedure(request, pk)
    person_id = person_id_of(request.user)
    seats = visible_seats(procedure, request.user) or []
    my_seat = next((s for s in seats if person_id in (s.titular_id, s.deputy_id)), None) if person_id else None
    answers = list(ProcedureAnswer.objects.filter(seat__procedure=procedure).values_list("answer", flat=True))
    counts = tally(answers, seats=procedure.seats.count(), quorum=procedure.quorum)
    show_result = procedure.state == Procedure.State.CLOSED
    context = {
        "procedure": procedure, "manages": manages, "seats": seats, "my_seat": my_seat, "counts": counts,
        "show_counts": manages, "show_result": show_result, "now": timezone.now(),
        "answer_form": AnswerForm(), "extend_form": ExtendForm(initial={"deadline": procedure.deadline}),
        "withdraw_form": WithdrawForm(), "open": procedure.accepts_answers(),
        "may_answer": my_seat is not None and procedure.accepts_answers(),
        "is_titular": my_seat is not None and my_seat.titular_id == person_id,
    }
    return render(request, "procedures/detail.html", context)


@require_http_methods(["GET", "POST"])
def create(request, body_id: int):
    body = get_object_or_404(Instance, pk=body_id)
    if not can_manage_procedures(request.user, body):
        raise PermissionDenied
    form = ProcedureForm(request.POST or None, request.FILES or None,
                         initial={"deadline": services.default_deadline(), "mode": Procedure.Mode.SILENCE})
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_create(body=body, by_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=is_secretariat(request.user))
        else:
            messages.success(request, _("The draft was saved. Check it, then launch it."))
            return redirect("procedures:detail", procedure.pk)
    return render(request, "procedures/form.html", {"form": form, "body": body, "multipart": True,
                                                    "title": _("New written procedure")})


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    procedure = _managed(request, pk)
    if procedure.state != Procedure.State.DRAFT:
        messages.error(request, _("Only a draft can be edited; a launched procedure can be extended or withdrawn."))
        return redirect("procedures:detail", procedure.pk)
    form = ProcedureForm(request.POST or None, request.FILES or None,
                         initial={"title": procedure.title, "text": procedure.text, "mode": procedure.mode,
                                  "deadline": procedure.deadline})
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_update(procedure=procedure, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=True)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("procedures:detail", procedure.pk)
    return render(request, "procedures/form.html", {"form": form, "body": procedure.body, "procedure": procedure,
                                                    "multipart": True, "title": _("Edit the draft")})


def _act(request, procedure, action, success: str):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("procedures:detail", procedure.pk)


@require_GET
def attachment(request, pk: int):
    """The only way to the attachment's bytes: checked on the procedure (A4), sent as an attachment."""
    procedure, _manages = _procedure(request, pk)
    if not procedure.attachment:
        raise Http404
    try:
        handle = procedure.attachment.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404
    return FileResponse(handle, as_attachment=True, filename=procedure.attachment_name,
                        content_type=procedure.attachment_type)


@require_POST
def launch(request, pk: int):
    procedure = _managed(request, pk)
    return _act(request, procedure, lambda: services.procedure_launch(procedure=procedure, by_user=request.user),
                _("The procedure is open: every titular and deputy is being e-mailed."))


@require_http_methods(["GET", "POST"])
def extend(request, pk: int):
    procedure = _managed(request, pk)
    form = ExtendForm(request.POST or None, initial={"deadline": procedure.deadline})
    if request.method == "POST" and form.is_valid():
        try:
            services.procedure_extend(procedure=procedure, deadline=form.cleaned_data["deadline"],
                                      by_user=request.user)
        except ValidationError as error:
            apply_validation_error(form, error, show_rule_ids=True)
        else:
            messages.success(request, _("The deadline was extended; everyone is told and earlier answers are kept."))
            return redirect("procedures:detail", procedure.pk)
    return render(request, "procedures/form.html", {"form": form, "body": procedure.body, "procedure": procedure,
                                                    "title": _("Extend the deadline")})


@require_POST
def withdraw(request, pk: int):
    procedure = _managed(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the procedure is withdrawn."))
        return redirect("procedures:detail", procedure.pk)
    return _act(request, procedure, lambda: services.procedure_withdraw(
        procedure=procedure, reason=form.cleaned_data["reason"], by_user=request.user),
        _("The procedure was withdrawn; everyone is told."))


@require_POST
def answer(request, pk: int):
    """The portal's answer: the signed-in titular or deputy, for their own seat."""
    procedure, _manages = _procedure(request, pk)
    person = Person.objects.filter(pk=person_id_of(request.user)).first()
    form = AnswerForm(request.POST)
    if person is None or not form.is_valid():
        messages.error(request, _("Choose an answer; an objection states its reason."))
        return redirect("procedures:detail", procedure.pk)
    return _act(request, procedure, lambda: services.answer_record(
        procedure=procedure, person=person, answer=form.cleaned_data["answer"], reason=form.cleaned_data["reason"],
        channel=ProcedureAnswer.Channel.PORTAL, by_user=request.user), _("Your answer was recorded."))


@require_POST
def stand_in(request, pk: int, seat_pk: int):
    """The titular passes the voice to the deputy (or takes it back); the secretariat marks a titular absent."""
    procedure, manages = _procedure(request, pk)
    seat = get_object_or_404(ProcedureSeat, pk=seat_pk, procedure=procedure)
    on = request.POST.get("on") == "1"
    if person_id_of(request.user) == seat.titular_id and seat.titular_id is not None:
        change = {"delegated": on}
    elif manages:
        change = {"titular_absent": on}
    else:
        raise PermissionDenied
    return _act(request, procedure, lambda: services.seat_set_stand_in(seat=seat, **change),
                _("The seat was updated."))


@require_POST
def record_for(request, pk: int, seat_pk: int):
    """The secretariat (or a group's leader) records a seat's answer given by telephone or letter: channel
    "seg", with who recorded it; the same rules as any answer (who may speak, the deadline)."""
    procedure = _managed(request, pk)
    seat = get_object_or_404(ProcedureSeat.objects.select_related("titular", "deputy"), pk=seat_pk,
                             procedure=procedure)
    form = AnswerForm(request.POST)
    people = {str(p.pk): p for p in (seat.titular, seat.deputy) if p is not None}
    person = people.get(request.POST.get("person", ""))
    if person is None or not form.is_valid():
        messages.error(request, _("Choose who answered and the answer; an objection states its reason."))
        return redirect("procedures:detail", procedure.pk)
    return _act(request, procedure, lambda: services.answer_record(
        procedure=procedure, person=person, answer=form.cleaned_data["answer"], reason=form.cleaned_data["reason"],
        channel=ProcedureAnswer.Channel.SECRETARIAT, by_user=request.user), _("The answer was recorded."))


# --- the e-mailed answer links (no login: the signed link authenticates) ------------------------------------------


def _link_page(request, template, context, status=200):
    return render(request, f"procedures/link/{template}.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def answer_link(request, token: str):
    """GET only asks (mail scanners follow links); POST records. A tampered, used or closed link: a clear page,
    nothing changed."""
    try:
        mail = mail_for_token(token)
    except LinkError:
        return _link_page(request, "error", {"message": _(
            "This answer link is not valid: it may have been altered or cut. Use the link of your e-mail, or "
            "answer on the portal.")}, status=400)
    procedure, seat = mail.procedure, mail.seat
    current = ProcedureAnswer.objects.filter(seat=seat).select_related("person").first()
    context = {"procedure": procedure, "seat": seat, "mail": mail, "current": current,
               "deadline": timezone.localtime(procedure.deadline), "time_zone": settings.TIME_ZONE}
    status = 400 if request.method == "POST" else 200
    if procedure.state == Procedure.State.WITHDRAWN:
        return _link_page(request, "closed", {**context, "message": _(
            "This written procedure was withdrawn: no answer is needed any more.")}, status)
    if not procedure.accepts_answers():
        return _link_page(request, "closed", {**context, "message": _(
            "The deadline has passed: answers to this procedure are closed.")}, status)
    if mail.link_used_at is not None:
        return _link_page(request, "closed", {**context, "message": _(
            "This answer link has already been used. To change your answer before the deadline, answer on the "
            "portal.")}, status)
    # The page speaks the reader's language (the portal's language switch and the browser's), like the
    # invitations' answer page; the e-mail that carried the link was in the recipient's.
    form = AnswerForm(request.POST or None, initial={"answer": request.GET.get("answer", "")})
    context["form"] = form
    if request.method != "POST":
        return _link_page(request, "confirm", context)
    if not form.is_valid():
        return _link_page(request, "confirm", context, status=400)
    try:
        services.answer_record(procedure=procedure, person=mail.person, answer=form.cleaned_data["answer"],
                               reason=form.cleaned_data["reason"], channel=ProcedureAnswer.Channel.LINK,
                               via_mail=mail)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return _link_page(request, "confirm", context, status=400)
    context["current"] = ProcedureAnswer.objects.select_related("person").get(seat=seat)
    return _link_page(request, "done", context)


# --- the record (PDF) -----------------------------------------------------------------------------------------------


def record_html(procedure: Procedure, *, seats, language: str | None = None) -> str:
    """The procedure's record, like the minutes': the text (A4: GA readers are checked by the caller), the
    mode, the deadline, every seat with its answer, who gave it and when, and the result."""
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        seats = list(procedure.seats.select_related("partner", "titular", "deputy", "answer__person")
                     .order_by("partner__name"))
        answers = [s.answer.answer for s in seats if hasattr(s, "answer")]
        return render_to_string("procedures/record.html", {
            "procedure": procedure, "instance": procedure.body, "seats": seats, "language": language,
            "counts": tally(answers, seats=len(seats), quorum=procedure.quorum),
            "title": _("Record of a written procedure"), "date": timezone.localtime(procedure.deadline),
            "secretariat": procedure.body.get_secretariat_display(), "secretariat_email": settings.SECRETARIAT_EMAIL,
            "deadline": timezone.localtime(procedure.deadline), "colon": ":" if language.startswith("en") else "\u202f:",
        })


@require_GET
def record_pdf(request, pk: int):
    procedure, _manages = _procedure(request, pk)
    if procedure.state != Procedure.State.CLOSED:
        raise Http404
    # The counts are the result's; the seats listed are those the reader may see (all for the SEG, its own
    # for a partner), as on the page.
    body = html_to_pdf(record_html(procedure, seats=visible_seats(procedure, request.user) or []))
    response = HttpResponse(body, content_type="application/pdf")
    name = f"procedure-{procedure.body.code}-{procedure.pk}.pdf"
    response["Content-Disposition"] = content_disposition(name, attachment=False)
    return response
