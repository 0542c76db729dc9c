from django.urls import path

from meetings.views import agenda, invitations, pages, records, referrals
from secretariat import views_portal

app_name = "meetings"
urlpatterns = [
    path("", pages.meeting_list, name="list"),
    path("new/", pages.meeting_create, name="create"),
    path("schedule/", pages.schedule_generate, name="schedule"),
    path("dashboard/", views_portal.dashboard, name="dashboard"),
    path("dashboard/progress/", views_portal.dashboard_progress, name="dashboard_progress"),
    path("invitations/", views_portal.my_invitations, name="my_invitations"),
    path("invitations/<int:pk>/answer/", views_portal.my_rsvp, name="my_rsvp"),
    path("invitations/<int:pk>/retry/", invitations.invitation_retry, name="invitation_retry"),
    path("actions/", records.action_register, name="actions"),
    path("actions/<int:pk>/done/", records.action_done, name="action_done"),
    path("documents/<int:pk>/", pages.document_download, name="document"),
    path("referrals/", referrals.referral_index, name="referrals"),
    path("referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral"),
    path("<int:pk>/", pages.meeting_detail, name="detail"),
    path("<int:pk>/edit/", pages.meeting_edit, name="edit"),
    path("<int:pk>/propose-agenda/", pages.meeting_propose_agenda, name="propose_agenda"),
    path("<int:pk>/held/", pages.meeting_mark_held, name="mark_held"),
    path("<int:pk>/reschedule/", pages.meeting_reschedule, name="reschedule"),
    path("<int:pk>/cancel/", pages.meeting_cancel, name="cancel"),
    path("<int:pk>/approve-minutes/", pages.meeting_approve_minutes, name="approve_minutes"),
    path("<int:pk>/propose/", pages.item_propose, name="propose_item"),
    path("<int:pk>/items/add/", agenda.item_add, name="item_add"),
    path("<int:pk>/items/<int:item_pk>/edit/", agenda.item_edit, name="item_edit"),
    path("<int:pk>/items/<int:item_pk>/move/", agenda.item_move, name="item_move"),
    path("<int:pk>/items/<int:item_pk>/remove/", agenda.item_remove, name="item_remove"),
    path("<int:pk>/items/<int:item_pk>/decide/", agenda.item_decide, name="item_decide"),
    path("<int:pk>/documents/add/", agenda.document_add, name="document_add"),
    path("<int:pk>/distribution/", invitations.distribution, name="distribution"),
    path("<int:pk>/send/", invitations.send_invitations, name="send"),
    path("<int:pk>/progress/", invitations.progress_fragment, name="progress"),
    path("<int:pk>/failed/", invitations.failed_invitations, name="failed"),
    path("<int:pk>/attendance/", records.attendance, name="attendance"),
    path("<int:pk>/records/", records.records, name="records"),
]
