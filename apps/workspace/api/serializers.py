"""API shapes of the workspace: cases, messages, files, transitions and the timeline.

Serializers validate and describe; they never write. Views hand validated data to the
services. Choice fields that name other rows are scoped to the caller, like the forms.
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.partners.models import Organization
from apps.partners.roles import INTERNAL_ROLES
from apps.partners.selectors import active_members
from apps.partners.tenancy import scope_of

from ..choices import CaseKind, Channel, Priority, Side, SlaState, Visibility
from ..clock import sla_state
from ..models import Attachment, Case, FileVersion, Message, TimelineEvent
from ..sides import side_of
from ..states import workflow_for


def _internal(context) -> bool:
    return scope_of(context["request"].user).internal


def _side(context) -> str:
    return side_of(context["request"].user)


def _absolute(context, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choices are one named enum in the schema.

    The partners API has its own `kind` and `channel` enums; naming ours keeps generated
    clients from getting hash-suffixed names.
    """

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {k: v for k, v in schema.items() if k in ("type", "enum")}


def case_kind_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(CaseKind.choices, enum_name="CaseKindEnum", **kwargs)


def case_channel_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(
        Channel.choices, enum_name="CaseChannelEnum", read_only=True,
        help_text="Where it came from: web, api, sfcc, tradinggrid or system.", **kwargs,
    )


# --- errors (for the schema; apps.core.api shapes every error this way) ------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable reason, e.g. `invalid_transition`.")
    message = serializers.CharField(help_text="A sentence safe to show to a person.")
    fields = serializers.DictField(
        child=serializers.JSONField(), required=False,
        help_text="Per-field problems, for validation errors: {field: [messages]}.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- small references ---------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class PartnerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "code"]
        read_only_fields = fields


# --- transitions --------------------------------------------------------------------------------


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    target = serializers.CharField(help_text="The status the case moves to.")
    target_label = serializers.CharField()
    needs_comment = serializers.BooleanField(help_text="A comment saying why is required.")
    payload_fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="The fields of the data this transition carries in `payload` (empty: none).",
    )
    answers_lines = serializers.BooleanField(
        help_text="`payload.lines` answers the case's lines: [{line, status, quantity, date, "
        "substitute_sku, substitute_quantity, reason_code, note}]."
    )


def _payload_fields(step) -> list[str]:
    return list(step.payload_form.base_fields) if step.payload_form is not None else []


def transitions_for(case: Case, side: str) -> list[dict]:
    """The transitions the caller's side may take from the case's status, from the table."""
    workflow = workflow_for(case.kind)
    return [
        {
            "name": t.name,
            "label": t.label,
            "target": t.target,
            "target_label": workflow.state(t.target).label,
            "needs_comment": t.needs_comment,
            "payload_fields": _payload_fields(t),
            "answers_lines": bool(t.payload_form is not None and t.payload_form.answers_lines),
        }
        for t in workflow.available(status=case.status, side=side)
    ]


class TakeTransitionSerializer(serializers.Serializer):
    transition = serializers.CharField(max_length=40, help_text="A name from GET …/transitions/.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    payload = serializers.DictField(
        required=False,
        default=dict,
        help_text="The data the transition carries (see `payload_fields`), validated as in the page "
        "and over Trading Grid; 400 `invalid_payload` names what is wrong.",
    )


# --- cases --------------------------------------------------------------------------------------


class SlaSerializer(serializers.Serializer):
    turn = serializers.ChoiceField(choices=Side.choices, help_text="Whose turn it is; `none` = paused.")
    turn_label = serializers.CharField()
    your_turn = serializers.BooleanField(help_text="The case waits on the caller's side.")
    turn_started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="Null while the clock is paused.")
    state = serializers.ChoiceField(choices=SlaState.choices)
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)


class CaseSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="CX-000123")
    kind = case_kind_field(read_only=True)
    partner = PartnerRefSerializer(read_only=True)
    status_label = serializers.SerializerMethodField()
    owner = PersonSerializer(read_only=True, allow_null=True, help_text="The retailer's owner.")
    assignee = PersonSerializer(read_only=True, allow_null=True, help_text="The partner's assignee.")
    sla = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField(help_text="The retailer's labels; always empty for partners.")
    web_url = serializers.SerializerMethodField(help_text="The case page in the portal.")

    class Meta:
        model = Case
        fields = [
            "id", "reference", "public_id", "kind", "partner", "subject",
            "order_number", "sku", "shipment_ref", "launch_ref",
            "status", "status_label", "is_open", "priority", "owner", "assignee",
            "sla", "tags", "created_at", "last_activity_at", "resolved_at", "web_url",
        ]
        read_only_fields = fields

    def get_status_label(self, case: Case) -> str:
        return workflow_for(case.kind).state(case.status).label

    @extend_schema_field(SlaSerializer)
    def get_sla(self, case: Case) -> dict:
        return SlaSerializer(
            {
                "turn": case.turn,
                "turn_label": Side(case.turn).label,
                "your_turn": case.turn == _side(self.context),
                "turn_started_at": case.turn_started_at,
                "due_at": case.due_at if case.has_deadline else None,
                "state": sla_state(case),
                "first_response_due_at": case.first_response_due_at,
                "resolution_due_at": case.resolution_due_at,
            }
        ).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, case: Case) -> list[str]:
        # Tags are the retailer's own labels (their timeline rows are internal).
        return [t.name for t in case.tags.all()] if _internal(self.context) else []

    def get_web_url(self, case: Case) -> str:
        return _absolute(self.context, case.get_absolute_url())


