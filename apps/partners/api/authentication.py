"""API-key authentication for partner systems: `Authorization: Bearer cdk_…`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from apps.partners.models import ApiKeyActor
from apps.partners.services import api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} cdk_"):
            return None
        key = api_key_authenticate(header[len(self.keyword) + 1 :].strip())
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is unknown or revoked.")
        return ApiKeyActor(key), key

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiKeyScopes(permissions.BasePermission):
    """A key may read with `cases:read` and write with `cases:write`; people are unaffected."""

    message = "This API key lacks the scope for this request."

    def has_permission(self, request, view) -> bool:
        actor = request.user
        if not isinstance(actor, ApiKeyActor):
            return True
        needed = "cases:read" if request.method in permissions.SAFE_METHODS else "cases:write"
        return actor.has_scope(needed)


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "partnerApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A partner API key: cdk_…"}
