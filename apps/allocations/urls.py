"""URLs of flow 2's pages; each share itself lives on the case page."""

from django.urls import path

from . import views

app_name = "allocations"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("priority/", views.priority_request, name="priority_request"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/import/", views.plan_import, name="plan_import"),
    path("<int:pk>/lines/", views.plan_line_add, name="plan_line_add"),
    path("<int:pk>/refresh/", views.plan_refresh, name="plan_refresh"),
    path("<int:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("<int:pk>/export.<str:fmt>", views.plan_export, name="plan_export"),
    path(
        "<int:pk>/lines/<int:line_pk>/substitution/",
        views.substitution_decide,
        name="substitution_decide",
    ),
    path("shares/<int:case_pk>/answers/", views.share_answers_upload, name="share_answers_upload"),
    path(
        "shares/<int:case_pk>/answers.csv",
        views.share_answers_template,
        name="share_answers_template",
    ),
]
