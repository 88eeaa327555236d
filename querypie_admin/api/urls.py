from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .docs import ApiRoot
from .views import AuditEventViewSet, GroupViewSet, UserViewSet

router = DefaultRouter()
router.include_root_view = False  # ApiRoot lists the Okta visibility's endpoints too
router.register("users", UserViewSet, basename="api-user")
router.register("groups", GroupViewSet, basename="api-group")
router.register("audit-events", AuditEventViewSet, basename="api-audit-event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", ApiRoot.as_view(), name="api-root"),
    path("", include(router.urls)),
    path("", include("okta_insights.api")),
    path("", include("access_reviews.api.urls")),
]
