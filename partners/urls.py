"""Pages for a victim's contact timeline and the agencies working with her."""

from django.urls import path

from partners.views import contacts, involvements

urlpatterns = [
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
]
