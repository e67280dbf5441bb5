"""/api/v1/document-requirements/ and /api/v1/documents/: what is owed, what was sent, and the checklist.

Rows come through `for_actor` (ScopedViewSetMixin), so a partner reads its own requirements and
requests only; another partner's is a 404. The review steps go through
/api/v1/cases/{id}/transitions/ (start_review, accept, reject…) like every flow's; submitting
a document takes a file, so it has its own multipart endpoint here.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import NotAllowed
from apps.partners.models import Organization
from apps.partners.roles import Role
from apps.partners.tenancy import scope_of
from apps.workspace.api.idempotency import idempotent
from apps.workspace.api.pagination import OldestFirstCursorPagination
from apps.workspace.api.parsers import LimitedMultiPartParser
from apps.workspace.api.views import READ_ERRORS, WRITE_ERRORS, WorkspaceApiMixin, errors
from apps.workspace.choices import Channel, Priority

from . import selectors, services
from .models import DocumentRequest, DocumentRequirement, DocumentSubmission


class RequirementSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    label = serializers.CharField(read_only=True)

    class Meta:
        model = DocumentRequirement
        fields = [
            "id",
            "partner",
            "document_type",
            "custom_label",
            "label",
            "origin_country",
            "destination_country",
            "order_type",
            "needed_before_shipping",
            "per_shipment",
            "dated",
            "due_days",
            "instructions",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(
                request.user
            ).partners()

    def validate(self, data):
        for name in ("origin_country", "destination_country"):
            if name in data:
                data[name] = data[name].strip().upper()
                if data[name] and (len(data[name]) != 2 or not data[name].isalpha()):
                    raise serializers.ValidationError(
                        {name: ["A two-letter ISO country code, e.g. CN."]}
                    )
        return data


class SubmissionSerializer(serializers.ModelSerializer):
    file_version = serializers.IntegerField(source="file_version_id")
    file_name = serializers.CharField(source="file_version.original_name")

    class Meta:
        model = DocumentSubmission
        fields = [
            "number",
            "file_version",
            "file_name",
            "issue_date",
            "expiry_date",
            "note",
            "submitted_label",
            "channel",
            "submitted_at",
            "outcome",
            "reviewed_label",
            "reviewed_at",
            "rejection_code",
            "rejection_reason",
        ]


class DocumentRequestSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    reference = serializers.CharField(source="case.reference", read_only=True)
    status = serializers.CharField(
        source="case.status", read_only=True, help_text="The review state."
    )
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    label = serializers.CharField(read_only=True)
    satisfied = serializers.SerializerMethodField(help_text="Accepted and not expired.")
    submissions = SubmissionSerializer(many=True, read_only=True)

    class Meta:
        model = DocumentRequest
        fields = [
            "case",
            "reference",
            "status",
            "partner",
            "request_id",
            "document_type",
            "custom_label",
            "label",
            "order_number",
            "shipment_ref",
            "needed_before_shipping",
            "dated",
            "issue_date",
            "expiry_date",
            "satisfied",
            "created_at",
            "submissions",
        ]

    def get_satisfied(self, row) -> bool:
        return row.satisfied()


class RequestOpenSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.none())
    order_number = serializers.CharField(max_length=50)
    document_type = serializers.RegexField(r"^[a-z][a-z0-9_]{1,63}$", max_length=64)
    custom_label = serializers.CharField(max_length=100, required=False, default="")
    shipment_ref = serializers.CharField(max_length=64, required=False, default="")
    needed_before_shipping = serializers.BooleanField(required=False, default=True)
    dated = serializers.BooleanField(
        required=False, default=False, help_text="Carries issue and expiry dates."
    )
    instructions = serializers.CharField(max_length=5000, required=False, default="")
    due_days = serializers.IntegerField(min_value=0, max_value=365, required=False, default=2)
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, default=Priority.NORMAL
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["partner"].queryset = Organization.objects.for_actor(
                request.user
            ).partners()


class SubmitSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The document; checked by content like every upload.")
    issue_date = serializers.DateField(
        required=False, allow_null=True, help_text="Certificates: required."
    )
    expiry_date = serializers.DateField(
        required=False, allow_null=True, help_text="Certificates: required."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ChecklistItemSerializer(serializers.Serializer):
    case = serializers.IntegerField(source="request.case_id")
    request_id = serializers.CharField(source="request.request_id")
    document_type = serializers.CharField(source="request.document_type")
    label = serializers.CharField()
    shipment_ref = serializers.CharField(source="request.shipment_ref")
    status = serializers.CharField(source="request.case.status")
    required = serializers.BooleanField()
    satisfied = serializers.BooleanField()
    missing = serializers.BooleanField()


class ChecklistSerializer(serializers.Serializer):
    order_number = serializers.CharField()
    shipment_ref = serializers.CharField()
    status = serializers.ChoiceField(choices=["blocked", "ready", "none"])
    summary = serializers.CharField(help_text="The missing or rejected documents, as SFCC is told.")
    items = ChecklistItemSerializer(many=True)


def _is_admin(actor) -> bool:
    scope = scope_of(actor)
    return scope.internal and scope.role == Role.ADMIN


@extend_schema_view(
    list=extend_schema(
        summary="Document requirements (a partner: its own)",
        responses={200: RequirementSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One document requirement",
        responses={200: RequirementSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Require a document of a partner (administrators)",
        responses={201: RequirementSerializer, **errors(*WRITE_ERRORS)},
    ),
    update=extend_schema(
        summary="Change a requirement (administrators)",
        responses={200: RequirementSerializer, **errors(*WRITE_ERRORS)},
    ),
    partial_update=extend_schema(
        summary="Change a requirement (administrators)",
        responses={200: RequirementSerializer, **errors(*WRITE_ERRORS)},
    ),
    destroy=extend_schema(
        summary="Remove a requirement (administrators)",
        responses={204: None, **errors(*WRITE_ERRORS)},
    ),
)
class RequirementViewSet(WorkspaceApiMixin, viewsets.ModelViewSet):
    queryset = DocumentRequirement.objects.select_related("partner")
    serializer_class = RequirementSerializer
    pagination_class = OldestFirstCursorPagination
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _is_admin(request.user):
            raise NotAllowed("Only the retailer's administrators define document requirements.")


class NewestFirst(OldestFirstCursorPagination):
    ordering = ("-case_id",)


@extend_schema_view(
    list=extend_schema(
        summary="Requested documents the caller may see",
        parameters=[
            OpenApiParameter("order", str, description="Only this order's."),
            OpenApiParameter("status", str, description="Only in this review state."),
        ],
        responses={200: DocumentRequestSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One requested document, by its case id",
        responses={200: DocumentRequestSerializer, **errors(*READ_ERRORS)},
    ),
    create=extend_schema(
        summary="Request a document of a partner for an order",
        request=RequestOpenSerializer,
        responses={201: DocumentRequestSerializer, **errors(*WRITE_ERRORS)},
    ),
)
class DocumentRequestViewSet(
    WorkspaceApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = DocumentRequest.objects.select_related("case", "partner")
    serializer_class = DocumentRequestSerializer
    lookup_field = "case_id"
    pagination_class = NewestFirst

    def get_queryset(self):
        rows = super().get_queryset().prefetch_related("submissions__file_version")
        if self.action == "list":
            if order := self.request.query_params.get("order"):
                rows = rows.filter(order_number=order)
            if state := self.request.query_params.get("status"):
                rows = rows.filter(case__status=state)
        return rows

    def get_serializer_class(self):
        return RequestOpenSerializer if self.action == "create" else DocumentRequestSerializer

    @idempotent
    def create(self, request, *args, **kwargs):
        if not scope_of(request.user).internal:
            raise NotAllowed("Only the retailer requests documents; partners send them.")
        serializer = RequestOpenSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        case = services.request_open(
            actor=request.user,
            channel=Channel.API,
            draft=services.RequestDraft(**data),
        )
        row = self.get_queryset().get(case=case)
        return Response(DocumentRequestSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Submit the document (the partner): a new version of its file, then the submit step",
        request={"multipart/form-data": SubmitSerializer},
        responses={200: DocumentRequestSerializer, **errors(*WRITE_ERRORS)},
    )
    @action(detail=True, methods=["post"], parser_classes=[LimitedMultiPartParser])
    @idempotent
    def submit(self, request, *args, **kwargs):
        row = self.get_object()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.document_submit(
            actor=request.user,
            channel=Channel.API,
            case=row.case,
            name=data["file"].name,
            content=data["file"],
            issue_date=data.get("issue_date"),
            expiry_date=data.get("expiry_date"),
            note=data["note"],
        )
        return Response(DocumentRequestSerializer(self.get_queryset().get(pk=row.pk)).data)

    @extend_schema(
        summary="The document checklist of an order (or one shipment): required, in, missing",
        parameters=[
            OpenApiParameter("order", str, required=True, description="The SFCC order number."),
            OpenApiParameter(
                "shipment", str, description="One shipment's documents and the order's."
            ),
        ],
        responses={200: ChecklistSerializer, **errors(*READ_ERRORS, 400)},
    )
    @action(detail=False, methods=["get"])
    def checklist(self, request, *args, **kwargs):
        order = (request.query_params.get("order") or "").strip()
        if not order:
            raise exceptions.ValidationError({"order": ["Name the order."]})
        checklist = selectors.order_checklist(
            actor=request.user,
            order_number=order,
            shipment_ref=(request.query_params.get("shipment") or "").strip(),
        )
        return Response(
            ChecklistSerializer(
                {
                    "order_number": checklist.order_number,
                    "shipment_ref": checklist.shipment_ref,
                    "status": checklist.status,
                    "summary": checklist.summary(),
                    "items": checklist.items,
                }
            ).data
        )


def document_routes(router) -> None:
    router.register("document-requirements", RequirementViewSet, basename="document-requirement")
    router.register("documents", DocumentRequestViewSet, basename="document")
