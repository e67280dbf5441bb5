"""The API's error format: every 4xx and 5xx answers with a JSON body that gives a reason."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import DomainError
from apps.core.parsers import DepthLimitedJSONParser

__all__ = ["ApiNotFound", "DepthLimitedJSONParser", "exception_handler", "server_error"]

logger = logging.getLogger("apps.api")


def exception_handler(exc, context):
    """Map domain and Django errors to DRF ones, then shape every error the same way.

    Body: {"error": {"code": "...", "message": "...", "fields": {...}}}.
    """
    if isinstance(exc, DomainError):
        return Response(
            {"error": {"code": exc.code, "message": str(exc), "fields": exc.fields}},
            status=exc.http_status,
        )
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        # Unexpected: logged with its traceback, answered in the API's shape (never the HTML
        # error page), and nothing of the exception shown to the client.
        view = context.get("view")
        logger.exception("Unhandled API error in %s", type(view).__name__ if view else "?")
        set_rollback()
        return Response(
            {"error": {"code": "server_error", "message": "An unexpected error occurred."}},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"code": "invalid", "message": "The request is not valid.", "fields": detail}
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(getattr(exc, "detail", exc)),
        }
    response.data = {"error": body}
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response


class ApiNotFound(APIView):
    """Unknown routes under /api/v1/ answer 404 in the API's error shape, not an HTML page.

    Mounted last under /api/v1/ (portal/urls.py): anything after it would be shadowed. It
    reaches no rows, so it needs neither credentials nor the tenancy mixin.
    """

    authentication_classes: list = []
    permission_classes: list = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound("No such API endpoint.")

    def options(self, request, *args, **kwargs):
        raise exceptions.NotFound("No such API endpoint.")


def server_error(request, *args, **kwargs):
    """handler500: JSON under /api/ (errors outside a DRF view, e.g. in middleware)."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "server_error", "message": "An unexpected error occurred."}},
            status=500,
        )
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request, *args, **kwargs)
