"""Pages for cases, queues, caseloads, claiming and reassigning, safety plans and absences."""

from django.urls import include, path

from cases.views import assignment, casework, out_of_hours

urlpatterns = [
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
    path("cases/<int:pk>/claim/", assignment.case_claim, name="case_claim"),
    path("cases/<int:pk>/release/", assignment.case_release, name="case_release"),
    path("cases/<int:pk>/reassign/", assignment.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/close/", assignment.case_close, name="case_close"),
    path("queues/<int:pk>/reassign/", assignment.queue_bulk_reassign, name="queue_bulk_reassign"),
    path("caseload/", assignment.caseload, name="caseload"),
    path(
        "out-of-hours/<int:pk>/acknowledge/",
        out_of_hours.out_of_hours_acknowledge,
        name="out_of_hours_acknowledge",
    ),
    path("queues/", casework.queues, name="queues"),
    path("queues/<int:pk>/", casework.queue_detail, name="queue_detail"),
    path("", include("cases.safety_urls")),
]
