"""URLs of flow 8's pages: an order's progress line, reporting a milestone, opening tracking."""

from django.urls import path

from . import views

app_name = "milestones"

urlpatterns = [
    path("progress/", views.order_progress, name="order_progress"),
    path("track/", views.track, name="track"),
    path("cases/<int:case_id>/report/", views.report, name="report"),
]
