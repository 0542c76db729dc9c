from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from membership.accounts.forms import AdminLoginForm
from ptf_portal import two_factor, views, views_audit, views_status

# Django admin's own login page is slowed down per login like the portal's (membership.accounts.slowdown).
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("status", views_status.status, name="status"),
    path("status/banner/", views_status.status_banner, name="status_banner"),
    # Pages that link no icon (the admin's, a PDF opened in the browser) make browsers ask for /favicon.ico.
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/disable/", two_factor.disable, name="two_factor_disable"),
    path("audit/", views_audit.audit_list, name="audit"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("directory/", include("membership.urls_directory")),
    path("people/", include("membership.urls")),
    # The secretariat's pages keep their historical paths, some under /meetings/ and /people/.
    path("", include("secretariat.urls")),
    path("meetings/", include("meetings.urls")),
    path("search/", include("search.urls")),
    path("procedures/", include("procedures.urls")),
]

handler500 = "ptf_portal.views.server_error"
