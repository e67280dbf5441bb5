"""URLs of the workspace: the inbox, cases, files and notifications."""

from django.urls import path

from .views import case, files, inbox, notifications

app_name = "workspace"

urlpatterns = [
    path("cases/", inbox.inbox, name="inbox"),
    path("cases/export.csv", inbox.inbox_export, name="inbox_export"),
    path("cases/bulk/", inbox.inbox_bulk, name="inbox_bulk"),
    path("cases/views/", inbox.saved_view_create, name="saved_view_create"),
    path("cases/views/<int:pk>/delete/", inbox.saved_view_delete, name="saved_view_delete"),
    path("cases/new/", case.case_create, name="case_create"),
    path("cases/<int:pk>/", case.case_detail, name="case_detail"),
    path("cases/<int:pk>/reply/", case.case_reply, name="case_reply"),
    path("cases/<int:pk>/upload/", case.case_upload, name="case_upload"),
    path("cases/<int:pk>/transition/", case.case_transition, name="case_transition"),
    path("cases/<int:pk>/update/", case.case_update, name="case_update"),
    path("cases/<int:pk>/watch/", case.case_watch, name="case_watch"),
    path("files/<int:pk>/download/", files.file_download, name="file_download"),
    path("files/<int:pk>/preview/", files.file_preview, name="file_preview"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/preferences/", notifications.notification_preferences, name="notification_preferences"),
    path("n/<str:token>/", notifications.notification_open, name="notification_open"),
]
