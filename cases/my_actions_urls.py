"""Pages listing safety-plan actions beyond a case's plan."""

from django.urls import path

from cases.views import my_actions

urlpatterns = [
    path("safety-actions/mine/", my_actions.my_safety_actions, name="my_safety_actions"),
    path(
        "safety-actions/attention/",
        my_actions.safety_actions_attention,
        name="safety_actions_attention",
    ),
]