class CaseDetailSerializer(CaseSerializer):
    transitions = serializers.SerializerMethodField(help_text="What the caller may do next.")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "transitions"]
        read_only_fields = fields

    @extend_schema_field(TransitionSerializer(many=True))
    def get_transitions(self, case: Case) -> list[dict]:
        return transitions_for(case, _side(self.context))


class CaseCreateSerializer(serializers.Serializer):
    kind = case_kind_field()
    partner = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False,
        help_text="Required for the retailer's people; a partner opens cases with its own organization only and may omit it.",
    )
    subject = serializers.CharField(max_length=200)
    order_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    sku = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    shipment_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    launch_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False,
        help_text="Set by the retailer only; partners' cases start at `normal`.",
    )
    body = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100_000,
        help_text="The first message, shared with the partner.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator
            return
        actor = request.user
        self.fields["partner"].queryset = Organization.objects.for_actor(actor).partners().filter(is_active=True)

    def validate(self, data):
        actor = self.context["request"].user
        if scope_of(actor).internal:
            if data.get("partner") is None:
                raise serializers.ValidationError({"partner": ["Choose a partner."]})
            data.setdefault("priority", Priority.NORMAL)
            return data
        own = self.fields["partner"].queryset.first()
        if own is None:
            raise serializers.ValidationError({"partner": ["Your organization cannot open cases."]})
        data["partner"] = own
        return data


class CaseUpdateSerializer(serializers.Serializer):
    """PATCH: only the fields sent change; `null` clears an owner or assignee."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), required=False, allow_null=True,
        help_text="One of the retailer's people (retailer only).",
    )
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), required=False, allow_null=True,
        help_text="A member of the case's partner.",
    )
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, help_text="Retailer only.")

    def __init__(self, *args, case: Case | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is None:  # the schema generator
            return
        self.fields["assignee"].queryset = active_members(organization_id=case.partner_id)
        self.fields["owner"].queryset = active_members(roles=INTERNAL_ROLES)


# --- files --------------------------------------------------------------------------------------


class FileVersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField()
    channel = case_channel_field()
    download_url = serializers.SerializerMethodField(help_text="The portal's download route (a browser session).")
    content_url = serializers.SerializerMethodField(help_text="The API's download route (API keys).")

    class Meta:
        model = FileVersion
        fields = [
            "id", "number", "original_name", "content_type", "size", "sha256",
            "uploaded_by", "channel", "note", "created_at", "download_url", "content_url",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, version: FileVersion) -> str:
        return version.uploaded_label or (str(version.uploaded_by) if version.uploaded_by_id else "")

    def get_download_url(self, version: FileVersion) -> str:
        return _absolute(self.context, reverse("workspace:file_download", kwargs={"pk": version.pk}))

    def get_content_url(self, version: FileVersion) -> str:
        case = self.context.get("case")
        case_id = case.pk if case is not None else version.attachment.case_id
        path = reverse("api-case-file-content", kwargs={"case_pk": case_id, "pk": version.attachment_id})
        return _absolute(self.context, f"{path}?version={version.number}")


class FileSerializer(serializers.ModelSerializer):
    """A file on a case with every version, newest first."""

    current_version = FileVersionSerializer(read_only=True, allow_null=True)
    versions = FileVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "name", "visibility", "message", "version_count", "created_at", "current_version", "versions"]
        read_only_fields = fields


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="Checked by content: PDF, images, Office, CSV, XML, EDI, text.")
    supersedes = serializers.IntegerField(
        required=False, allow_null=True,
        help_text="The id of a file on this case: the upload becomes its next version.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, default=Visibility.PARTNER,
        help_text="`internal` for the retailer's people only. A new version keeps its file's visibility.",
    )


# --- messages -----------------------------------------------------------------------------------


class MessageFileSerializer(serializers.ModelSerializer):
    current_version = FileVersionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Attachment
        fields = ["id", "name", "version_count", "current_version"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    speaker = serializers.CharField(read_only=True, help_text="A person, or a system such as an API key.")
    author = PersonSerializer(read_only=True, allow_null=True)
    organization = serializers.CharField(source="author_organization.name", read_only=True, allow_null=True, default=None)
    channel = case_channel_field()
    attachments = MessageFileSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id", "case", "speaker", "author", "organization", "channel", "visibility",
            "body", "body_html", "created_at", "attachments",
        ]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=100_000)
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, default=Visibility.PARTNER,
        help_text="`internal` notes are for the retailer's people only and never reach a partner.",
    )


# --- timeline -----------------------------------------------------------------------------------


class TimelineEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)
    channel = case_channel_field()
    changes = serializers.ListField(child=serializers.DictField(), read_only=True)
    data = serializers.DictField(read_only=True, help_text="The data a transition carried, as validated.")

    class Meta:
        model = TimelineEvent
        fields = ["id", "verb", "summary", "changes", "data", "actor", "channel", "visibility", "created_at"]
        read_only_fields = fields


class FileContentQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text="Default: the current version.")

