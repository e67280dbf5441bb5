"""URLs for organizations, members and invitations."""

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.organization_list, name="organization_list"),
    path("<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("<slug:slug>/invite/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
