from rest_framework.routers import DefaultRouter

from people.api.views import AddressViewSet, PersonViewSet

router = DefaultRouter(trailing_slash=True)
router.register("people", PersonViewSet, basename="person")
router.register("addresses", AddressViewSet, basename="address")

urlpatterns = router.urls
