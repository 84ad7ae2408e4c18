"""API routes for casework (cases/, notifications/)."""

from rest_framework.routers import SimpleRouter

from cases.api.casework import CaseViewSet, NotificationViewSet

router = SimpleRouter(trailing_slash=True)
router.register("cases", CaseViewSet, basename="case")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
