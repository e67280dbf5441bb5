"""The claim's own row: what is claimed, why, for how much, and what the supplier decided.

One-to-one with its case. The claimed lines are the case's `CaseLine`s; each keeps the unit
price the customer paid in `CaseLine.data["unit_price"]` (the order mirror keeps no prices),
in the claim's currency, so a credit is checked against the claimed value. Never payment data.
"""

from django.db import models
from django.utils import timezone

from apps.workspace.models.case import CaseScopedQuerySet


class ClaimType(models.TextChoices):
    RETURN = "return", "Return"
    DAMAGE = "damage", "Damage"
    WARRANTY = "warranty", "Warranty"


class ClaimReason(models.TextChoices):
    DAMAGED_IN_TRANSIT = "damaged_in_transit", "Damaged in transit"
    DEFECTIVE = "defective", "Defective on arrival"
    FAILED_IN_USE = "failed_in_use", "Failed in use (warranty)"
    WRONG_ITEM = "wrong_item", "Wrong item sent"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    MISSING_PARTS = "missing_parts", "Missing parts"
    UNWANTED = "unwanted", "No longer wanted"
    OTHER = "other", "Other"


class DenialReason(models.TextChoices):
    OUTSIDE_WARRANTY = "outside_warranty", "Outside the warranty period"
    MISUSE = "misuse", "Damage from misuse"
    NOT_RECEIVED = "not_received", "Return not received"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", "Evidence does not show the fault"
    CARRIER_LIABLE = "carrier_liable", "The carrier is liable"
    OTHER = "other", "Other"


class Decision(models.TextChoices):
    NONE = "", "Not decided"
    REPLACEMENT = "replacement", "Replacement"
    CREDIT = "credit", "Credit"
    DENIED = "denied", "Denied"


class ClaimSource(models.TextChoices):
    AGENT = "agent", "Opened by an agent"
    API = "api", "Opened over the API"
    SFCC = "sfcc", "Reported by SFCC"


class Claim(models.Model):
    case = models.OneToOneField("workspace.Case", on_delete=models.PROTECT, related_name="claim")
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="claims"
    )
    order_number = models.CharField(max_length=50, db_index=True)
    site_id = models.CharField(max_length=64, blank=True)
    # SFCC's own id for the claim (c_crossdockClaimId), so a re-polled order opens nothing twice.
    external_ref = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, choices=ClaimSource.choices, default=ClaimSource.AGENT)
    claim_type = models.CharField(max_length=10, choices=ClaimType.choices)
    reason_code = models.CharField(max_length=30, choices=ClaimReason.choices)
    description = models.TextField(help_text="The customer's own words.")
    currency = models.CharField(max_length=3)
    claimed_value = models.DecimalField(max_digits=14, decimal_places=2)

    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True, default="")
    credit_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    credit_currency = models.CharField(max_length=3, blank=True)
    # [{"line": 1, "sku": "TENT-2P", "quantity": "1"}]: what the supplier sends again.
    replacement = models.JSONField(default=list, blank=True)
    denial_reason_code = models.CharField(max_length=30, choices=DenialReason.choices, blank=True)
    denial_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    disputed_at = models.DateTimeField(
        null=True, blank=True, help_text="A denial is disputed once."
    )
    dispute_statement = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_number", "external_ref", "partner"],
                condition=models.Q(source="sfcc"),
                name="claims_unique_sfcc_claim",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_number} {self.get_claim_type_display()}"
