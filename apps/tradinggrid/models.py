"""The interchange ledger, its alerts, per-partner settings and the control number sequences."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.partners.tenancy import TenantQuerySet

from . import conf


class Direction(models.TextChoices):
    OUTBOUND = "outbound", "Outbound"
    INBOUND = "inbound", "Inbound"


class Standard(models.TextChoices):
    X12 = "x12", "X12"
    EDIFACT = "edifact", "EDIFACT"
    COLLAB = "collab", "Collaboration (JSON)"
    UNKNOWN = "unknown", "Unknown"


class Status(models.TextChoices):
    """Modelled on Trading Grid Online's send box; inbound rows carry the answer we gave."""

    CREATED = "created", "Created"  # outbound: built and stored, not yet in the mailbox
    SENT = "sent", "Sent"  # outbound: in our outbound folder, waiting for its 997/CONTRL
    RECEIVED = "received", "Received"  # inbound: stored, not yet applied
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors", "Accepted with errors"
    REJECTED = "rejected", "Rejected"
    ANSWERED = "answered", "Answered"  # outbound: the partner replied with a document
    PROCESSED = "processed", "Processed"  # inbound 997/CONTRL: matched to what we sent
    DUPLICATE = "duplicate", "Duplicate"  # inbound: a replay of a document already applied
    QUARANTINED = "quarantined", "Quarantined"  # inbound: unreadable, stored and set aside
    TEST = "test", "Test (not applied)"  # inbound: ISA15 T, validated and acknowledged only
    FAILED = "failed", "Failed"  # outbound: gave up delivering


STATUS_TONES = {
    Status.CREATED: "info",
    Status.SENT: "accent",
    Status.RECEIVED: "info",
    Status.ACCEPTED: "success",
    Status.ACCEPTED_WITH_ERRORS: "warn",
    Status.REJECTED: "danger",
    Status.ANSWERED: "success",
    Status.PROCESSED: "muted",
    Status.DUPLICATE: "muted",
    Status.QUARANTINED: "danger",
    Status.TEST: "muted",
    Status.FAILED: "danger",
}

# An acknowledgement code (X12 AK5/AK9, CONTRL mapped to them) as a ledger status.
ACK_STATUS = {
    "A": Status.ACCEPTED,
    "E": Status.ACCEPTED_WITH_ERRORS,
    "P": Status.ACCEPTED_WITH_ERRORS,
    "R": Status.REJECTED,
}


def raw_key(instance: "Interchange", filename: str) -> str:
    # Server-made and unique, so a stored document is never overwritten, whatever its name.
    day = timezone.now()
    return f"tradinggrid/{instance.direction}/{day:%Y/%m/%d}/{uuid.uuid4().hex}"


class InterchangeQuerySet(TenantQuerySet):
    tenant_path = "partner"

    def awaiting_ack(self):
        return self.filter(
            direction=Direction.OUTBOUND, expects_ack=True, acknowledged_at__isnull=True
        ).exclude(status__in=(Status.CREATED, Status.FAILED))

    def overdue(self, *, now=None):
        return self.awaiting_ack().filter(ack_due_at__lte=now or timezone.now())


