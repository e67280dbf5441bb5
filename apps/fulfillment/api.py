"""/api/v1/dispatches/ and /api/v1/dispatch-agreements/: flow 4's records.

Dispatches are reached by their case's id and through the case's scope, like /api/v1/cases/;
the partner's answer and the retailer's change requests are steps taken through
/api/v1/cases/{id}/transitions/ with a `payload`, so the API, the page and Trading Grid
share one validation. Agreements are read by the partner they bind and by the retailer, and
written by operations.
"""

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from apps.core.errors import NotAllowed
from apps.orders.models import Order
from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace.api.idempotency import idempotent
from apps.workspace.api.pagination import NewestCaseFirstPagination, OldestFirstCursorPagination
from apps.workspace.api.views import READ_ERRORS, WRITE_ERRORS, WorkspaceApiMixin, errors
from apps.workspace.choices import Channel, Priority
from apps.workspace.models import CaseLine, LineAnswer
from apps.workspace.services import LineDraft

from . import services
from .models import ChangeRequest, Dispatch, FulfillmentType, PartnerAgreement


class DispatchLineAnswerSerializer(serializers.ModelSerializer):
    answered_by = serializers.CharField(source="answered_label")

    class Meta:
        model = LineAnswer
        fields = [
            "status",
            "quantity",
            "date",
            "substitute_sku",
            "substitute_quantity",
            "reason_code",
            "note",
            "answered_by",
            "channel",
            "created_at",
        ]


class DispatchCaseLineSerializer(serializers.ModelSerializer):
    answer = serializers.SerializerMethodField(help_text="The partner's latest answer, or null.")

    class Meta:
        model = CaseLine
        fields = [
            "position",
            "sku",
            "description",
            "quantity",
            "unit",
            "order_number",
            "line_ref",
            "answer",
        ]

    def get_answer(self, line) -> dict | None:
        answers = list(line.answers.all())
        return DispatchLineAnswerSerializer(answers[-1]).data if answers else None


class DispatchChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeRequest
        fields = [
            "number",
            "kind",
            "detail",
            "lines",
            "ship_to",
            "outcome",
            "outcome_note",
            "requested_at",
            "answered_at",
        ]


class DispatchSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    reference = serializers.CharField(source="case.reference", read_only=True)
    status = serializers.CharField(source="case.status", read_only=True)
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    lines = DispatchCaseLineSerializer(source="case.lines", many=True, read_only=True)
    changes = DispatchChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "case",
            "reference",
            "status",
            "partner",
            "order_number",
            "po_number",
            "fulfillment_type",
            "ship_to",
            "shipping_method",
            "service_level",
            "delivery_requirements",
            "dispatched_at",
            "ack_due_at",
            "ship_by",
            "answer",
            "answered_at",
            "committed_ship_date",
            "reject_reason",
            "reject_note",
            "exception_type",
            "exception_detail",
            "last_status_report",
            "reminded_at",
            "escalated_at",
            "lines",
            "changes",
        ]


class DispatchLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    description = serializers.CharField(max_length=200, required=False, default="")
    line_ref = serializers.CharField(
        max_length=64, required=False, default="", help_text="SFCC's itemId."
    )


class DispatchShipToSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    company = serializers.CharField(max_length=200, required=False, default="")
    address1 = serializers.CharField(max_length=200)
    address2 = serializers.CharField(max_length=200, required=False, default="")
    city = serializers.CharField(max_length=100)
    state_code = serializers.CharField(max_length=20, required=False, default="")
    postal_code = serializers.CharField(max_length=20)
    country_code = serializers.CharField(max_length=2, min_length=2)


class DispatchOpenSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    order_number = serializers.CharField(max_length=50)
    fulfillment_type = serializers.ChoiceField(choices=FulfillmentType.choices)
    lines = DispatchLineSerializer(many=True)
    ship_to = DispatchShipToSerializer()
    shipping_method = serializers.CharField(max_length=100, required=False, default="")
    service_level = serializers.CharField(max_length=100, required=False, default="")
    delivery_requirements = serializers.DictField(
        child=serializers.CharField(max_length=500),
        required=False,
        default=dict,
        help_text='Label → value, e.g. {"Signature required": "yes"}.',
    )
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

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError("A dispatch needs at least one line.")
        return value


def _lines_prefetch():
    return Prefetch(
        "case__lines",
        queryset=CaseLine.objects.prefetch_related(
            Prefetch("answers", queryset=LineAnswer.objects.order_by("created_at", "id"))
        ),
    )


@extend_schema_view(
    list=extend_schema(
        summary="Drop-ship and marketplace dispatches the caller may see",
        responses={200: DispatchSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One dispatch, by its case id",
        responses={200: DispatchSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Dispatch an order's lines to a drop-ship supplier or marketplace seller by hand",
        request=DispatchOpenSerializer,
        responses={201: DispatchSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class DispatchViewSet(
    WorkspaceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Dispatch.objects.all()
    serializer_class = DispatchSerializer
    lookup_field = "case_id"
    pagination_class = NewestCaseFirstPagination

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("case")
            .prefetch_related(_lines_prefetch(), "changes")
        )

    def get_serializer_class(self):
        return DispatchOpenSerializer if self.action == "create" else DispatchSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        if not scope_of(request.user).internal:
            raise NotAllowed("Only the retailer's people dispatch orders; partners answer them.")
        serializer = DispatchOpenSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = Order.objects.filter(order_no=data["order_number"]).first()
        case = services.dispatch_open(
            actor=request.user,
            channel=Channel.API,
            draft=services.DispatchDraft(
                partner=data["partner"],
                order_number=data["order_number"],
                site_id=order.site_id if order else "",
                fulfillment_type=data["fulfillment_type"],
                lines=tuple(
                    LineDraft(order_number=data["order_number"], **line) for line in data["lines"]
                ),
                ship_to={k: v for k, v in data["ship_to"].items() if v},
                shipping_method=data["shipping_method"],
                service_level=data["service_level"],
                delivery_requirements=data["delivery_requirements"],
                priority=data["priority"],
            ),
        )
        row = self.get_queryset().get(case=case)
        return Response(DispatchSerializer(row).data, status=status.HTTP_201_CREATED)


class DispatchAgreementSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())

    class Meta:
        model = PartnerAgreement
        fields = [
            "id",
            "partner",
            "ack_hours",
            "reminder_hours",
            "ship_days",
            "dispatch_all_lines",
            "is_active",
            "notes",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(
                request.user
            ).partners()


@extend_schema_view(
    list=extend_schema(
        summary="Drop-ship partner agreements the caller may see",
        responses={200: DispatchAgreementSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One partner agreement",
        responses={200: DispatchAgreementSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Set a partner's agreement (operations)",
        responses={201: DispatchAgreementSerializer, **errors(*WRITE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary="Change a partner's agreement (operations)",
        responses={200: DispatchAgreementSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class AgreementViewSet(
    WorkspaceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PartnerAgreement.objects.select_related("partner")
    serializer_class = DispatchAgreementSerializer
    pagination_class = OldestFirstCursorPagination
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _save(self, serializer, *, partner):
        values = {k: v for k, v in serializer.validated_data.items() if k != "partner"}
        return services.agreement_save(actor=self.request.user, partner=partner, **values)

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agreement = self._save(serializer, partner=serializer.validated_data["partner"])
        return Response(DispatchAgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)

    @idempotent
    def partial_update(self, request, *args, **kwargs):
        agreement = self.get_object()
        serializer = self.get_serializer(agreement, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        agreement = self._save(serializer, partner=agreement.partner)
        return Response(DispatchAgreementSerializer(agreement).data)


def routes(router) -> None:
    router.register("dispatches", DispatchViewSet, basename="dispatch")
    router.register("dispatch-agreements", AgreementViewSet, basename="dispatch-agreement")
