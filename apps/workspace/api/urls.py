"""API routes of the workspace under /api/v1/.

portal/urls.py mounts them before the flows' routes and the API's catch-all 404.
"""

from rest_framework.routers import SimpleRouter

from . import views

CASE = r"cases/(?P<case_pk>\d+)"

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="api-case")
router.register(f"{CASE}/messages", views.MessageViewSet, basename="api-case-message")
router.register(f"{CASE}/files", views.FileViewSet, basename="api-case-file")
router.register(f"{CASE}/transitions", views.TransitionViewSet, basename="api-case-transition")
router.register(f"{CASE}/timeline", views.TimelineViewSet, basename="api-case-timeline")

urlpatterns = router.urls
