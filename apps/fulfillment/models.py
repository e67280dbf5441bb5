"""Flow 4's records: the partner agreements, and each dispatch's detail row.

`Dispatch` is one-to-one with its DROPSHIP case and holds what was sent to the partner (the
purchase-order reference of the 850, the reduced ship-to, the shipping method, the customer's
delivery requirements) and what the partner committed (its answer and ship date). It names
the SFCC order by its natural key, never by a foreign key to the mirror rows each apply
replaces. `ChangeRequest` is the retailer's cancellation or change and the partner's reply.
"""

from django.db import models
from django.utils import timezone

from apps.partners.tenancy import TenantQuerySet
from apps.workspace.models.case import CaseScopedQuerySet


class AgreementQuerySet(TenantQuerySet):
    tenant_path = "partner"

    def active(self):
        return self.filter(is_active=True)


class PartnerAgreement(models.Model):
    """What a drop-ship supplier or marketplace seller agreed to: how fast it answers and ships.

    The acknowledgement deadline is the business answer (accept or reject the order), not the
    997 that the Trading Grid connector expects within minutes.
    """

    partner = models.OneToOneField(
        "partners.Organization", on_delete=models.CASCADE, related_name="dropship_agreement"
    )
    ack_hours = models.PositiveIntegerField(
        "acknowledgement deadline (hours)",
        default=24,
        help_text="Hours after dispatch by which the partner accepts or rejects the order.",
    )
    reminder_hours = models.PositiveIntegerField(
        "reminder (hours before the deadline)",
        default=4,
        help_text="A reminder goes to the partner this many hours before the deadline.",
    )
    ship_days = models.PositiveIntegerField(
        "ship-by target (days)",
        default=2,
        help_text="Calendar days after dispatch by which accepted lines should ship.",
    )
    dispatch_all_lines = models.BooleanField(
        default=False,
        help_text="Dispatch every line routed to this partner, even without "
        "c_fulfillmentType = dropship or marketplace on the order or the line.",
    )
    is_active = models.BooleanField(default=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name"]

    def __str__(self) -> str:
        return f"Drop-ship agreement with {self.partner}"


class FulfillmentType(models.TextChoices):
    DROPSHIP = "dropship", "Drop-ship supplier"
    MARKETPLACE = "marketplace", "Marketplace seller"


class Answer(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    ACCEPTED_IN_PART = "accepted_in_part", "Accepted in part"
    REJECTED = "rejected", "Rejected"
    EXCEPTION = "exception", "Exception flagged"


class Dispatch(models.Model):
    case = models.OneToOneField("workspace.Case", on_delete=models.PROTECT, related_name="dispatch")
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="dispatches"
    )
    order_number = models.CharField(max_length=50, db_index=True)
    site_id = models.CharField(max_length=64, blank=True)
    po_number = models.CharField(
        "purchase order",
        max_length=22,
        unique=True,
        help_text="The reference Crossdock sent in the 850 (BEG03); the 855 names it in BAK03.",
    )
    fulfillment_type = models.CharField(max_length=20, choices=FulfillmentType.choices)
    # The ship-to as the mirror reduces it: name and address, no phone or e-mail.
    ship_to = models.JSONField(default=dict, blank=True)
    shipping_method = models.CharField(max_length=100, blank=True)
    service_level = models.CharField(max_length=100, blank=True)
    delivery_requirements = models.JSONField(
        default=dict, blank=True, help_text="Label → value, from the order's c_ attributes."
    )
    dispatched_at = models.DateTimeField(default=timezone.now)
    ack_due_at = models.DateTimeField(help_text="When the partner's answer is due.")
    remind_at = models.DateTimeField(
        help_text="When the partner is reminded if it has not answered."
    )
    ship_by = models.DateField(help_text="The ship-by target of the agreement.")
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    committed_ship_date = models.DateField(null=True, blank=True)
    reject_reason = models.CharField(max_length=40, blank=True)
    reject_note = models.TextField(blank=True)
    exception_type = models.CharField(max_length=40, blank=True)
    exception_detail = models.TextField(blank=True)
    reroute_case_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The order exception opened for re-routing a rejection."
    )
    # The partner's order status report (X12 870), latest first wins.
    last_status_report = models.JSONField(default=dict, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-dispatched_at", "-id"]
        constraints = [
            # One dispatch per partner per order: a replayed or re-polled order opens nothing new.
            models.UniqueConstraint(
                fields=["site_id", "order_number", "partner"], name="fulfillment_unique_dispatch"
            )
        ]

    def __str__(self) -> str:
        return f"{self.po_number} ({self.order_number} → {self.partner_id})"

    @property
    def answered(self) -> bool:
        return bool(self.answer)


class ChangeKind(models.TextChoices):
    CANCEL = "cancel", "Cancel the order"
    CANCEL_LINES = "cancel_lines", "Cancel some lines"
    CHANGE_QUANTITY = "change_quantity", "Change quantities"
    CHANGE_ADDRESS = "change_address", "Change the ship-to address"
    CHANGE_SERVICE = "change_service", "Change the shipping method or service level"


class ChangeOutcome(models.TextChoices):
    PENDING = "pending", "Waiting on the partner"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class ChangeRequest(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="changes")
    case = models.ForeignKey("workspace.Case", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(help_text="1, 2, … per dispatch (the 860's BCH05).")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    detail = models.TextField(blank=True)
    # {"<position>": "<new quantity>"} for quantity changes, positions for cancelled lines.
    lines = models.JSONField(default=dict, blank=True)
    ship_to = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(
        max_length=10, choices=ChangeOutcome.choices, default=ChangeOutcome.PENDING
    )
    outcome_note = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["dispatch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch", "number"], name="fulfillment_unique_change")
        ]

    def __str__(self) -> str:
        return f"{self.dispatch.po_number} change {self.number}: {self.get_kind_display()}"

    @property
    def cancels(self) -> bool:
        return self.kind == ChangeKind.CANCEL
