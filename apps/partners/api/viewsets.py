"""The base of every API view: authentication, permissions and the tenancy scope, once.

It lives with the tenancy and the API keys it applies; API views of every app above use it.
"""

from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from .authentication import ApiKeyAuthentication, ApiKeyScopes


class ScopedViewSetMixin:
    """Every object an API view reaches comes through `for_actor`, so another tenant's is 404."""

    authentication_classes = [ApiKeyAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, ApiKeyScopes]

    def get_queryset(self):
        return super().get_queryset().for_actor(self.request.user)
