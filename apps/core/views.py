"""Project-wide pages: home and the health probe."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import run_checks


def home(request):
    """Everyone starts at the inbox: what is waiting on them."""
    try:
        return redirect(reverse("workspace:inbox"))
    except NoReverseMatch:
        return redirect("partners:organization_list")


@login_not_required
@never_cache
@require_GET
def health(request):
    checks = run_checks()
    healthy = all(item["ok"] for item in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
