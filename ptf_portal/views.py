import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from core.version import VERSION
from membership.access import manages_meetings
from membership.accounts import slowdown
from membership.accounts.forms import LoginForm
from membership.roles import person_id_of
from ptf_portal.middleware import note_denial
from secretariat.views import portal as views_portal


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # This browser has signed in to this login: the per-login slow-down no longer applies to it.
        response.set_cookie(slowdown.DEVICE_COOKIE, slowdown.device_cookie_value(self.request,
                                                                                 form.cleaned_data["username"]),
                            max_age=slowdown.DEVICE_COOKIE_MAX_AGE, secure=settings.SESSION_COOKIE_SECURE,
                            httponly=True, samesite="Lax")
        return response


def home(request):
    """Each role lands where its work is: the SEG and group leaders on their dashboard, a representative on
    their invitations."""
    user = request.user
    if manages_meetings(user):
        return views_portal.dashboard(request)
    if person_id_of(user) is not None:
        return views_portal.my_invitations(request)
    return render(request, "home.html")


@login_not_required
@require_GET
def healthz(request):
    """Liveness for the container orchestrator: the database answers. Says the release, nothing else."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "version": VERSION})


@login_not_required
@require_GET
def favicon(request):
    """Pages that link no icon (the admin's, a PDF opened in the browser) make browsers ask for /favicon.ico.
    The static file's URL is read per request: with DEBUG off it is the hashed name, known only once
    `collectstatic` has run, never at import."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@login_not_required
def csrf_failure(request, reason=""):
    """The portal's own page for a refused form (CSRF_FAILURE_VIEW): in the user's language, under the CSP
    (no inline style, unlike Django's page), and the refusal goes to the security log with its reason."""
    note_denial(request, f"CSRF: {reason}")
    return render(request, "403_csrf.html", status=403)


def error_channel_configured() -> bool:
    """Server errors reach someone: ADMINS receive them by e-mail (mail_admins runs only with DEBUG off)."""
    if settings.DEBUG or not settings.ADMINS:
        return False
    handlers = logging.getLogger("django").handlers + logging.getLogger("django.request").handlers
    return any(handler.__class__.__name__ == "AdminEmailHandler" for handler in handlers)


@requires_csrf_token
def server_error(request):
    """handler500: a page without the portal's layout (its code may be what failed), which says the secretariat
    was notified only when an error channel is configured."""
    context = {"notified": error_channel_configured(), "contact": settings.SECRETARIAT_EMAIL}
    try:
        return HttpResponseServerError(loader.get_template("500.html").render(context))
    except Exception:  # the template itself is broken: a plain line still answers
        return HttpResponseServerError("Erreur du serveur / Server error", content_type="text/plain")
