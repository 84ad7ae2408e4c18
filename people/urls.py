"""Pages for people and places."""

from django.urls import path

from people import views as people

urlpatterns = [
    path("people/", people.people_search, name="people_search"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
]
