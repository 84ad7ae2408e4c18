"""API routes for safety-plan actions (safety-actions/) and staff absences (absences/)."""

from rest_framework.routers import SimpleRouter

from cases.api.safety import AbsenceViewSet, SafetyActionViewSet

router = SimpleRouter(trailing_slash=True)
router.register("safety-actions", SafetyActionViewSet, basename="safety-action")
router.register("absences", AbsenceViewSet, basename="absence")

urlpatterns = router.urls
