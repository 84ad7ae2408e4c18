"""API routes for casework (cases/, assessments/, notifications/)."""

from rest_framework.routers import SimpleRouter

from cases.api.casework import AssessmentViewSet, CaseViewSet, NotificationViewSet

router = SimpleRouter(trailing_slash=True)
router.register("cases", CaseViewSet, basename="case")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
