"""The inbox (placeholder until the full inbox lands): a scoped list of cases."""

from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from ..selectors import cases_for_actor


def inbox(request):
    cases = cases_for_actor(actor=request.user).order_by("-last_activity_at", "-id")[:50]
    return render(request, "workspace/inbox.html", {"cases": cases})


def inbox_export(request):
    return HttpResponseNotAllowed(["GET"])


def inbox_bulk(request):
    return HttpResponseNotAllowed(["POST"])


def saved_view_create(request):
    return HttpResponseNotAllowed(["POST"])


def saved_view_delete(request, pk):
    return HttpResponseNotAllowed(["POST"])
