from django.urls import path

from risk import views

urlpatterns = [
    path("dv1/", views.dv1_list, name="dv1_list"),
    path("dv1/start/", views.dv1_start, name="dv1_start"),
    path("dv1/<int:pk>/", views.dv1_edit, name="dv1_edit"),
    path("dv1/<int:pk>/autosave/", views.dv1_autosave, name="dv1_autosave"),
    path("dv1/<int:pk>/submit/", views.dv1_submit, name="dv1_submit"),
    path("dv1/<int:pk>/submitted/", views.dv1_confirmation, name="dv1_confirmation"),
    path("dv1/<int:pk>/amend/", views.dv1_amend, name="dv1_amend"),
    path("dv1/<int:pk>/check/", views.dv1_check, name="dv1_check"),
    # Last: a section's slug must not hide the fixed paths above.
    path("dv1/<int:pk>/<slug:section>/", views.dv1_section, name="dv1_section"),
]
