from django.urls import path

from procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.index, name="index"),
    path("body/<id:body_id>/", views.body_list, name="body_list"),
    path("body/<id:body_id>/new/", views.create, name="create"),
    path("answer/<str:token>/", views.answer_link, name="answer_link"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/edit/", views.edit, name="edit"),
    path("<id:pk>/attachment/", views.attachment, name="attachment"),
    path("<id:pk>/launch/", views.launch, name="launch"),
    path("<id:pk>/extend/", views.extend, name="extend"),
    path("<id:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<id:pk>/answer/", views.answer, name="answer"),
    path("<id:pk>/seats/<id:seat_pk>/stand-in/", views.stand_in, name="stand_in"),
    path("<id:pk>/seats/<id:seat_pk>/record/", views.record_for, name="record_for"),
    path("<id:pk>/record.pdf", views.record_pdf, name="record_pdf"),
]
