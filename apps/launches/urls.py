"""URLs of the launch pages and of the share actions the case page's panel posts to."""

from django.urls import path

from . import views

app_name = "launches"

urlpatterns = [
    path("", views.launch_list, name="launch_list"),
    path("new/", views.launch_create, name="launch_create"),
    path("<int:pk>/", views.launch_detail, name="launch_detail"),
    path("<int:pk>/go-no-go.pdf", views.launch_pdf, name="launch_pdf"),
    path("<int:pk>/transition/", views.launch_transition, name="launch_transition"),
    path("<int:pk>/move/", views.launch_move, name="launch_move"),
    path("<int:pk>/invite/", views.launch_invite, name="launch_invite"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
    path("items/<int:pk>/review/", views.item_review, name="item_review"),
    path("items/<int:pk>/upload/", views.material_upload, name="material_upload"),
    path("constraints/<int:pk>/resolve/", views.constraint_resolve, name="constraint_resolve"),
]
