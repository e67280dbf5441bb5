"""/api/v1/ in order: organizations, SFCC push, the workspace, the flows' routes, then the catch-all 404."""

import importlib

import pytest
from django.urls import URLResolver, clear_url_caches, resolve
from rest_framework import viewsets
from rest_framework.response import Response

import portal.urls
from apps.core.api import ApiNotFound
from apps.workspace import flows
from apps.workspace.states import default_workflow

KIND = "test_api_flow"


def api_v1_patterns() -> list:
    for pattern in portal.urls.urlpatterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "api/v1/":
            return pattern.url_patterns
    raise AssertionError("nothing is mounted at /api/v1/")


def test_the_catch_all_is_the_last_api_route():
    patterns = api_v1_patterns()
    assert getattr(patterns[-1], "name", None) == "api-not-found"
    assert not any(getattr(p, "name", None) == "api-not-found" for p in patterns[:-1])


class WidgetViewSet(viewsets.ViewSet):
    authentication_classes: list = []
    permission_classes: list = []

    def list(self, request):
        return Response({"widgets": []})


@pytest.fixture
def flow_with_routes():
    def routes(router):
        router.register("widgets", WidgetViewSet, basename="test-widget")

    flows.register_flow(
        flows.Flow(kind=KIND, label="Widgets", workflow=default_workflow(KIND), api_routes=routes)
    )
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    flows._FLOWS.pop(KIND)
    importlib.reload(portal.urls)
    clear_url_caches()


def test_a_flow_route_registered_after_the_workspace_is_reachable(client, flow_with_routes):
    assert resolve("/api/v1/widgets/").func.cls is WidgetViewSet
    response = client.get("/api/v1/widgets/")
    assert response.status_code == 200
    assert response.json() == {"widgets": []}


def test_an_unknown_api_route_is_a_json_404(client):
    assert resolve("/api/v1/no-such-thing/").func.view_class is ApiNotFound
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
