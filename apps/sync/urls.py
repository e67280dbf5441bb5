"""URLs of the operations page, mounted at /operations/."""

from django.urls import path

from . import views

app_name = "sync"

urlpatterns = [
    path("", views.operations, name="operations"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("messages/<int:pk>/discard/", views.message_discard, name="message_discard"),
    path("targets/<str:target>/retry-dead/", views.retry_dead, name="retry_dead"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/retry/", views.inbox_retry, name="inbox_retry"),
    path("inbox/<int:pk>/ignore/", views.inbox_ignore, name="inbox_ignore"),
]
