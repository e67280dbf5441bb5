"""URLs of the agent's pages of flows 1 and 7 (the cases themselves live on the case page)."""

from django.urls import path

from . import views

app_name = "exceptions"

urlpatterns = [
    path("escalate/", views.escalation_create, name="escalate"),
    path("new/", views.exception_create, name="exception_open"),
]
