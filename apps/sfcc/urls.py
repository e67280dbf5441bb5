"""SFCC connector URLs, mounted at /api/v1/sfcc/."""

from django.urls import path

from . import views

app_name = "sfcc"

urlpatterns = [
    path("events", views.push_events, name="push_events"),
]
