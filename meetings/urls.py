from django.urls import path

from meetings.views import agenda, groups, pages, records, referrals

app_name = "meetings"
urlpatterns = [
    path("", pages.meeting_list, name="list"),
    path("new/", pages.meeting_create, name="create"),
    path("my-groups/", groups.my_groups, name="my_groups"),
    path("schedule/", pages.schedule_generate, name="schedule"),
    path("actions/", records.action_register, name="actions"),
    path("actions.csv", records.action_register_csv, name="actions_csv"),
    path("decisions/", records.decision_register, name="decisions"),
    path("actions/<id:pk>/done/", records.action_done, name="action_done"),
    path("documents/<id:pk>/", pages.document_download, name="document"),
    path("referrals/", referrals.referral_index, name="referrals"),
    path("referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals/<id:pk>/", referrals.referral_detail, name="referral"),
    path("<id:pk>/", pages.meeting_detail, name="detail"),
    path("<id:pk>/edit/", pages.meeting_edit, name="edit"),
    path("<id:pk>/propose-agenda/", pages.meeting_propose_agenda, name="propose_agenda"),
    path("<id:pk>/held/", pages.meeting_mark_held, name="mark_held"),
    path("<id:pk>/approve-minutes/", pages.meeting_approve_minutes, name="approve_minutes"),
    path("<id:pk>/propose/", pages.item_propose, name="propose_item"),
    path("<id:pk>/items/add/", agenda.item_add, name="item_add"),
    path("<id:pk>/items/<id:item_pk>/edit/", agenda.item_edit, name="item_edit"),
    path("<id:pk>/items/<id:item_pk>/move/", agenda.item_move, name="item_move"),
    path("<id:pk>/items/<id:item_pk>/remove/", agenda.item_remove, name="item_remove"),
    path("<id:pk>/items/<id:item_pk>/decide/", agenda.item_decide, name="item_decide"),
    path("<id:pk>/documents/add/", agenda.document_add, name="document_add"),
    path("<id:pk>/attendance/", records.attendance, name="attendance"),
    path("<id:pk>/records/", records.records, name="records"),
]
