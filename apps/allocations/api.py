"""/api/v1/demand-plans/ (the retailer's) and /api/v1/allocation-shares/ (each partner's share).

Plans are reached through `DemandPlan.objects.for_actor`: a partner's key or user lists none
and gets 404 for any. A share is reached through its case's scope, like /api/v1/cases/;
partners answer it through /api/v1/cases/{id}/transitions/ (step `answer`, with `payload.lines`),
the same validation as the page and Trading Grid.
"""

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace.api.idempotency import idempotent
from apps.workspace.api.pagination import OldestFirstCursorPagination
from apps.workspace.api.parsers import LimitedMultiPartParser
from apps.workspace.api.views import READ_ERRORS, WRITE_ERRORS, WorkspaceApiMixin, errors
from apps.workspace.choices import Channel
from apps.workspace.models import CaseLine, LineAnswer

from . import selectors, services
from .models import (
    AllocationShare,
    DemandPlan,
    LinePriority,
    PlanKind,
    PlanLine,
    SubstitutionDecision,
)


class PlanLineSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.code")
    case = serializers.IntegerField(source="case_line.case_id", allow_null=True, default=None)
    shortfall = serializers.DecimalField(max_digits=14, decimal_places=3, read_only=True)
    at_risk = serializers.BooleanField(read_only=True)

    class Meta:
        model = PlanLine
        fields = [
            "row",
            "partner",
            "case",
            "sku",
            "product_name",
            "location",
            "forecast_qty",
            "need_by",
            "priority",
            "reserved_qty",
            "stock_qty",
            "ats_qty",
            "answer_status",
            "confirmed_qty",
            "backorder_date",
            "substitute_sku",
            "substitute_qty",
            "decline_reason",
            "substitution",
            "shortfall",
            "at_risk",
        ]


class PlanSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = DemandPlan
        fields = [
            "id",
            "reference",
            "title",
            "kind",
            "status",
            "period_start",
            "period_end",
            "promotion_ref",
            "answer_by",
            "default_location",
            "share_totals",
            "notes",
            "created_at",
            "published_at",
            "inventory_read_at",
            "catalog_checked",
        ]
        read_only_fields = [
            "status",
            "created_at",
            "published_at",
            "inventory_read_at",
            "catalog_checked",
        ]


class LineInputSerializer(serializers.Serializer):
    partner = serializers.SlugRelatedField(slug_field="code", queryset=Organization.objects.none())
    sku = serializers.CharField(max_length=100)
    forecast_qty = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    need_by = serializers.DateField()
    location = serializers.CharField(max_length=64, required=False, default="")
    priority = serializers.ChoiceField(
        choices=LinePriority.choices, required=False, default=LinePriority.NORMAL
    )
    product_name = serializers.CharField(max_length=200, required=False, default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(
                request.user
            ).partners()


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8) or XLSX; columns partner, sku, forecast_qty, need_by, "
        "and optionally product_name, location, priority."
    )


class SubstitutionSerializer(serializers.Serializer):
    row = serializers.IntegerField(min_value=1, help_text="The plan line's number.")
    decision = serializers.ChoiceField(choices=[("accept", "Accept"), ("refuse", "Refuse")])


class TotalsSerializer(serializers.Serializer):
    lines = serializers.IntegerField()
    requested = serializers.DecimalField(14, 3)
    confirmed = serializers.DecimalField(14, 3)
    reserved = serializers.DecimalField(14, 3)
    shortfall = serializers.DecimalField(14, 3)
    shortfall_lines = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    substitutes_pending = serializers.IntegerField()
    answered = serializers.IntegerField()


class AllocationPartnerSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner__code")
    name = serializers.CharField(source="partner__name")
    case = serializers.IntegerField(source="case.pk", allow_null=True, default=None)
    status = serializers.CharField(source="case.status", allow_null=True, default=None)
    lines = serializers.IntegerField()
    answered = serializers.IntegerField()
    requested = serializers.DecimalField(14, 3)
    confirmed = serializers.DecimalField(14, 3)
    reserved = serializers.DecimalField(14, 3)
    shortfall = serializers.DecimalField(14, 3)
    at_risk = serializers.IntegerField()


