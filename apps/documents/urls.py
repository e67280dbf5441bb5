"""URLs of flow 3's pages (the requests themselves live on the case page)."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:pk>/submit/", views.document_submit, name="submit"),
    path("orders/<str:order_no>/documents.zip", views.order_zip, name="order_zip"),
]
