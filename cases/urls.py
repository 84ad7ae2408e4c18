from django.urls import path

from cases import views

urlpatterns = [
    path("people/", views.people_search, name="people_search"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
]
