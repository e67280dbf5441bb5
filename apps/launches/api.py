"""/api/v1/launches/ and /api/v1/launch-shares/: launches, readiness boards and partners' shares.

The retailer creates launches (from an SFCC campaign or with dates), reads the board and
takes the launch's steps. A partner reads its own shares (its checklist, constraints, SKUs)
and a launch's name and dates, never another partner's share, and the launch's totals
only when the launch shares them. Partners tick items and flag constraints as case steps
(`POST /api/v1/cases/{id}/transitions/`), so the page, the API and Trading Grid share one form.
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import NotAllowed
from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace.api.idempotency import idempotent
from apps.workspace.api.pagination import OldestFirstCursorPagination
from apps.workspace.api.views import READ_ERRORS, WRITE_ERRORS, WorkspaceApiMixin, errors
from apps.workspace.choices import Channel

from . import selectors, services
from .checklists import TEMPLATE_CHOICES
from .models import ChecklistItem, Constraint, Launch, LaunchShare, LaunchSku
from .states import LAUNCH


class LaunchChecklistItemSerializer(serializers.ModelSerializer):
    # Plain text, not an enum: every flow has a "status" and the schema would name them apart.
    status = serializers.CharField(read_only=True, help_text="open, done, accepted or rejected")

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "code",
            "title",
            "requires_review",
            "due_date",
            "status",
            "is_complete",
            "note",
            "review_note",
            "updated_label",
            "updated_at",
        ]


class ConstraintSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open or resolved")

    class Meta:
        model = Constraint
        fields = [
            "id",
            "sku",
            "quantity_at_risk",
            "date",
            "item_code",
            "note",
            "status",
            "raised_label",
            "channel",
            "created_at",
            "resolved_at",
            "resolution",
        ]


class SkuSerializer(serializers.ModelSerializer):
    class Meta:
        model = LaunchSku
        fields = ["sku", "description", "forecast_quantity", "unit", "partner"]


class LaunchHeadSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="planning, go, no_go, live or cancelled"
    )

    class Meta:
        model = Launch
        fields = [
            "id",
            "reference",
            "name",
            "campaign_id",
            "description",
            "go_live_at",
            "ends_at",
            "status",
            "share_totals",
        ]


class LaunchShareSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    reference = serializers.CharField(source="case.reference", read_only=True)
    status = serializers.CharField(source="case.status", read_only=True)
    launch = LaunchHeadSerializer(read_only=True)
    items = LaunchChecklistItemSerializer(many=True, read_only=True)
    constraints = ConstraintSerializer(many=True, read_only=True)
    skus = serializers.SerializerMethodField(
        help_text="The SKUs this partner supplies, with forecasts."
    )

    class Meta:
        model = LaunchShare
        fields = [
            "case",
            "reference",
            "status",
            "partner",
            "invited_at",
            "launch",
            "items",
            "constraints",
            "skus",
        ]

    def get_skus(self, share) -> list[dict]:
        return SkuSerializer(
            [s for s in share.launch.skus.all() if s.partner_id == share.partner_id], many=True
        ).data


class BoardRowSerializer(serializers.Serializer):
    partner = serializers.CharField(source="share.partner.name")
    case = serializers.IntegerField(source="share.case_id")
    status = serializers.CharField(source="share.case.status")
    percent = serializers.IntegerField()
    cells = serializers.SerializerMethodField()
    constraints = serializers.ListField(child=serializers.DictField())

    def get_cells(self, row) -> dict[str, str]:
        columns = self.context["columns"]
        return {code: cell.state for (code, _), cell in zip(columns, row.cells, strict=True)}


class BoardSerializer(serializers.Serializer):
    verdict = serializers.CharField(source="summary.verdict", help_text="go or no_go")
    reasons = serializers.ListField(source="summary.reasons", child=serializers.CharField())
    percent = serializers.IntegerField()
    columns = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    def get_columns(self, board) -> list[dict]:
        return [{"code": code, "title": title} for code, title in board.columns]

    def get_rows(self, board) -> list[dict]:
        return BoardRowSerializer(board.rows, many=True, context={"columns": board.columns}).data


class LaunchSerializer(LaunchHeadSerializer):
    partner_count = serializers.IntegerField(read_only=True)
    items_total = serializers.IntegerField(read_only=True)
    items_complete = serializers.IntegerField(read_only=True)
    constraints_open = serializers.IntegerField(read_only=True)
    at_risk = serializers.SerializerMethodField()

    class Meta(LaunchHeadSerializer.Meta):
        fields = [
            *LaunchHeadSerializer.Meta.fields,
            "override_reason",
            "partner_count",
            "items_total",
            "items_complete",
            "constraints_open",
            "at_risk",
        ]

    def get_at_risk(self, launch) -> bool:
        return launch.at_risk_since is not None


class SkuDraftSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=100)
    forecast_quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001")
    )
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, allow_null=True
    )
    description = serializers.CharField(max_length=200, required=False, default="")


class LaunchCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, default="")
    campaign_id = serializers.CharField(
        max_length=256,
        required=False,
        default="",
        help_text="An SFCC campaign: go-live and end are read from it.",
    )
    go_live_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=5000, required=False, default="")
    share_totals = serializers.BooleanField(required=False, default=False)
    skus = SkuDraftSerializer(many=True, required=False, default=list)
    partners = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), many=True, required=False, default=list
    )
    templates = serializers.ListField(
        child=serializers.ChoiceField(choices=TEMPLATE_CHOICES),
        required=False,
        default=lambda: [c for c, _ in TEMPLATE_CHOICES],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            partners = Organization.objects.for_actor(request.user).partners()
            self.fields["partners"].child_relation.queryset = partners
            self.fields["skus"].child.fields["partner"].queryset = partners


class LaunchTransitionSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=[(t.name, t.label) for t in LAUNCH.transitions])
    comment = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    override_reason = serializers.CharField(
        max_length=2000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Required to mark go while items or constraints are open.",
    )


class InviteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    templates = serializers.ListField(
        child=serializers.ChoiceField(choices=TEMPLATE_CHOICES),
        required=False,
        default=lambda: [c for c, _ in TEMPLATE_CHOICES],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(
                request.user
            ).partners()


class ReviewSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The checklist item's id.")
    accept = serializers.BooleanField()
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class ResolveSerializer(serializers.Serializer):
    constraint = serializers.IntegerField(help_text="The constraint's id.")
    resolution = serializers.CharField(max_length=1000)


def _internal(request) -> None:
    if not scope_of(request.user).internal:
        raise NotAllowed("Only the retailer's people manage launches.")


class ByGoLive(OldestFirstCursorPagination):
    ordering = ("go_live_at", "id")


@extend_schema_view(
    list=extend_schema(
        summary="Launches by go-live (a partner: those it is invited to, without totals)",
        responses={200: LaunchSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One launch", responses={200: LaunchSerializer, **errors(*READ_ERRORS)}
    ),
    create=extend_schema(
        summary="Create a launch (from an SFCC campaign) and invite its partners",
        request=LaunchCreateSerializer,
        responses={201: LaunchSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class LaunchViewSet(
    WorkspaceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Launch.objects.all()
    serializer_class = LaunchSerializer
    pagination_class = ByGoLive

    def get_queryset(self):
        if scope_of(self.request.user).internal:
            return selectors.launches_for_actor(actor=self.request.user)
        return super().get_queryset()

    def get_serializer_class(self):
        if self.action == "create":
            return LaunchCreateSerializer
        if scope_of(self.request.user).internal:
            return LaunchSerializer
        return LaunchHeadSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        _internal(request)
        serializer = LaunchCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        launch = services.launch_create(
            actor=request.user,
            channel=Channel.API,
            draft=services.LaunchDraft(
                name=data["name"],
                campaign_id=data["campaign_id"],
                go_live_at=data["go_live_at"],
                ends_at=data["ends_at"],
                description=data["description"],
                share_totals=data["share_totals"],
                skus=tuple(services.SkuDraft(**sku) for sku in data["skus"]),
                partners=tuple(data["partners"]),
                templates=tuple(data["templates"]),
            ),
        )
        row = selectors.launches_for_actor(actor=request.user).get(pk=launch.pk)
        return Response(LaunchSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The readiness board: partner-by-requirement cells and the go / no-go summary",
        responses={200: BoardSerializer, **errors(*READ_ERRORS)},
    )
    @action(detail=True, methods=["get"])
    def board(self, request, pk=None):
        _internal(request)
        return Response(BoardSerializer(selectors.launch_board(launch=self.get_object())).data)

    @extend_schema(
        summary="Take a step of the launch (mark go needs an override reason over open blockers)",
        request=LaunchTransitionSerializer,
        responses={200: LaunchSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        _internal(request)
        serializer = LaunchTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        launch = services.launch_transition(
            actor=request.user,
            channel=Channel.API,
            launch=self.get_object(),
            **serializer.validated_data,
        )
        return Response(LaunchSerializer(self.get_queryset().get(pk=launch.pk)).data)

    @extend_schema(
        summary="Invite one more partner with a checklist",
        request=InviteSerializer,
        responses={201: None, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        _internal(request)
        serializer = InviteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        share = services.share_invite(
            actor=request.user,
            channel=Channel.API,
            launch=self.get_object(),
            partner=serializer.validated_data["partner"],
            templates=serializer.validated_data["templates"],
        )
        return Response({"case": share.case_id}, status=status.HTTP_201_CREATED)


class NewestShareFirst(OldestFirstCursorPagination):
    ordering = ("-case_id",)


@extend_schema_view(
    list=extend_schema(
        summary="Launch shares: a partner's own, the retailer's all",
        responses={200: LaunchShareSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One share, by its case id",
        responses={200: LaunchShareSerializer, **errors(*READ_ERRORS)},
    ),
)
class LaunchShareViewSet(
    WorkspaceApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = LaunchShare.objects.all()
    serializer_class = LaunchShareSerializer
    lookup_field = "case_id"
    pagination_class = NewestShareFirst

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("case", "launch")
            .prefetch_related("items", "constraints", "launch__skus")
        )

    @extend_schema(
        summary="Accept or reject what a partner submitted for an item (the retailer)",
        request=ReviewSerializer,
        responses={200: LaunchChecklistItemSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request, case_id=None):
        _internal(request)
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        share = self.get_object()
        item = ChecklistItem.objects.for_actor(request.user).get(
            share=share, pk=serializer.validated_data["item"]
        )
        item = services.item_review(
            actor=request.user,
            channel=Channel.API,
            item=item,
            accept=serializer.validated_data["accept"],
            note=serializer.validated_data["note"],
        )
        return Response(LaunchChecklistItemSerializer(item).data)

    @extend_schema(
        summary="Resolve a supply constraint (either side)",
        request=ResolveSerializer,
        responses={200: ConstraintSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"], url_path="resolve-constraint")
    def resolve_constraint(self, request, case_id=None):
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        share = self.get_object()
        constraint = Constraint.objects.for_actor(request.user).get(
            share=share, pk=serializer.validated_data["constraint"]
        )
        constraint = services.constraint_resolve(
            actor=request.user,
            channel=Channel.API,
            constraint=constraint,
            resolution=serializer.validated_data["resolution"],
        )
        return Response(ConstraintSerializer(constraint).data)


def launch_routes(router) -> None:
    router.register("launches", LaunchViewSet, basename="launch")
    router.register("launch-shares", LaunchShareViewSet, basename="launch-share")
