"""API routes for the victim contact timeline (contacts/)."""

from rest_framework.routers import SimpleRouter

from cases.api.contacts import ContactViewSet

router = SimpleRouter(trailing_slash=True)
router.register("contacts", ContactViewSet, basename="contact")

urlpatterns = router.urls
