"""/api/v1/shipments/ and /api/v1/milestones/: an order's shipments and their milestones.

Rows are reached through their case's scope. A milestone is posted on its shipment
(`POST /api/v1/shipments/{id}/milestones/`) and goes through the same service, form and
guard as the page and Trading Grid; the generic `/api/v1/cases/{id}/transitions/` takes the
same payload under the step `report`.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import DomainError
from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace.api.idempotency import idempotent
from apps.workspace.api.pagination import OldestFirstCursorPagination
from apps.workspace.api.views import READ_ERRORS, WRITE_ERRORS, WorkspaceApiMixin, errors
from apps.workspace.choices import Channel

from . import services
from .models import ExceptionCode, Milestone, ShipmentItem, Step, TrackedShipment


class MilestoneSerializer(serializers.ModelSerializer):
    shipment = serializers.CharField(source="shipment.reference", read_only=True)
    order_number = serializers.CharField(source="shipment.order_number", read_only=True)
    reported_by = serializers.CharField(source="reported_label", read_only=True)
    proofs = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="File version ids."
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "shipment",
            "order_number",
            "step",
            "occurred_at",
            "recorded_at",
            "reported_by",
            "channel",
            "carrier",
            "tracking_number",
            "bill_of_lading",
            "exception_code",
            "exception_note",
            "note",
            "document_ref",
            "proofs",
        ]


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShipmentItem
        fields = [
            "position",
            "pack",
            "pack_tracking",
            "sku",
            "product_ids",
            "description",
            "quantity",
            "unit",
        ]


class ShipmentSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    partner = serializers.IntegerField(source="case.partner_id", read_only=True)
    late = serializers.BooleanField(source="is_late", read_only=True)
    # Plain text, not an enum: its name would clash with the case's `status` in the schema.
    status = serializers.CharField(
        read_only=True,
        help_text="The latest milestone: accepted, packed, shipped, delivered; empty before the first.",
    )
    milestones = MilestoneSerializer(many=True, read_only=True)
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = TrackedShipment
        fields = [
            "id",
            "case",
            "case_reference",
            "partner",
            "order_number",
            "reference",
            "status",
            "carrier",
            "tracking_number",
            "bill_of_lading",
            "ship_by",
            "late",
            "shipped_at",
            "delivered_at",
            "exception_open",
            "milestones",
            "items",
        ]


class ShipmentAddSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=50)
    reference = serializers.CharField(
        max_length=64, help_text="SFCC's shipment id, or the partner's for a split."
    )
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        help_text="The partner who reports it; a partner's own key may leave it out.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(
                request.user
            ).partners()


class ItemInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=0)
    unit = serializers.CharField(max_length=10, required=False, default="EA")
    description = serializers.CharField(max_length=200, required=False, default="")
    pack = serializers.CharField(max_length=64, required=False, default="")
    pack_tracking = serializers.CharField(max_length=100, required=False, default="")


class MilestoneInSerializer(serializers.Serializer):
    """Checked again by the step's form (MilestoneForm): one validation for every channel."""

    step = serializers.ChoiceField(choices=Step.choices)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Now when left out."
    )
    carrier = serializers.CharField(max_length=64, required=False, allow_blank=True)
    tracking_number = serializers.CharField(max_length=100, required=False, allow_blank=True)
    bill_of_lading = serializers.CharField(max_length=64, required=False, allow_blank=True)
    exception_code = serializers.ChoiceField(
        choices=ExceptionCode.choices, required=False, allow_blank=True
    )
    exception_note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    proofs = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of file versions already on the case.",
    )
    items = ItemInSerializer(
        many=True, required=False, help_text="What the shipment holds; replaces earlier contents."
    )


def _shipments():
    return TrackedShipment.objects.select_related("case").prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.prefetch_related("proofs")), "items"
    )


class _Pages(OldestFirstCursorPagination):
    ordering = ("-id",)


ORDER_FILTER = OpenApiParameter("order", str, description="Only this order's shipments.")


