"""URLs of portal accounts, included in the membership namespace under /people/."""

from django.urls import path

from membership.accounts import views

urlpatterns = [
    path("access/", views.access_list, name="access"),
    path("access/invite/", views.access_invite, name="access_invite"),
    path("access/<id:pk>/enable/", views.access_enable, name="access_enable"),
    path("access/secretariat/", views.secretariat_staff, name="secretariat_staff"),
    path("access/secretariat/<id:pk>/remove/", views.secretariat_staff_remove, name="secretariat_staff_remove"),
    path("access/secretariat/<id:pk>/reinvite/", views.secretariat_staff_reinvite, name="secretariat_staff_reinvite"),
    path("access/activate/", views.activate_password, name="activate_password"),
    path("access/activate/<str:token>/", views.activate, name="activate"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
]
