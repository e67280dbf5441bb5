"""API views for organizations: read-only, scoped to the caller."""

from rest_framework import viewsets

from apps.partners.api.viewsets import ScopedViewSetMixin
from apps.partners.models import Organization

from .serializers import OrganizationSerializer


class OrganizationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_fields = ["kind", "channel"]
