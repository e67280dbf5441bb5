"""The agent's claim form, opened from an order page: the supplier, the claimed lines with the
quantity and the unit price paid, the type and reason, the customer's words and evidence."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms

from apps.orders.models import Order, OrderLine
from apps.partners.models import Organization
from apps.workspace.forms import MultipleFileField, MultipleFileInput

from .models import ClaimReason, ClaimType
from .services import ClaimLineDraft

# Photos of the damage and of what arrived; `image/*` with `capture` offers the phone's camera.
EVIDENCE_TYPES = "image/*,application/pdf"


@dataclass
class LineRow:
    line: OrderLine
    checked: bool
    quantity: forms.BoundField
    unit_price: forms.BoundField


class ClaimPageForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Organization.objects.none(), empty_label="Choose the supplier"
    )
    claim_type = forms.ChoiceField(choices=[("", "—"), *ClaimType.choices], label="Type")
    reason_code = forms.ChoiceField(choices=[("", "—"), *ClaimReason.choices], label="Reason")
    lines = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.CheckboxSelectMultiple, label="Lines"
    )
    currency = forms.RegexField(
        regex=r"^[A-Z]{3}$",
        max_length=3,
        error_messages={"invalid": "Three capital letters, e.g. USD."},
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label="What the customer says",
    )
    evidence = MultipleFileField(
        required=False,
        label="Photos and documents",
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_TYPES, "capture": "environment"}),
        help_text="Photos of the damage, the packaging, the label; the receipt or warranty card.",
    )

    def __init__(self, *args, actor, order: Order, lines: list[OrderLine], partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.order_lines = {line.position: line for line in lines}
        partners = Organization.objects.for_actor(actor).partners().filter(is_active=True)
        on_order = {line.partner_id for line in lines if line.partner_id}
        self.fields["partner"].queryset = (
            partners.filter(pk__in=on_order) if on_order else partners
        ).order_by("name")
        if partner is not None:
            self.fields["partner"].initial = partner.pk
        self.fields["lines"].choices = [
            (pos, line.product_id) for pos, line in self.order_lines.items()
        ]
        self.fields["lines"].initial = list(self.order_lines)
        self.fields["currency"].initial = order.currency or "USD"
        for pos, line in self.order_lines.items():
            self.fields[f"quantity_{pos}"] = forms.DecimalField(
                min_value=Decimal("0.001"),
                max_value=line.quantity,
                max_digits=12,
                decimal_places=3,
                required=False,
                initial=line.quantity.normalize(),
                label=f"Quantity claimed of line {pos}",
                error_messages={"max_value": f"The order has {line.quantity.normalize()}."},
            )
            self.fields[f"unit_price_{pos}"] = forms.DecimalField(
                min_value=Decimal("0"),
                max_digits=12,
                decimal_places=2,
                required=False,
                label=f"Unit price paid for line {pos}",
            )

    def line_rows(self) -> list[LineRow]:
        checked = {int(v) for v in (self["lines"].value() or []) if str(v).isdigit()}
        return [
            LineRow(line, pos in checked, self[f"quantity_{pos}"], self[f"unit_price_{pos}"])
            for pos, line in self.order_lines.items()
        ]

    def clean(self):
        data = super().clean()
        for pos in data.get("lines") or []:
            if data.get(f"quantity_{pos}") is None and f"quantity_{pos}" not in self.errors:
                self.add_error(f"quantity_{pos}", "How many are claimed?")
            if data.get(f"unit_price_{pos}") is None and f"unit_price_{pos}" not in self.errors:
                self.add_error(f"unit_price_{pos}", "Give the unit price the customer paid.")
        partner = data.get("partner")
        if partner is not None:
            others = [
                str(pos)
                for pos in data.get("lines") or []
                if self.order_lines[pos].partner_id not in (None, partner.pk)
            ]
            if others:
                self.add_error(
                    "lines",
                    f"Line {', '.join(others)} belongs to another supplier: open a claim with it.",
                )
        return data

    def line_drafts(self) -> tuple[ClaimLineDraft, ...]:
        data = self.cleaned_data
        return tuple(
            ClaimLineDraft(
                sku=self.order_lines[pos].product_id,
                quantity=data[f"quantity_{pos}"],
                unit_price=data[f"unit_price_{pos}"],
                description=self.order_lines[pos].product_name,
                line_ref=self.order_lines[pos].item_id,
            )
            for pos in data["lines"]
        )
