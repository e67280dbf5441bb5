"""The workspace API under /api/v1/: cases, their messages, files, transitions and timeline.

Every view reaches rows through `ScopedViewSetMixin` (`for_actor`), so another tenant's object
is a 404 like on the pages; every write goes through `apps.workspace.services` on the API
channel; bodies are bounded before anything reads them (parsers.py); writes accept an
Idempotency-Key (idempotency.py).
"""

from functools import cached_property

from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadhandler import StopUpload
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.errors import NotAllowed
from apps.core.parsers import DepthLimitedJSONParser as JSONParser
from apps.partners.api.viewsets import ScopedViewSetMixin
from apps.partners.tenancy import scope_of

from .. import selectors, services
from ..choices import Channel, Priority
from ..filters import CaseFilterSet
from ..models import Attachment, Case, FileVersion, Message, TimelineEvent
from ..sides import side_of
from ..uploads import install_upload_limit, safe_filename
from . import serializers as s
from .idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from .pagination import (
    CaseKeysetPagination,
    NewestFirstCursorPagination,
    OldestFirstCursorPagination,
)
from .parsers import (
    LimitedMultiPartParser,
    PayloadTooLarge,
    refuse_oversized_upload,
)

ERRORS = {
    400: "The request is not valid; `error.fields` says which fields and why.",
    401: "No credentials, or an unknown or revoked API key.",
    403: "Not yours to do: the other side's transition, an internal note from a partner, or a key without the scope.",
    404: "No such object, or not visible to the caller.",
    409: "The case's state does not allow it, or a request with this Idempotency-Key is still running.",
    413: "The body (or upload) is over the size limit; refused unread when Content-Length says so.",
    415: "Unsupported Content-Type for this endpoint.",
    422: "This Idempotency-Key was used with a different request.",
}
CASE_PATH = OpenApiParameter("case_pk", int, OpenApiParameter.PATH, description="The case's id.")


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(s.ErrorSerializer, description=ERRORS[code]) for code in codes}


READ_ERRORS = (401, 403, 404)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)


class WorkspaceApiMixin(ScopedViewSetMixin):
    """Bounded bodies, numeric ids, and domain lookups that miss answered as 404."""

    parser_classes = [JSONParser]
    lookup_value_regex = r"\d+"

    def initialize_request(self, request, *args, **kwargs):
        # Before authentication (whose CSRF check may read request.POST) or any parser touches
        # the body, the upload size limit goes in front of Django's upload handlers.
        if request.method in ("POST", "PUT", "PATCH"):
            install_upload_limit(request)
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A session's CSRF check may have parsed the body already: the limit stopped it there.
        refuse_oversized_upload(request._request)

    def handle_exception(self, exc):
        if isinstance(exc, StopUpload):
            refusal = getattr(self.request._request, "upload_refused", None)
            exc = PayloadTooLarge(refusal or PayloadTooLarge.default_detail)
        elif isinstance(exc, RequestDataTooBig):
            exc = PayloadTooLarge("The request body is over the size limit.")
        elif isinstance(exc, SuspiciousOperation):
            # Too many fields or files in a form: Django would answer with an HTML page.
            exc = exceptions.ParseError(str(exc) or "The request body cannot be parsed.")
        elif isinstance(exc, ObjectDoesNotExist):
            # Services re-read rows through the actor's scope: gone or out of scope is a 404.
            exc = exceptions.NotFound()
        return super().handle_exception(exc)


