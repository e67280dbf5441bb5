"""Top-level URLs."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter, SimpleRouter

from apps.accounts import views as accounts_views
from apps.core import views as core_views
from apps.core.api import ApiNotFound
from apps.partners.api.views import OrganizationViewSet
from apps.workspace.flows import flows

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")


def flow_api_router() -> SimpleRouter:
    """Each flow's API routes (`Flow.api_routes`), which flow apps declare from their ready().

    A SimpleRouter: the router above already serves the API root at /api/v1/.
    """
    flow_router = SimpleRouter()
    for flow in flows():
        if flow.api_routes is not None:
            flow.api_routes(flow_router)
    return flow_router


api_v1 = [
    path("", include(router.urls)),
    path("sfcc/", include("apps.sfcc.urls")),
    path("", include("apps.workspace.api.urls")),
    path("", include(flow_api_router().urls)),
    # Last: an unknown route answers the API's JSON 404, and would shadow anything after it.
    re_path(r"^.*$", ApiNotFound.as_view(), name="api-not-found"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("organizations/", include("apps.partners.urls")),
    path("operations/", include("apps.sync.urls")),
    path("edi/", include("apps.tradinggrid.urls")),
    path("orders/", include("apps.orders.urls")),
    path("exceptions/", include("apps.exceptions.urls")),
    path("fulfillment/", include("apps.fulfillment.urls")),
    path("milestones/", include("apps.milestones.urls")),
    path("claims/", include("apps.claims.urls")),
    path("documents/", include("apps.documents.urls")),
    path("launches/", include("apps.launches.urls")),
    path("allocations/", include("apps.allocations.urls")),
    path("", include("apps.workspace.urls")),
    # Before the admin's own URLs: its login form would bypass allauth's MFA and rate limits.
    path("admin/login/", accounts_views.admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

handler500 = "apps.core.api.server_error"
