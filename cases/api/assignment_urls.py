"""API routes for claiming, releasing, reassigning and closing cases. Included before
`casework_urls` so that `cases/bulk-reassign/` is not read as a case id."""

from rest_framework.routers import SimpleRouter

from cases.api.assignment import CaseAssignmentViewSet

router = SimpleRouter(trailing_slash=True)
router.register("cases", CaseAssignmentViewSet, basename="case-assignment")

urlpatterns = router.urls