# --- cases --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List cases",
        description=(
            "Cases the caller may see, filtered like the inbox and paged by cursor. Without `open` "
            "or `status`, only open cases are listed; `sort` is due (default), activity, created or priority."
        ),
        responses={200: s.CaseSerializer(many=True), **errors(*READ_ERRORS[:2], 400)},
    ),
    retrieve=extend_schema(
        summary="A case, with its SLA and the transitions the caller may take",
        responses={200: s.CaseDetailSerializer, **errors(*READ_ERRORS)},
    ),
)
class CaseViewSet(WorkspaceApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Case.objects.select_related("partner", "owner", "assignee")
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilterSet
    pagination_class = CaseKeysetPagination

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.user is not None and scope_of(self.request.user).internal:
            queryset = queryset.prefetch_related("tags")
        return queryset

    def filter_queryset(self, queryset):
        # The inbox filters (and their "open only" default) are for the list, not for lookups.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        return s.CaseSerializer if self.action == "list" else s.CaseDetailSerializer

    def _detail(self, case: Case) -> dict:
        fresh = self.get_queryset().filter(pk=case.pk).first() or case
        return s.CaseDetailSerializer(fresh, context=self.get_serializer_context()).data

    @extend_schema(
        summary="Open a case",
        description=(
            "The retailer's people name the partner; a partner system opens cases with its own "
            "organization only (the partner is implied). A partner's case starts waiting on the retailer."
        ),
        request=s.CaseCreateSerializer,
        responses={201: s.CaseDetailSerializer, **errors(*WRITE_ERRORS)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.CaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not scope_of(request.user).internal and data.get("priority", Priority.NORMAL) != Priority.NORMAL:
            raise NotAllowed("Only the retailer sets the priority.")
        case = services.case_create(
            actor=request.user,
            channel=Channel.API,
            draft=services.CaseDraft(
                kind=data["kind"],
                partner=data["partner"],
                subject=data["subject"],
                order_number=data["order_number"],
                sku=data["sku"],
                shipment_ref=data["shipment_ref"],
                launch_ref=data["launch_ref"],
                priority=data.get("priority", Priority.NORMAL),
                body=data["body"],
            ),
        )
        return Response(self._detail(case), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Assign or re-prioritise a case",
        description="Owner and priority are the retailer's; either side may set the partner's assignee.",
        request=s.CaseUpdateSerializer,
        responses={200: s.CaseDetailSerializer, **errors(*WRITE_ERRORS)},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        sent = set(request.data) if isinstance(request.data, dict) else set()
        if not scope_of(request.user).internal and sent & {"owner", "priority"}:
            raise NotAllowed("Only the retailer assigns the owner or sets the priority.")
        serializer = s.CaseUpdateSerializer(data=request.data, case=case, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in {"owner", "assignee", "priority"}}
        services.case_update(actor=request.user, channel=Channel.API, case=case, **changes)
        return Response(self._detail(case))


# --- what hangs off a case ---------------------------------------------------------------------


class CaseChildMixin(WorkspaceApiMixin):
    """Views under /cases/{case_pk}/: the case comes through the caller's scope first, so a
    case the caller may not see is a 404 on every child route, lists included."""

    @cached_property
    def case(self) -> Case:
        return get_object_or_404(selectors.cases_for_actor(actor=self.request.user), pk=self.kwargs["case_pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return super().get_queryset().filter(case=self.case)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["case"] = self.case
        return context


@extend_schema_view(
    list=extend_schema(
        summary="The conversation on a case",
        description="Oldest first. Internal notes are listed for the retailer's people only.",
        parameters=[CASE_PATH],
        responses={200: s.MessageSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One message", parameters=[CASE_PATH],
        responses={200: s.MessageSerializer, **errors(*READ_ERRORS)},
    ),
)
class MessageViewSet(CaseChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Message.objects.select_related("author", "author_organization")
    serializer_class = s.MessageSerializer
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self):
        files = Attachment.objects.for_actor(self.request.user).select_related("current_version")
        return super().get_queryset().prefetch_related(Prefetch("attachments", queryset=files))

    @extend_schema(
        summary="Reply on a case, or add an internal note",
        description=(
            "A partner's reply hands the turn to the retailer where the workflow says so. "
            "Only the retailer's people may post `internal` notes (403 otherwise). Files go to …/files/."
        ),
        parameters=[CASE_PATH, IDEMPOTENCY_KEY_PARAMETER],
        request=s.MessageCreateSerializer,
        responses={201: s.MessageSerializer, **errors(*WRITE_ERRORS)},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_post(
            actor=request.user,
            channel=Channel.API,
            case=self.case,
            body=serializer.validated_data["body"],
            visibility=serializer.validated_data["visibility"],
        )
        fresh = self.get_queryset().get(pk=message.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Files on a case, with every version",
        parameters=[CASE_PATH],
        responses={200: s.FileSerializer(many=True), **errors(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One file, with every version", parameters=[CASE_PATH],
        responses={200: s.FileSerializer, **errors(*READ_ERRORS)},
    ),
)
class FileViewSet(CaseChildMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Attachment.objects.select_related("current_version")
    serializer_class = s.FileSerializer
    parser_classes = [LimitedMultiPartParser]
    pagination_class = OldestFirstCursorPagination

    def get_queryset(self):
        versions = FileVersion.objects.order_by("-number")
        return super().get_queryset().prefetch_related(Prefetch("versions", queryset=versions))

    @extend_schema(
        summary="Upload a file, or a new version of one",
        description=(
            "multipart/form-data. The type is checked by content (HTML and SVG are refused whatever "
            "their name, 400 `upload_refused`); the size limit is enforced while the body streams "
            "(413 `too_large`, before the body is read when Content-Length says so). With `supersedes`, "
            "the upload becomes the next version of that file."
        ),
        parameters=[CASE_PATH, IDEMPOTENCY_KEY_PARAMETER],
        request={"multipart/form-data": s.FileUploadSerializer},
        responses={201: s.FileSerializer, **errors(*WRITE_ERRORS)},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.FileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        supersedes = None
        if data.get("supersedes") is not None:
            supersedes = (
                Attachment.objects.for_actor(request.user).filter(case=self.case, pk=data["supersedes"]).first()
            )
            if supersedes is None:
                raise exceptions.ValidationError({"supersedes": ["No such file on this case."]})
        upload = data["file"]
        version = services.file_upload(
            actor=request.user,
            channel=Channel.API,
            case=self.case,
            name=upload.name,
            content=upload,
            supersedes=supersedes,
            visibility=data["visibility"],
            note=data["note"],
        )
        fresh = self.get_queryset().get(pk=version.attachment_id)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def perform_content_negotiation(self, request, force=False):
        # The download answers whatever the client accepts; only its errors are JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "content")

    @extend_schema(
        summary="Download a version of a file",
        description="The bytes, as an attachment, with the content type detected at upload.",
        parameters=[
            CASE_PATH,
            OpenApiParameter("version", int, OpenApiParameter.QUERY, description="Default: the current version."),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **errors(*READ_ERRORS, 400),
        },
    )
    @action(detail=True, methods=["get"], url_path="content", url_name="content")
    def content(self, request, *args, **kwargs):
        attachment = self.get_object()
        query = s.FileContentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        number = query.validated_data.get("version") or attachment.version_count
        version = FileVersion.objects.for_actor(request.user).filter(attachment=attachment, number=number).first()
        if version is None:
            raise exceptions.NotFound("No such version of this file.")
        try:
            handle = version.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("The file is missing from storage.") from exc
        response = FileResponse(
            handle, as_attachment=True, filename=safe_filename(version.original_name),
            content_type=version.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema_view(
    list=extend_schema(
        summary="Transitions the caller may take now",
        description="From the workflow table: the case's status and the caller's side decide.",
        parameters=[CASE_PATH],
        responses={200: s.TransitionSerializer(many=True), **errors(*READ_ERRORS)},
    ),
)
class TransitionViewSet(CaseChildMixin, viewsets.GenericViewSet):
    queryset = Case.objects.all()
    serializer_class = s.TransitionSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.none()
        return selectors.cases_for_actor(actor=self.request.user).filter(pk=self.case.pk)

    def list(self, request, *args, **kwargs):
        data = s.transitions_for(self.case, side_of(request.user))
        return Response(s.TransitionSerializer(data, many=True).data)

    @extend_schema(
        summary="Take a transition",
        description=(
            "Answers with the case. 403 for a transition that belongs to the other side, 409 "
            "(`invalid_transition`) for one the table does not allow from the case's status, "
            "400 (`unknown_transition`) for a name the workflow does not have."
        ),
        parameters=[CASE_PATH, IDEMPOTENCY_KEY_PARAMETER],
        request=s.TakeTransitionSerializer,
        responses={200: s.CaseDetailSerializer, **errors(*WRITE_ERRORS)},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = s.TakeTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_transition(
            actor=request.user,
            channel=Channel.API,
            case=self.case,
            transition=serializer.validated_data["transition"],
            comment=serializer.validated_data["comment"],
            payload=serializer.validated_data["payload"] or None,
        )
        fresh = selectors.cases_for_actor(actor=request.user).filter(pk=case.pk).first() or case
        return Response(s.CaseDetailSerializer(fresh, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(
        summary="The activity log of a case",
        description="Newest first. Rows about internal notes and files are listed for the retailer's people only.",
        parameters=[CASE_PATH],
        responses={200: s.TimelineEventSerializer(many=True), **errors(*READ_ERRORS)},
    ),
)
class TimelineViewSet(CaseChildMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = TimelineEvent.objects.all()
    serializer_class = s.TimelineEventSerializer
    pagination_class = NewestFirstCursorPagination
