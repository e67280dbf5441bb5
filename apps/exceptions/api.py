"""/api/v1/exceptions/ and /api/v1/escalations/: the flows' detail, and opening one by hand.

Rows are reached by their case's id and through the case's scope, like /api/v1/cases/. The
steps themselves go through /api/v1/cases/{id}/transitions/ with a `payload`, so the API,
the page and Trading Grid share one validation.
"""

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from apps.core.errors import NotAllowed
from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace.api.idempotency import idempotent
from apps.workspace.api.pagination import NewestCaseFirstPagination
from apps.workspace.api.views import READ_ERRORS, WRITE_ERRORS, WorkspaceApiMixin, errors
from apps.workspace.choices import Channel, Priority
from apps.workspace.models import CaseLine, LineAnswer
from apps.workspace.services import LineDraft

from . import services
from .models import Escalation, EscalationReason, ExceptionDetail, ExceptionType


class LineAnswerSerializer(serializers.ModelSerializer):
    answered_by = serializers.CharField(source="answered_label")

    class Meta:
        model = LineAnswer
        fields = [
            "status", "quantity", "date", "substitute_sku", "substitute_quantity", "reason_code", "note",
            "answered_by", "channel", "created_at",
        ]


class CaseLineSerializer(serializers.ModelSerializer):
    answer = serializers.SerializerMethodField(help_text="The latest answer, or null.")

    class Meta:
        model = CaseLine
        fields = ["position", "sku", "description", "quantity", "unit", "order_number", "line_ref", "data", "answer"]

    def get_answer(self, line) -> dict | None:
        answers = list(line.answers.all())
        return LineAnswerSerializer(answers[-1]).data if answers else None


class LineDraftSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"))
    description = serializers.CharField(max_length=200, required=False, default="")
    line_ref = serializers.CharField(max_length=64, required=False, default="", help_text="SFCC's itemId.")


