from django.urls import include, path

from membership import views

app_name = "membership"
urlpatterns = [
    path("partners/", views.partner_list, name="partners"),
    path("partners/<id:pk>/", views.partner_detail, name="partner"),
    path("me/mandates/", views.my_mandates, name="my_mandates"),
    # Portal access, the Secretariat page, invitation links and password reset (membership.accounts).
    path("", include("membership.accounts.urls")),
]
