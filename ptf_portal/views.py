from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from membership.access import managed_instances
from membership.accounts.forms import LoginForm
from membership.roles import is_secretariat, person_of
from secretariat.views import portal as views_portal


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def home(request):
    """Each role lands where its work is: the SEG and group leaders on their dashboard, a representative on
    their invitations."""
    user = request.user
    if is_secretariat(user) or managed_instances(user).exists():
        return views_portal.dashboard(request)
    if person_of(user) is not None:
        return views_portal.my_invitations(request)
    return render(request, "home.html")


@login_not_required
@require_GET
def healthz(request):
    """Liveness for the container orchestrator: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
