"""Sign-in goes through allauth only: rate limits and the second factor live there."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


@login_not_required
def admin_login(request):
    """The Django admin's own login form skips allauth (no second factor, no rate limit):
    send it to allauth's, coming back to the admin. The admin itself admits only staff, and
    the MFA policy middleware admits staff only once enrolled."""
    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")
