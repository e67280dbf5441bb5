"""URLs of the claim pages (the claim itself lives on the case page)."""

from django.urls import path

from . import views

app_name = "claims"

urlpatterns = [
    path("new/", views.claim_create, name="claim_open"),
    path("<int:case_id>/evidence-pack/", views.evidence_pack, name="evidence_pack"),
]
