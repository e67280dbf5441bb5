"""Top-level URLs."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.core import views as core_views
from apps.partners.api.views import OrganizationViewSet

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("organizations/", include("apps.partners.urls")),
    path("operations/", include("apps.sync.urls")),
    path("edi/", include("apps.tradinggrid.urls")),
    path("", include("apps.workspace.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/sfcc/", include("apps.sfcc.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("apps.workspace.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]