class CaseHeadMixin(serializers.Serializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    reference = serializers.CharField(source="case.reference", read_only=True)
    status = serializers.CharField(source="case.status", read_only=True)
    partner = serializers.IntegerField(source="case.partner_id", read_only=True)
    lines = CaseLineSerializer(source="case.lines", many=True, read_only=True)


class EscalationSerializer(CaseHeadMixin, serializers.ModelSerializer):
    class Meta:
        model = Escalation
        fields = [
            "case", "reference", "status", "partner", "order_number", "reason", "customer_words", "shipment_id",
            "carrier", "tracking_number", "root_cause_code", "root_cause_detail", "plan_type", "plan", "plan_due",
            "customer_update_due", "lines",
        ]


class ExceptionDetailSerializer(CaseHeadMixin, serializers.ModelSerializer):
    class Meta:
        model = ExceptionDetail
        fields = [
            "case", "reference", "status", "partner", "order_number", "code", "exception_type", "source", "active",
            "detail", "address_problem", "address_correction", "payment_note", "carrier", "tracking_number",
            "carrier_exception_code", "carrier_notes", "accepted_resolution", "accepted_at", "lines",
        ]


class _OpenSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    order_number = serializers.CharField(max_length=50)
    lines = LineDraftSerializer(many=True, required=False, default=list)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent while the schema is drawn
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(request.user).partners()

    def line_drafts(self) -> tuple[LineDraft, ...]:
        order_number = self.validated_data["order_number"]
        return tuple(LineDraft(order_number=order_number, **line) for line in self.validated_data["lines"])


class EscalationOpenSerializer(_OpenSerializer):
    reason = serializers.ChoiceField(choices=EscalationReason.choices)
    customer_words = serializers.CharField(max_length=5000, help_text="What the customer said.")
    shipment_id = serializers.CharField(max_length=64, required=False, default="")
    carrier = serializers.CharField(max_length=64, required=False, default="")
    tracking_number = serializers.CharField(max_length=100, required=False, default="")


class ExceptionOpenSerializer(_OpenSerializer):
    exception_type = serializers.ChoiceField(choices=ExceptionType.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10_000, required=False, default="")
    address_problem = serializers.CharField(max_length=300, required=False, default="", help_text="What failed.")
    address_correction = serializers.CharField(max_length=2000, required=False, default="")
    payment_note = serializers.CharField(
        max_length=300, required=False, default="", help_text="What the partner must do; never payment data."
    )
    carrier = serializers.CharField(max_length=64, required=False, default="")
    tracking_number = serializers.CharField(max_length=100, required=False, default="")
    carrier_exception_code = serializers.CharField(max_length=40, required=False, default="")
    carrier_notes = serializers.CharField(max_length=2000, required=False, default="")


def _lines_prefetch():
    return Prefetch(
        "case__lines",
        queryset=CaseLine.objects.prefetch_related(
            Prefetch("answers", queryset=LineAnswer.objects.order_by("created_at", "id"))
        ),
    )


class _FlowDetailViewSet(
    WorkspaceApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_field = "case_id"
    pagination_class = NewestCaseFirstPagination
    open_serializer_class: type[serializers.Serializer]

    def get_queryset(self):
        return super().get_queryset().select_related("case").prefetch_related(_lines_prefetch())

    def get_serializer_class(self):
        return self.open_serializer_class if self.action == "create" else self.serializer_class

    def _created(self, case):
        row = self.get_queryset().get(case=case)
        return Response(self.serializer_class(row).data, status=status.HTTP_201_CREATED)

    def _check_internal(self, request):
        if not scope_of(request.user).internal:
            raise NotAllowed("Only the retailer's people open these; partners answer them.")


@extend_schema_view(
    list=extend_schema(summary="Service escalations the caller may see", responses={200: EscalationSerializer(many=True), **errors(*READ_ERRORS)}),
    retrieve=extend_schema(summary="One escalation, by its case id", responses={200: EscalationSerializer, **errors(*READ_ERRORS)}),
    create=extend_schema(
        summary="Escalate a customer's problem with an order to a partner",
        request=EscalationOpenSerializer,
        responses={201: EscalationSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class EscalationViewSet(_FlowDetailViewSet):
    queryset = Escalation.objects.all()
    serializer_class = EscalationSerializer
    open_serializer_class = EscalationOpenSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        self._check_internal(request)
        serializer = EscalationOpenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.escalation_open(
            actor=request.user,
            channel=Channel.API,
            draft=services.EscalationDraft(
                partner=data["partner"], order_number=data["order_number"], reason=data["reason"],
                customer_words=data["customer_words"], lines=serializer.line_drafts(),
                shipment_id=data["shipment_id"], carrier=data["carrier"], tracking_number=data["tracking_number"],
                priority=data.get("priority", Priority.HIGH),
            ),
        )
        return self._created(case)


@extend_schema_view(
    list=extend_schema(summary="Order exceptions the caller may see", responses={200: ExceptionDetailSerializer(many=True), **errors(*READ_ERRORS)}),
    retrieve=extend_schema(summary="One order exception, by its case id", responses={200: ExceptionDetailSerializer, **errors(*READ_ERRORS)}),
    create=extend_schema(
        summary="Post an exception on an order to a partner by hand",
        request=ExceptionOpenSerializer,
        responses={201: ExceptionDetailSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class ExceptionViewSet(_FlowDetailViewSet):
    queryset = ExceptionDetail.objects.all()
    serializer_class = ExceptionDetailSerializer
    open_serializer_class = ExceptionOpenSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        self._check_internal(request)
        serializer = ExceptionOpenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.exception_open(
            actor=request.user,
            channel=Channel.API,
            draft=services.ExceptionDraft(
                partner=data["partner"], order_number=data["order_number"], exception_type=data["exception_type"],
                subject=data["subject"], body=data["body"], lines=serializer.line_drafts(),
                priority=data.get("priority", Priority.NORMAL),
                **{name: data[name] for name in services.STRUCTURED_FIELDS},
            ),
        )
        return self._created(case)


def exception_routes(router) -> None:
    router.register("exceptions", ExceptionViewSet, basename="exception")


def escalation_routes(router) -> None:
    router.register("escalations", EscalationViewSet, basename="escalation")
