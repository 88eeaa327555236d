from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from .views import AuditEventViewSet, GroupViewSet, UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="api-user")
router.register("groups", GroupViewSet, basename="api-group")
router.register("audit-events", AuditEventViewSet, basename="api-audit-event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("", include(router.urls)),
    path("", include("okta_insights.api")),
    path("", include("access_reviews.api.urls")),
]