class AllocationSerializer(serializers.Serializer):
    totals = TotalsSerializer()
    partners = AllocationPartnerSerializer(many=True)
    lines = PlanLineSerializer(many=True)
    next_offset = serializers.IntegerField(allow_null=True)


@extend_schema_view(
    list=extend_schema(
        summary="Demand plans (the retailer's planners only)",
        responses={200: PlanSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One demand plan", responses={200: PlanSerializer, **errors(*READ_ERRORS)}
    ),
    create=extend_schema(
        summary="Start a draft demand plan",
        request=PlanSerializer,
        responses={201: PlanSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class DemandPlanViewSet(
    WorkspaceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = DemandPlan.objects.all()
    serializer_class = PlanSerializer
    pagination_class = type(
        "NewestPlanFirst", (OldestFirstCursorPagination,), {"ordering": ("-id",)}
    )

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = PlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not services._plans_allowed(request.user):
            raise NotFound()
        plan = services.plan_create(
            actor=request.user,
            draft=services.PlanDraft(
                **{k: data[k] for k in data if k in services.PlanDraft.__dataclass_fields__}
            ),
        )
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add one line to a draft plan (checked against SFCC's catalog)",
        request=LineInputSerializer,
        responses={201: PlanLineSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="lines")
    def add_line(self, request, pk=None):
        plan = self.get_object()
        serializer = LineInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        line = services.plan_line_add(
            actor=request.user, plan=plan, line=services.LineInput(**serializer.validated_data)
        )
        line = (
            selectors.lines_with_figures(PlanLine.objects.filter(pk=line.pk))
            .select_related("partner", "case_line")
            .get()
        )
        return Response(PlanLineSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import a CSV or XLSX file of lines: all of them, or none with each row's error",
        request={"multipart/form-data": ImportSerializer},
        responses={
            201: inline_serializer("ImportResult", {"imported": serializers.IntegerField()}),
            **errors(*WRITE_ERRORS),
        },
    )
    @action(
        detail=True, methods=["post"], url_path="import", parser_classes=[LimitedMultiPartParser]
    )
    def import_lines(self, request, pk=None):
        plan = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise serializers.ValidationError({"file": ["Attach the CSV or XLSX file."]})
        lines = services.plan_lines_import(
            actor=request.user, plan=plan, name=upload.name, content=upload.file
        )
        return Response({"imported": len(lines)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Read reserved and in-stock quantities from SFCC's inventory records",
        request=None,
        responses={200: PlanSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="refresh-inventory")
    def refresh_inventory(self, request, pk=None):
        plan = self.get_object()
        services.plan_inventory_refresh(actor=request.user, plan=plan)
        plan.refresh_from_db()
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        summary="Publish: open each partner's share as a case",
        request=None,
        responses={200: PlanSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def publish(self, request, pk=None):
        plan = self.get_object()
        services.plan_publish(actor=request.user, channel=Channel.API, plan=plan)
        plan.refresh_from_db()
        return Response(PlanSerializer(plan).data)

    @extend_schema(
        summary="Requested against confirmed against reserved, per partner and per line",
        parameters=[],
        responses={200: AllocationSerializer, **errors(*READ_ERRORS)},
    )
    @action(detail=True, methods=["get"])
    def allocation(self, request, pk=None):
        plan = self.get_object()
        show = request.query_params.get("show", "")
        try:
            offset = max(0, int(request.query_params.get("offset", 0)))
        except ValueError:
            raise serializers.ValidationError({"offset": ["A number."]}) from None
        limit = selectors.LINES_PER_PAGE
        lines = list(selectors.lines_filtered(plan=plan, show=show)[offset : offset + limit + 1])
        return Response(
            AllocationSerializer(
                {
                    "totals": selectors.plan_totals(plan=plan),
                    "partners": selectors.partner_summary(plan=plan),
                    "lines": lines[:limit],
                    "next_offset": offset + limit if len(lines) > limit else None,
                }
            ).data
        )

    @extend_schema(
        summary="Accept or refuse a partner's offered substitute",
        request=SubstitutionSerializer,
        responses={200: PlanLineSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def substitution(self, request, pk=None):
        plan = self.get_object()
        serializer = SubstitutionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = PlanLine.objects.filter(plan=plan, row=serializer.validated_data["row"]).first()
        if line is None:
            raise NotFound()
        services.substitution_decide(
            actor=request.user,
            channel=Channel.API,
            line=line,
            accept=serializer.validated_data["decision"] == "accept",
        )
        line = (
            selectors.lines_with_figures(PlanLine.objects.filter(pk=line.pk))
            .select_related("partner", "case_line")
            .get()
        )
        return Response(PlanLineSerializer(line).data)


class ShareLineSerializer(serializers.ModelSerializer):
    answer = serializers.SerializerMethodField(help_text="The latest answer, or null.")

    class Meta:
        model = CaseLine
        fields = ["position", "sku", "description", "quantity", "unit", "data", "answer"]

    def get_answer(self, line) -> dict | None:
        answers = list(line.answers.all())
        if not answers:
            return None
        a = answers[-1]
        return {
            "status": a.status,
            "quantity": a.quantity,
            "date": a.date,
            "substitute_sku": a.substitute_sku,
            "substitute_quantity": a.substitute_quantity,
            "reason_code": a.reason_code,
            "note": a.note,
            "channel": a.channel,
            "created_at": a.created_at,
        }


class ShareSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    reference = serializers.CharField(source="case.reference", read_only=True)
    status = serializers.CharField(source="case.status", read_only=True)
    due_at = serializers.DateTimeField(source="case.due_at", read_only=True)
    plan = serializers.CharField(source="plan.reference", read_only=True)
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    lines = ShareLineSerializer(source="case.lines", many=True, read_only=True)
    plan_totals = serializers.SerializerMethodField(
        help_text="The plan's totals, when the plan shares them."
    )

    class Meta:
        model = AllocationShare
        fields = [
            "case",
            "reference",
            "status",
            "due_at",
            "plan",
            "plan_title",
            "lines",
            "plan_totals",
        ]

    def get_plan_totals(self, share) -> dict | None:
        request = self.context.get("request")
        internal = request is not None and scope_of(request.user).internal
        if not (internal or share.plan.share_totals):
            return None
        totals = selectors.plan_totals(plan=share.plan)
        return {"lines": totals.lines, "requested": totals.requested, "confirmed": totals.confirmed}


@extend_schema_view(
    list=extend_schema(
        summary="Allocation shares the caller may see",
        responses={200: ShareSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One share, by its case id",
        responses={200: ShareSerializer, **errors(*READ_ERRORS)},
    ),
)
class AllocationShareViewSet(
    WorkspaceApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = AllocationShare.objects.all()
    serializer_class = ShareSerializer
    lookup_field = "case_id"
    pagination_class = type(
        "NewestShareFirst", (OldestFirstCursorPagination,), {"ordering": ("-case_id",)}
    )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("case", "plan")
            .prefetch_related(
                Prefetch(
                    "case__lines",
                    queryset=CaseLine.objects.prefetch_related(
                        Prefetch(
                            "answers", queryset=LineAnswer.objects.order_by("created_at", "id")
                        )
                    ),
                )
            )
        )


def routes(router) -> None:
    router.register("demand-plans", DemandPlanViewSet, basename="demand-plan")
    router.register("allocation-shares", AllocationShareViewSet, basename="allocation-share")


__all__ = ["PlanKind", "SubstitutionDecision", "routes"]
