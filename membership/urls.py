from django.urls import include, path

from membership import views, views_directory_io

app_name = "membership"
urlpatterns = [
    path("partners/", views.partner_list, name="partners"),
    path("partners/<id:pk>/", views.partner_detail, name="partner"),
    path("me/mandates/", views.my_mandates, name="my_mandates"),
    path("import/", views_directory_io.directory_import, name="directory_import"),
    path("import/<str:token>/", views_directory_io.directory_import_preview, name="directory_import_preview"),
    path("import/<str:token>/apply/", views_directory_io.directory_import_apply, name="directory_import_apply"),
    path("export/", views_directory_io.directory_export, name="directory_export"),
    # Portal access, the Secretariat page, invitation links and password reset (membership.accounts).
    path("", include("membership.accounts.urls")),
]
