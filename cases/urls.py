from django.urls import path

from cases.views import calls, people

urlpatterns = [
    path("people/", people.people_search, name="people_search"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("calls/", calls.calls, name="calls"),
    path("calls/new/", calls.call_start, name="call_start"),
    path("calls/<int:pk>/", calls.call_edit, name="call_edit"),
    path("calls/<int:pk>/autosave/", calls.call_autosave, name="call_autosave"),
    path("calls/<int:pk>/people/search/", calls.call_people_search, name="call_people_search"),
    path("calls/<int:pk>/log/", calls.call_log, name="call_log"),
    path("calls/<int:pk>/research/", calls.call_research, name="call_research"),
    path("calls/<int:pk>/history/", calls.call_history, name="call_history"),
    path("dispatch/", calls.dispatch, name="dispatch"),
]
