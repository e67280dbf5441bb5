"""URLs of the order pages."""

from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("<str:order_no>/", views.order_detail, name="order_detail"),
]
