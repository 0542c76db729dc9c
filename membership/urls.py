from django.urls import path

from membership import views

app_name = "membership"
urlpatterns = [
    path("partners/", views.partner_list, name="partners"),
    path("partners/<int:pk>/", views.partner_detail, name="partner"),
    path("me/mandates/", views.my_mandates, name="my_mandates"),
]
