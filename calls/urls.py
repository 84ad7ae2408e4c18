"""Pages for calls: the new call, the call page, dispatch, research and abandoned calls."""

from django.urls import path

from calls.views import calls, dispatch
from calls.views import changes as call_changes
from calls.views import intelligence as call_intelligence
from calls.views.research import research_list

urlpatterns = [
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
]
