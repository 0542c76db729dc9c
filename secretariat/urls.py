from django.urls import path

from secretariat import views, views_mailbox

app_name = "secretariat"
urlpatterns = [
    path("rsvp/<str:token>/", views.rsvp, name="rsvp"),
    path("meetings/<int:meeting_id>/distribution.csv", views.distribution_csv, name="distribution_csv"),
    path("meetings/<int:meeting_id>/distribution.vcf", views.distribution_vcard, name="distribution_vcard"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("mailbox/", views_mailbox.mailbox, name="mailbox"),
    path("mailbox/<int:pk>/handled/", views_mailbox.mailbox_handled, name="mailbox_handled"),
]
