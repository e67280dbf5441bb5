"""/api/v1/claims/: claims the caller may see, opening one, and its evidence pack.

Rows are reached by their case's id through the case's scope, like /api/v1/cases/. The
supplier's decisions and the dispute go through /api/v1/cases/{id}/transitions/ with a
`payload`, so the API, the page and Trading Grid share one validation.
"""

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import NotAllowed
from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace.api.idempotency import idempotent
from apps.workspace.api.pagination import NewestCaseFirstPagination
from apps.workspace.api.views import READ_ERRORS, WRITE_ERRORS, WorkspaceApiMixin, errors
from apps.workspace.choices import Channel, Priority
from apps.workspace.models import CaseLine

from . import evidence, services
from .models import Claim, ClaimReason, ClaimType


class ClaimLineSerializer(serializers.ModelSerializer):
    unit_price = serializers.SerializerMethodField(
        help_text="The unit price paid, in the claim's currency."
    )

    class Meta:
        model = CaseLine
        fields = ["position", "sku", "description", "quantity", "unit", "line_ref", "unit_price"]

    def get_unit_price(self, line) -> str | None:
        return line.data.get("unit_price")


class ClaimSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    reference = serializers.CharField(source="case.reference", read_only=True)
    status = serializers.CharField(source="case.status", read_only=True)
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    lines = ClaimLineSerializer(source="case.lines", many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "case",
            "reference",
            "status",
            "partner",
            "order_number",
            "claim_type",
            "reason_code",
            "description",
            "currency",
            "claimed_value",
            "source",
            "decision",
            "credit_amount",
            "credit_currency",
            "replacement",
            "denial_reason_code",
            "denial_reason",
            "decided_at",
            "disputed_at",
            "dispute_statement",
            "created_at",
            "lines",
        ]


class ClaimLineDraftSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), help_text="The unit price paid."
    )
    description = serializers.CharField(max_length=200, required=False, default="")
    line_ref = serializers.CharField(
        max_length=64, required=False, default="", help_text="SFCC's itemId."
    )


class ClaimOpenSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    order_number = serializers.CharField(max_length=50)
    claim_type = serializers.ChoiceField(choices=ClaimType.choices)
    reason_code = serializers.ChoiceField(choices=ClaimReason.choices)
    description = serializers.CharField(max_length=5000, help_text="What the customer said.")
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217, e.g. USD.")
    lines = ClaimLineDraftSerializer(many=True, allow_empty=False)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, default=Priority.NORMAL
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the schema is drawn
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(
                request.user
            ).partners()


@extend_schema_view(
    list=extend_schema(
        summary="Claims the caller may see",
        responses={200: ClaimSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One claim, by its case id",
        responses={200: ClaimSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Open a return, damage or warranty claim with the supplier of the lines",
        request=ClaimOpenSerializer,
        responses={201: ClaimSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class ClaimViewSet(
    WorkspaceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    lookup_field = "case_id"
    pagination_class = NewestCaseFirstPagination

    def get_queryset(self):
        return super().get_queryset().select_related("case").prefetch_related("case__lines")

    def get_serializer_class(self):
        return ClaimOpenSerializer if self.action == "create" else ClaimSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        if not scope_of(request.user).internal:
            raise NotAllowed("Only the retailer's people open claims; suppliers decide them.")
        serializer = ClaimOpenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.claim_open(
            actor=request.user,
            channel=Channel.API,
            draft=services.ClaimDraft(
                partner=data["partner"],
                order_number=data["order_number"],
                claim_type=data["claim_type"],
                reason_code=data["reason_code"],
                description=data["description"],
                currency=data["currency"],
                lines=tuple(services.ClaimLineDraft(**line) for line in data["lines"]),
                priority=data["priority"],
            ),
        )
        row = self.get_queryset().get(case=case)
        return Response(ClaimSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The claim's evidence pack",
        description=(
            "One ZIP, streamed: a PDF summary, the timeline, every decision and every file the caller "
            "may see, each with its SHA-256. Internal notes never appear."
        ),
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP."),
            **errors(*READ_ERRORS),
        },
    )
    @action(detail=True, methods=["get"], url_path="evidence-pack", url_name="evidence-pack")
    def evidence_pack(self, request, *args, **kwargs):
        claim = self.get_object()
        return evidence.pack_response(actor=request.user, case=claim.case)


def claim_routes(router) -> None:
    router.register("claims", ClaimViewSet, basename="claim")
