"""The operator's status endpoint and the SEG dashboard's banner (ptf_portal.operations)."""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.version import VERSION
from membership.access import is_secretariat
from ptf_portal.operations import banner_incidents, evaluate


def _bearer_ok(request) -> bool:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    return bool(settings.STATUS_TOKEN) and bool(token) and hmac.compare_digest(token, settings.STATUS_TOKEN)


@login_not_required
@require_GET
def status(request):
    """JSON for monitoring: 200 when every check passes, 503 otherwise. Only for the STATUS_TOKEN bearer or
    signed-in SEG staff and admins (it names the moving parts, not who uses them)."""
    user = request.user
    if not (_bearer_ok(request) or user.is_staff or is_secretariat(user)):
        return JsonResponse({"detail": "forbidden"}, status=403)
    findings, incidents = evaluate()
    ok = all(f.ok for f in findings)
    return JsonResponse({
        "ok": ok, "version": VERSION, "checks": {f.name: f.as_dict() for f in findings},
        "open_incidents": [{"check": i.check_name, "opened_at": i.opened_at.isoformat()} for i in incidents],
    }, status=200 if ok else 503)


@require_GET
def status_banner(request):
    """The dashboard's banner (asked by htmx): what stopped, in plain words; empty for everyone but the SEG.
    Opened as a page (a bookmark, no JavaScript), the same facts in the portal's layout."""
    incidents = banner_incidents() if is_secretariat(request.user) else []
    if request.headers.get("HX-Request"):
        if not is_secretariat(request.user):
            return HttpResponse("")
        return render(request, "operations/_banner.html", {"incidents": incidents})
    return render(request, "operations/status_page.html", {"incidents": incidents})
