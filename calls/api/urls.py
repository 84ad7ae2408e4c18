"""API routes for call handling (lookup/, incidents/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from calls.api.views import IncidentViewSet, LookupView

router = SimpleRouter(trailing_slash=True)
router.register("incidents", IncidentViewSet, basename="incident")

urlpatterns = [path("lookup/", LookupView.as_view(), name="lookup"), *router.urls]
