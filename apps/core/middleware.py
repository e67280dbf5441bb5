"""Request middleware: a content security policy, login-by-default, and branded 405 pages."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.shortcuts import render, resolve_url
from django_htmx.http import HttpResponseClientRedirect


class ContentSecurityPolicyMiddleware:
    """Adds the configured Content-Security-Policy header (Django 5.2 has no built-in one)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a login unless marked otherwise.

    The API and the health probe answer with their own status codes instead of a redirect
    to the login page, so they are left to their own authentication.
    """

    exempt_prefixes = ("/api/", "/health/", "/static/")

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(self.exempt_prefixes):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        """An htmx request whose session ended gets a whole sign-in page, then the page the
        person was on (not the address the form posts to, which only answers POST)."""
        if not request.htmx:
            return super().handle_no_permission(request, view_func)
        back = request.htmx.current_url_abs_path or "/"
        login = resolve_url(self.get_login_url(view_func))
        return HttpResponseClientRedirect(
            f"{login}?{urlencode({self.get_redirect_field_name(view_func): back})}"
        )


class MethodNotAllowedPageMiddleware:
    """Django answers a GET on a POST-only page with an empty 405; people get a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
