from django.urls import path

from membership import views_directory as views

app_name = "directory"
urlpatterns = [
    path("", views.instance_list, name="list"),
    path("organigram/", views.organigram, name="organigram"),
    path("<slug:code>/", views.instance_detail, name="detail"),
]
