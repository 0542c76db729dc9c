"""The secretariat's pages, with the paths users already have in their mailboxes (some under /meetings/)."""

from django.urls import path

from secretariat.views import answers, invitations, mailbox, meeting_changes, portal, reports, rsvp

app_name = "secretariat"
urlpatterns = [
    # Answering and following invitations
    path("secretariat/rsvp/<str:token>/", rsvp.rsvp, name="rsvp"),
    path("secretariat/calendar/<str:token>.ics", rsvp.calendar_feed, name="calendar_feed"),
    path("meetings/invitations/", portal.my_invitations, name="my_invitations"),
    path("meetings/invitations/<id:pk>/answer/", portal.my_rsvp, name="my_rsvp"),
    path("people/me/calendar/", portal.my_calendar, name="my_calendar"),
    # The dashboard of those who run meetings
    path("meetings/dashboard/", portal.dashboard, name="dashboard"),
    path("meetings/dashboard/progress/", portal.dashboard_progress, name="dashboard_progress"),
    # Distribution lists and sending (M10)
    path("meetings/<id:pk>/distribution/", invitations.distribution, name="distribution"),
    path("secretariat/meetings/<id:meeting_id>/distribution.csv", rsvp.distribution_csv, name="distribution_csv"),
    path("secretariat/meetings/<id:meeting_id>/distribution.vcf", rsvp.distribution_vcard,
         name="distribution_vcard"),
    path("meetings/<id:pk>/send/", invitations.send_invitations, name="send"),
    path("meetings/<id:pk>/progress/", invitations.progress_fragment, name="progress"),
    path("meetings/<id:pk>/failed/", invitations.failed_invitations, name="failed"),
    path("meetings/invitations/<id:pk>/retry/", invitations.invitation_retry, name="invitation_retry"),
    # Who is coming: the answers roster, its CSV, an answer recorded on someone's behalf
    path("meetings/<id:pk>/answers/", answers.roster, name="answers"),
    path("meetings/<id:pk>/answers.csv", answers.roster_csv, name="answers_csv"),
    path("meetings/<id:pk>/answers/on-behalf/", answers.record_on_behalf, name="answer_on_behalf"),
    # Changes that every invitee is told about
    path("meetings/<id:pk>/reschedule/", meeting_changes.meeting_reschedule, name="reschedule"),
    path("meetings/<id:pk>/cancel/", meeting_changes.meeting_cancel, name="cancel"),
    # What the portal read from the secretariat's mailbox: calendar replies, bounces, automatic replies
    path("secretariat/mailbox/", mailbox.mailbox, name="mailbox"),
    path("secretariat/mailbox/<id:pk>/handled/", mailbox.mailbox_handled, name="mailbox_handled"),
    path("secretariat/mailbox/<id:pk>/confirm/", mailbox.mailbox_confirm, name="mailbox_confirm"),
    # Printed documents of a meeting, and the yearly reports
    path("secretariat/meetings/<id:pk>/convocation.pdf", reports.convocation, name="report_convocation"),
    path("secretariat/meetings/<id:pk>/attendance-sheet.pdf", reports.attendance_sheet, name="report_attendance"),
    path("secretariat/meetings/<id:pk>/minutes.pdf", reports.minutes, name="report_minutes"),
    path("secretariat/reports/assiduity/", reports.assiduity, name="assiduity"),
    path("secretariat/reports/assiduity.csv", reports.assiduity_csv, name="assiduity_csv"),
    path("secretariat/reports/groups/", reports.group_activity, name="group_activity"),
]
