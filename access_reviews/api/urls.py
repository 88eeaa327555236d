"""/api/v1/access-reviews/: included by querypie_admin.api.urls."""

from rest_framework.routers import DefaultRouter

from .views import CampaignViewSet, ItemViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("access-reviews/campaigns", CampaignViewSet, basename="api-access-review")
router.register("access-reviews/items", ItemViewSet, basename="api-access-review-item")

urlpatterns = router.urls
