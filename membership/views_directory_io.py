"""Annuaire → Importer / Exporter: the SEG's spreadsheet in (with a preview) and out (membership.directory_io)."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from membership import directory_io
from membership.access import can_manage_accounts
from membership.import_files import WORKBOOK_SHEETS


class ImportForm(forms.Form):
    members = forms.FileField(label=gettext_lazy("Members file"))
    groups = forms.FileField(label=gettext_lazy("Groups file"), required=False)
    troika = forms.FileField(label=gettext_lazy("Troïka file"), required=False)


class ExportForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=[("xlsx", gettext_lazy("one .xlsx workbook")),
                                                                     ("csv", gettext_lazy("three CSV files (zip)"))])


def _require(request):
    if not can_manage_accounts(request.user):  # the SEG and admins, as "Accès au portail"
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def directory_import(request):
    _require(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            preview = directory_io.preview_upload(
                user=request.user, files={k: v for k, v in form.cleaned_data.items() if v})
        except directory_io.UploadRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("membership:directory_import_preview", token=preview.token)
    return render(request, "membership/directory_io/import.html", {
        "form": form, "sheets": WORKBOOK_SHEETS, "max_kb": settings.DIRECTORY_IMPORT_MAX_BYTES // 1024,
        "max_rows": settings.DIRECTORY_IMPORT_MAX_ROWS, "ttl": settings.DIRECTORY_IMPORT_TTL_MINUTES,
    })


@require_http_methods(["GET"])
def directory_import_preview(request, token):
    _require(request)
    try:
        preview = directory_io.load_preview(token, request.user)
    except directory_io.UploadRefused as exc:
        messages.error(request, str(exc))
        return redirect("membership:directory_import")
    groups = [(directory_io.HEADINGS[key], lines) for key, lines in preview.groups.items()]
    return render(request, "membership/directory_io/preview.html", {"preview": preview, "groups": groups})


@require_POST
def directory_import_apply(request, token):
    _require(request)
    try:
        if not request.POST.get("confirm_warnings") and directory_io.load_preview(token, request.user).warnings:
            messages.error(request, _("Confirm the warnings before importing."))
            return redirect("membership:directory_import_preview", token=token)
        result = directory_io.apply_upload(token=token, user=request.user)
    except directory_io.StalePreview as exc:
        messages.error(request, str(exc))
        return redirect("membership:directory_import_preview", token=token)
    except directory_io.UploadRefused as exc:
        messages.error(request, str(exc))
        return redirect("membership:directory_import")
    if not result.ok:
        for problem in result.errors:
            messages.error(request, str(problem))
        return redirect("membership:directory_import")
    invite = reverse("membership:access") + "?" + urlencode({"state": "none"})
    return render(request, "membership/directory_io/result.html", {"result": result, "invite_url": invite})


@require_http_methods(["GET"])
def directory_export(request):
    _require(request)
    form = ExportForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return render(request, "membership/directory_io/export.html", {"form": form})
    day = form.cleaned_data["date"] or datetime.date.today()
    tables = directory_io.export_tables(day)
    stem = f"annuaire-{day.isoformat()}"
    if form.cleaned_data["format"] == "xlsx":
        response = HttpResponse(directory_io.export_xlsx(tables), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    else:
        response = HttpResponse(directory_io.export_zip(tables, stem), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{stem}.zip"'
    return response