class Interchange(models.Model):
    """One document that crossed the mailbox, either way, kept as it was sent or received."""

    direction = models.CharField(max_length=8, choices=Direction.choices)
    partner = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tradinggrid_interchanges",
        help_text="Empty when the sender is no partner of ours.",
    )
    case = models.ForeignKey(
        "workspace.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tradinggrid_interchanges",
    )
    standard = models.CharField(max_length=8, choices=Standard.choices)
    document_type = models.CharField(
        max_length=10, blank=True, help_text="ST01 (997, 855), the EDIFACT message, or CXD."
    )
    event_type = models.CharField(
        max_length=40, blank=True, help_text="The collaboration event, e.g. message.posted."
    )
    sender_qualifier = models.CharField(max_length=4, blank=True)
    sender_id = models.CharField(max_length=35, blank=True)
    receiver_qualifier = models.CharField(max_length=4, blank=True)
    receiver_id = models.CharField(max_length=35, blank=True)
    interchange_control = models.CharField(
        max_length=14, blank=True, help_text="ISA13, UNB05, or the document's control.interchange."
    )
    functional_id = models.CharField(max_length=4, blank=True, help_text="GS01 (ZZ for CXD).")
    group_control = models.CharField(max_length=9, blank=True, help_text="GS06.")
    transaction_control = models.CharField(
        max_length=14, blank=True, help_text="ST02 or UNH01 (the first, if there are several)."
    )
    document_id = models.CharField(max_length=36, blank=True, help_text="A collab document's id.")
    in_reply_to = models.CharField(max_length=36, blank=True)
    usage = models.CharField(
        max_length=1, blank=True, help_text="ISA15: P (production) or T (test); empty elsewhere."
    )
    delivered_via = models.CharField(
        max_length=300, blank=True, help_text="Inbound: the transport and mailbox it came through."
    )
    delivered_by = models.CharField(
        max_length=100,
        blank=True,
        help_text="Inbound: the sending mailbox as the network reported it (not as the file claims).",
    )
    delivered_for = models.JSONField(
        default=list,
        blank=True,
        help_text="Inbound: the EDI identities that transport may carry (qualifier:id).",
    )
    file_name = models.CharField(max_length=255, help_text="Its name in the mailbox.")
    raw = models.FileField(upload_to=raw_key, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=24, choices=Status.choices)
    status_detail = models.TextField(blank=True, help_text="Why: an error, what was applied.")
    expects_ack = models.BooleanField(default=False)
    ack_due_at = models.DateTimeField(null=True, blank=True)
    ack_status = models.CharField(max_length=1, blank=True, help_text="A, E, P or R.")
    ack_codes = models.CharField(max_length=60, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The 997/CONTRL that acknowledged it (outbound) or that we answered with (inbound).",
    )
    answers = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answered_by",
        help_text="The document this one answers.",
    )
    outbox_message_id = models.BigIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text="The outbox row it was built for: a redelivery finds this row, not a new one.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InterchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["partner", "direction", "group_control", "transaction_control"],
                name="tg_interchange_ack_match_idx",
            ),
            models.Index(
                fields=["partner", "direction", "interchange_control"],
                name="tg_interchange_isa_idx",
            ),
            models.Index(fields=["direction", "document_id"], name="tg_interchange_doc_idx"),
            models.Index(fields=["status", "-id"], name="tg_interchange_status_idx"),
            models.Index(
                fields=["expects_ack", "acknowledged_at", "ack_due_at"],
                name="tg_interchange_ack_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.type_label} #{self.pk}"

    @property
    def type_label(self) -> str:
        if self.standard == Standard.COLLAB:
            return f"CXD {self.event_type}".strip()
        return self.document_type or self.get_standard_display()

    @property
    def control_label(self) -> str:
        if self.standard == Standard.EDIFACT:
            return "/".join(v for v in (self.interchange_control, self.transaction_control) if v)
        return "/".join(
            v for v in (self.interchange_control, self.group_control, self.transaction_control) if v
        )

    @property
    def tone(self) -> str:
        return STATUS_TONES.get(self.status, "neutral")

    @property
    def is_overdue(self) -> bool:
        return (
            self.expects_ack
            and self.acknowledged_at is None
            and self.ack_due_at is not None
            and self.ack_due_at <= timezone.now()
            and self.status not in (Status.CREATED, Status.FAILED)
        )


class AlertKind(models.TextChoices):
    ACK_OVERDUE = "ack_overdue", "Acknowledgement overdue"
    ACK_REJECTED = "ack_rejected", "Rejected by the partner"
    QUARANTINED = "quarantined", "Quarantined document"
    APPLICATION_ERROR = "application_error", "Application error"
    REFUSED = "refused", "Refused document"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"
    SENDER_MISMATCH = "sender_mismatch", "Sender not carried by its transport"
    POLL_STALLED = "poll_stalled", "Mailbox poll stalled"


class AlertQuerySet(TenantQuerySet):
    tenant_path = "partner"

    def open(self):
        return self.filter(resolved_at__isnull=True)


class Alert(models.Model):
    """Something operations must look at; one per kind and document, resolved by a person."""

    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    interchange = models.ForeignKey(
        Interchange, on_delete=models.CASCADE, related_name="alerts", null=True, blank=True
    )
    partner = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tradinggrid_alerts",
    )
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=500, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A sweep or a retried apply raises the same alert again: it must stay one row.
            models.UniqueConstraint(fields=["kind", "interchange"], name="tg_alert_once")
        ]
        indexes = [models.Index(fields=["resolved_at", "-created_at"], name="tg_alert_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"


def default_document_types() -> list[str]:
    return list(conf.DOCUMENT_TYPE_NAMES)


class PartnerProfileQuerySet(TenantQuerySet):
    tenant_path = "organization"


class Encoding(models.TextChoices):
    """Character sets partners' systems write; X12 names none in the file, so we must know it."""

    UTF8 = "utf-8", "UTF-8 (and ASCII)"
    LATIN1 = "iso8859-1", "ISO 8859-1 (Latin-1, Western Europe)"
    LATIN9 = "iso8859-15", "ISO 8859-15 (Latin-9, with the euro sign)"
    CP1252 = "cp1252", "Windows-1252"
    LATIN2 = "iso8859-2", "ISO 8859-2 (Latin-2, Central Europe)"


class PartnerProfile(models.Model):
    """Trading Grid settings of one partner beyond its identity, channel and standard."""

    organization = models.OneToOneField(
        "partners.Organization", on_delete=models.CASCADE, related_name="tradinggrid_profile"
    )
    document_types = models.JSONField(
        default=default_document_types,
        help_text="The case events sent to this partner as collaboration documents.",
    )
    ack_deadline_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Overrides TRADINGGRID_ACK_DEADLINE_MINUTES for this partner.",
    )
    encoding = models.CharField(
        max_length=12,
        choices=Encoding.choices,
        default=Encoding.UTF8,
        help_text="The character set of the partner's EDI files: read in it, written in it.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerProfileQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Trading Grid settings of {self.organization}"


class ControlNumberSequence(models.Model):
    """The last control number handed out for one (sender, receiver, kind)."""

    sender = models.CharField(max_length=40)
    receiver = models.CharField(max_length=40)
    kind = models.CharField(max_length=12)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "receiver", "kind"], name="tg_control_number_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.sender} -> {self.receiver}: {self.last}"
