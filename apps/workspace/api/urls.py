"""API routes of the workspace under /api/v1/.

The catch-all comes last: an unknown route under /api/v1/ answers a JSON 404 instead of the
site's HTML page. Routes included after this module under /api/v1/ would be shadowed by it.
"""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

CASE = r"cases/(?P<case_pk>\d+)"

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
router.register(f"{CASE}/messages", views.MessageViewSet, basename="api-case-message")
router.register(f"{CASE}/files", views.FileViewSet, basename="api-case-file")
router.register(f"{CASE}/transitions", views.TransitionViewSet, basename="api-case-transition")
router.register(f"{CASE}/timeline", views.TimelineViewSet, basename="api-case-timeline")

urlpatterns = [
    *router.urls,
    re_path(r"^.*$", views.ApiNotFound.as_view(), name="api-not-found"),
]
