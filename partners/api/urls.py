"""API routes for the victim contact timeline (contacts/) and the agencies working with
a victim (involvements/)."""

from rest_framework.routers import SimpleRouter

from partners.api.contacts import ContactViewSet
from partners.api.involvements import InvolvementViewSet

router = SimpleRouter(trailing_slash=True)
router.register("contacts", ContactViewSet, basename="contact")
router.register("involvements", InvolvementViewSet, basename="involvement")

urlpatterns = router.urls