@extend_schema_view(
    list=extend_schema(
        summary="Shipments the caller may see, with their milestones",
        parameters=[ORDER_FILTER, OpenApiParameter("status", str, enum=Step.values)],
        responses={200: ShipmentSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One shipment", responses={200: ShipmentSerializer, **errors(*READ_ERRORS)}
    ),
    create=extend_schema(
        summary="Add a shipment to an order's tracking (opening the tracking when there is none)",
        request=ShipmentAddSerializer,
        responses={201: ShipmentSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class ShipmentViewSet(
    WorkspaceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = _shipments()
    serializer_class = ShipmentSerializer
    pagination_class = _Pages

    def get_queryset(self):
        rows = super().get_queryset()
        if self.action == "list":
            if order := self.request.query_params.get("order"):
                rows = rows.filter(order_number=order)
            if (step := self.request.query_params.get("status")) in Step.values:
                rows = rows.filter(status=step)
        return rows

    def get_serializer_class(self):
        if self.action == "create":
            return ShipmentAddSerializer
        if self.action == "milestones" and self.request.method == "POST":
            return MilestoneInSerializer
        return ShipmentSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        form = ShipmentAddSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data, actor = form.validated_data, request.user
        scope = scope_of(actor)
        partner = data.get("partner")
        if not scope.internal:
            partner = Organization.objects.get(pk=scope.partner_id)
        if partner is None:
            raise DomainError("Name the partner.", fields={"partner": ["Required."]})
        case = services.tracking_for(
            actor=actor, order_number=data["order_number"], partner=partner
        )
        if case is None:
            case = services.tracking_open(
                actor=actor,
                channel=Channel.API,
                order_number=data["order_number"],
                partner=partner,
                references=[data["reference"]],
            )
            shipment = TrackedShipment.objects.get(case=case, reference=data["reference"].strip())
        else:
            shipment = services.shipment_add(
                actor=actor, channel=Channel.API, case=case, reference=data["reference"]
            )
        return Response(
            ShipmentSerializer(self.get_queryset().get(pk=shipment.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["GET"],
        summary="The shipment's milestones, oldest first",
        responses={200: MilestoneSerializer(many=True), **errors(*READ_ERRORS)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Report a milestone of the shipment (accepted, packed, shipped, delivered)",
        description="An exception (`exception_code` and `exception_note`) moves the case to the retailer; "
        "the last delivery moves it to delivered. A step before the shipment's current one is refused (409).",
        request=MilestoneInSerializer,
        responses={201: MilestoneSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def milestones(self, request, pk=None):
        shipment = self.get_object()
        if request.method == "GET":
            return Response(MilestoneSerializer(shipment.milestones.all(), many=True).data)
        return self._report(request, shipment)

    @idempotent
    def _report(self, request, shipment):
        form = MilestoneInSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = {
            k: v for k, v in form.validated_data.items() if k != "items" and v not in (None, "", [])
        }
        if "occurred_at" in data:
            data["occurred_at"] = data["occurred_at"].isoformat()
        data["shipment"] = shipment.reference
        milestone = services.milestone_record(
            actor=request.user,
            channel=Channel.API,
            case=shipment.case,
            data=data,
            items=form.validated_data.get("items"),
        )
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Milestones the caller may see, newest first",
        parameters=[ORDER_FILTER],
        responses={200: MilestoneSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One milestone", responses={200: MilestoneSerializer, **errors(*READ_ERRORS)}
    ),
)
class MilestoneViewSet(
    WorkspaceApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = Milestone.objects.select_related("shipment").prefetch_related("proofs")
    serializer_class = MilestoneSerializer
    pagination_class = _Pages

    def get_queryset(self):
        rows = super().get_queryset()
        if self.action == "list" and (order := self.request.query_params.get("order")):
            rows = rows.filter(shipment__order_number=order)
        return rows


def milestone_routes(router) -> None:
    router.register("shipments", ShipmentViewSet, basename="shipment")
    router.register("milestones", MilestoneViewSet, basename="milestone")
