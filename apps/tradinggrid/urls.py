"""URLs of the EDI ledger and the Trading Grid partner settings, mounted at /edi/."""

from django.urls import path

from . import views

app_name = "tradinggrid"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("interchanges/<int:pk>/", views.interchange_detail, name="interchange_detail"),
    path("interchanges/<int:pk>/raw/", views.interchange_raw, name="interchange_raw"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/<int:pk>/", views.partner_settings, name="partner_settings"),
]
