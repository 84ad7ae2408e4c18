"""Pages for safety plans and staff absences."""

from django.urls import path

from cases.views import absences, safety

urlpatterns = [
    path("cases/<int:pk>/safety-plan/", safety.safety_plan, name="safety_plan"),
    path("cases/<int:pk>/safety-plan/agree/", safety.safety_plan_agree, name="safety_plan_agree"),
    path("cases/<int:pk>/safety-plan/actions/", safety.safety_action_add, name="safety_action_add"),
    path(
        "cases/<int:pk>/safety-plan/owners/",
        safety.safety_owner_search,
        name="safety_owner_search",
    ),
    path(
        "cases/<int:pk>/safety-plan/actions/<int:action_pk>/complete/",
        safety.safety_action_complete,
        name="safety_action_complete",
    ),
    path(
        "cases/<int:pk>/safety-plan/actions/<int:action_pk>/reassign/",
        safety.safety_action_reassign,
        name="safety_action_reassign",
    ),
    path(
        "cases/<int:pk>/safety-plan/actions/<int:action_pk>/cancel/",
        safety.safety_action_cancel,
        name="safety_action_cancel",
    ),
    path("absences/", absences.absences, name="absences"),
    path("absences/<int:pk>/end/", absences.absence_end, name="absence_end"),
    path("absences/<int:pk>/change/", absences.absence_change, name="absence_change"),
    path("absences/<int:pk>/cancel/", absences.absence_cancel, name="absence_cancel"),
]
