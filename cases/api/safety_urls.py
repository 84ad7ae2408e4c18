"""API routes for safety-plan actions (safety-actions/), plans (safety-plans/) and staff
absences (absences/)."""

from rest_framework.routers import SimpleRouter

from cases.api.safety import AbsenceViewSet, SafetyActionViewSet, SafetyPlanViewSet

router = SimpleRouter(trailing_slash=True)
router.register("safety-actions", SafetyActionViewSet, basename="safety-action")
router.register("absences", AbsenceViewSet, basename="absence")
router.register("safety-plans", SafetyPlanViewSet, basename="safety-plan")

urlpatterns = router.urls
