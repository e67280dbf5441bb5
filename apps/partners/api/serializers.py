"""API shapes for organizations."""

from rest_framework import serializers

from apps.partners.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "id", "name", "slug", "kind", "code", "time_zone",
            "tg_qualifier", "tg_id", "channel", "edi_standard", "edi_version", "is_active",
        ]
        read_only_fields = fields
