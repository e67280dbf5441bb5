"""URLs of flow 4's own pages (the dispatches themselves live on the case page)."""

from django.urls import path

from . import views

app_name = "fulfillment"

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreements"),
]
