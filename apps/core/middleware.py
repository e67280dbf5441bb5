"""Request middleware: a content security policy and login-by-default for pages."""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired


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
