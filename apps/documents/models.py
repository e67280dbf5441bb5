"""Flow 3's rows: what an administrator requires, what was requested, and every version sent.

A requirement says which document a partner owes on which orders (lane and order type) and
whether the order may ship without it. A request is one document owed on one order (or one
of its shipments): it is one-to-one with its case, whose workflow is the review. Each file
the partner submits is a `DocumentSubmission`, kept for good with its outcome, so the audit
trail of a document is its submissions plus the case's timeline.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from apps.partners.tenancy import TenantQuerySet
from apps.workspace.models.case import CaseScopedQuerySet


class DocumentType(models.TextChoices):
    """The built-in vocabulary, as Trading Grid's `document_type` (docs/tradinggrid-collaboration.md)."""

    PACKING_LIST = "packing_list", "Packing list"
    CERTIFICATE_OF_ORIGIN = "certificate_of_origin", "Certificate of origin"
    COMMERCIAL_INVOICE = "commercial_invoice", "Commercial invoice"
    CUSTOMS_DECLARATION = "customs_declaration", "Customs declaration"
    SHIP_NOTICE = "ship_notice", "Ship notice"
    COMPLIANCE_APPROVAL = "compliance_approval", "Compliance approval"


# Certificates carry issue and expiry dates; their expiry makes them stop counting.
DATED_TYPES = frozenset({DocumentType.CERTIFICATE_OF_ORIGIN, DocumentType.COMPLIANCE_APPROVAL})

# The collaboration schema's pattern for document_type: a custom type must fit it too.
type_code = RegexValidator(
    r"^[a-z][a-z0-9_]{1,63}$",
    "Lower-case letters, digits and _ (e.g. safety_data_sheet), starting with a letter.",
)


def type_label(code: str, custom_label: str = "") -> str:
    if code in DocumentType.values:
        return DocumentType(code).label
    return custom_label or code.replace("_", " ").capitalize()


class RequirementQuerySet(TenantQuerySet):
    """A partner reads its own requirements (what it owes); the retailer's people read all."""

    def active(self):
        return self.filter(is_active=True)


class DocumentRequirement(models.Model):
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.CASCADE, related_name="document_requirements"
    )
    document_type = models.CharField(
        max_length=64,
        validators=[type_code],
        help_text="packing_list, certificate_of_origin, commercial_invoice, customs_declaration, "
        "ship_notice, compliance_approval, or a custom code such as safety_data_sheet.",
    )
    custom_label = models.CharField(max_length=100, blank=True, help_text="Name of a custom type.")
    origin_country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO country the goods leave from (c_originCountry); empty: any.",
    )
    destination_country = models.CharField(
        max_length=2, blank=True, help_text="ISO country of the ship-to; empty: any."
    )
    order_type = models.CharField(
        max_length=40,
        blank=True,
        help_text="The order's type (c_orderType, else SFCC's channel type); empty: any.",
    )
    needed_before_shipping = models.BooleanField(
        default=True, help_text="The order is blocked until this document is accepted."
    )
    per_shipment = models.BooleanField(
        default=False, help_text="One document per shipment (a packing list) instead of per order."
    )
    dated = models.BooleanField(
        default=False,
        help_text="Carries issue and expiry dates (certificates); set for certificate types.",
    )
    due_days = models.PositiveIntegerField(default=2, help_text="Days the partner has to send it.")
    instructions = models.TextField(blank=True, help_text="What the document must show.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "document_type", "id"]

    def __str__(self) -> str:
        lane = f"{self.origin_country or '*'}→{self.destination_country or '*'}"
        return f"{self.label} from {self.partner} ({lane}, {self.order_type or 'any order'})"

    @property
    def label(self) -> str:
        return type_label(self.document_type, self.custom_label)

    @property
    def is_dated(self) -> bool:
        return self.dated or self.document_type in DATED_TYPES

    def matches(self, *, origin: str, destination: str, order_type: str) -> bool:
        def fits(wanted: str, value: str) -> bool:
            return not wanted or wanted.strip().upper() == (value or "").strip().upper()

        return (
            fits(self.origin_country, origin)
            and fits(self.destination_country, destination)
            and fits(self.order_type, order_type)
        )


class DocumentRequest(models.Model):
    """One document owed on one order or shipment; the case's status is its review state."""

    case = models.OneToOneField(
        "workspace.Case", on_delete=models.PROTECT, related_name="document_request"
    )
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="document_requests"
    )
    # The id Trading Grid's document.requested and file.attached carry.
    request_id = models.CharField(max_length=64, unique=True)
    requirement = models.ForeignKey(
        DocumentRequirement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    document_type = models.CharField(max_length=64, validators=[type_code])
    custom_label = models.CharField(max_length=100, blank=True)
    order_number = models.CharField(max_length=50, db_index=True)
    shipment_ref = models.CharField(max_length=64, blank=True)
    needed_before_shipping = models.BooleanField(default=True)
    dated = models.BooleanField(default=False)
    # The document's file: each submission is a new version of it (never overwritten).
    attachment = models.ForeignKey(
        "workspace.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What counts: the accepted version and its dates (kept through a renewal until expiry).
    accepted_submission = models.ForeignKey(
        "documents.DocumentSubmission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issue_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    # When the request last asked for a (new) document: a submission must come after it.
    open_since = models.DateTimeField(default=timezone.now)
    renewal_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["order_number", "document_type", "id"]
        constraints = [
            # Requirements open one request per order, shipment and type: a re-polled order adds none.
            models.UniqueConstraint(
                fields=["partner", "order_number", "shipment_ref", "document_type"],
                condition=models.Q(requirement__isnull=False),
                name="documents_unique_required_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} for {self.order_number}"

    @property
    def label(self) -> str:
        return type_label(self.document_type, self.custom_label)

    def satisfied(self, *, today=None) -> bool:
        """Accepted and not expired: the only thing that unblocks an order."""
        if self.accepted_submission_id is None:
            return False
        today = today or timezone.localdate()
        return self.expiry_date is None or self.expiry_date >= today


class SubmissionQuerySet(CaseScopedQuerySet):
    case_path = "request__case"


class Outcome(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class DocumentSubmission(models.Model):
    """One file version sent for a request, with who sent and reviewed it, when, and why."""

    request = models.ForeignKey(
        DocumentRequest, on_delete=models.PROTECT, related_name="submissions"
    )
    number = models.PositiveIntegerField()
    file_version = models.ForeignKey(
        "workspace.FileVersion", on_delete=models.PROTECT, related_name="+"
    )
    issue_date = models.DateField(null=True, blank=True)
    expiry_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    submitted_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=20)
    submitted_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    reviewed_label = models.CharField(max_length=200, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_code = models.CharField(max_length=30, blank=True)
    rejection_reason = models.TextField(blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["request", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "number"], name="documents_unique_submission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request} #{self.number} ({self.outcome})"
