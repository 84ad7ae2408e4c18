from django.urls import include, path

from cases.views import (
    assignment,
    call_changes,
    call_intelligence,
    calls,
    casework,
    contacts,
    dispatch,
    involvements,
    out_of_hours,
    people,
)
from cases.views.research import research_list
from dasapp import views_notifications

urlpatterns = [
    path("people/", people.people_search, name="people_search"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/contacts/", contacts.contact_timeline, name="contact_timeline"),
    path("people/<int:pk>/contacts/new/", contacts.contact_create, name="contact_create"),
    path(
        "people/<int:pk>/agencies/new/",
        involvements.involvement_create,
        name="involvement_create",
    ),
    path(
        "people/<int:pk>/agencies/<int:involvement_pk>/end/",
        involvements.involvement_end,
        name="involvement_end",
    ),
    path("agency/victims/", involvements.agency_victims, name="agency_victims"),
    path("calls/", calls.calls, name="calls"),
    path("calls/new/", calls.call_start, name="call_start"),
    path("calls/<int:pk>/", calls.call_edit, name="call_edit"),
    path("calls/<int:pk>/autosave/", calls.call_autosave, name="call_autosave"),
    path("calls/<int:pk>/save/", calls.call_save_draft, name="call_save_draft"),
    path("calls/<int:pk>/people/search/", calls.call_people_search, name="call_people_search"),
    path("calls/<int:pk>/log/", calls.call_log, name="call_log"),
    path("calls/<int:pk>/research/", calls.call_research, name="call_research"),
    path("calls/<int:pk>/history/", calls.call_history, name="call_history"),
    path(
        "calls/<int:pk>/intelligence/",
        call_intelligence.call_intelligence,
        name="call_intelligence",
    ),
    path("calls/<int:pk>/regrade/", call_changes.call_regrade, name="call_regrade"),
    path("calls/<int:pk>/attended/", dispatch.call_attended, name="call_attended"),
    path("calls/<int:pk>/close/", dispatch.call_close, name="call_close"),
    path("calls/<int:pk>/abandon/", call_changes.call_abandon, name="call_abandon"),
    path("calls/abandoned/", call_changes.calls_abandoned, name="calls_abandoned"),
    path("dispatch/", dispatch.dispatch, name="dispatch"),
    path("research/", research_list, name="research_list"),
    path("cases/<int:pk>/", casework.case_detail, name="case_detail"),
    path("cases/<int:pk>/history/", casework.case_history, name="case_history"),
    path("cases/<int:pk>/agree/", casework.case_agree, name="case_agree"),
    path("cases/<int:pk>/risk-level/", casework.case_risk_change, name="case_risk_change"),
    path("cases/<int:pk>/challenge/", casework.case_challenge, name="case_challenge"),
    path(
        "cases/<int:pk>/tasks/<int:task_pk>/complete/",
        casework.case_task_complete,
        name="case_task_complete",
    ),
    # Assignment: claim, release, reassign, close, caseload ------------------------------
    path("cases/<int:pk>/claim/", assignment.case_claim, name="case_claim"),
    path("cases/<int:pk>/release/", assignment.case_release, name="case_release"),
    path("cases/<int:pk>/reassign/", assignment.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/close/", assignment.case_close, name="case_close"),
    path("queues/<int:pk>/reassign/", assignment.queue_bulk_reassign, name="queue_bulk_reassign"),
    path("caseload/", assignment.caseload, name="caseload"),
    # -------------------------------------------------------------------------------------
    path(
        "out-of-hours/<int:pk>/acknowledge/",
        out_of_hours.out_of_hours_acknowledge,
        name="out_of_hours_acknowledge",
    ),
    path("queues/", casework.queues, name="queues"),
    path("queues/<int:pk>/", casework.queue_detail, name="queue_detail"),
    path("notifications/", views_notifications.inbox, name="notifications"),
    path(
        "notifications/<int:pk>/", views_notifications.notification_open, name="notification_open"
    ),
    path(
        "notifications/<int:pk>/read/",
        views_notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        views_notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path("", include("cases.safety_urls")),  # safety plans and absences
]
