"""The agent's forms that open an escalation or an exception from an order page, prefilled.

Both are built from one mirrored order: the partners the order concerns (its lines' partners,
and the warehouses and carriers of its shipments, as routing names them), the lines to tick
with the quantity concerned, and the shipment. They check the shape of what was sent; the
services (`escalation_open`, `exception_open`) decide what is allowed, and their errors are
put beside the fields by the views.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django import forms

from apps.orders.models import MatchType, Order, OrderLine, Shipment
from apps.orders.routing import Router
from apps.partners.models import Organization
from apps.workspace.forms import MultipleFileField, MultipleFileInput
from apps.workspace.services import LineDraft

from .models import EscalationReason, ExceptionType
from .services import STRUCTURED_FIELDS

# Photos of damage and of what arrived; `image/*` also offers the phone's camera.
PHOTO_TYPES = "image/*,application/pdf"


@dataclass
class Party:
    """A partner the order concerns, and why: "supplier of lines 1, 2", "carrier of 0001-1"."""

    partner: Organization
    roles: list[str] = field(default_factory=list)
    has_lines: bool = False
    is_carrier: bool = False

    @property
    def label(self) -> str:
        return f"{self.partner.name} ({'; '.join(self.roles)})"


def order_parties(*, actor, order: Order, shipments: list[Shipment]) -> dict[int, Party]:
    """The partners of this order the actor may address, by id, in the order they appear."""
    found: dict[int, Party] = {}

    def add(partner: Organization | None, role: str) -> Party | None:
        if partner is None:
            return None
        party = found.setdefault(partner.pk, Party(partner=partner))
        if role not in party.roles:
            party.roles.append(role)
        return party

    by_partner: dict[int, list[str]] = {}
    for line in order.lines.all():
        if line.partner is not None:
            by_partner.setdefault(line.partner_id, []).append(str(line.position))
            found.setdefault(line.partner_id, Party(partner=line.partner)).has_lines = True
    for partner_id, positions in by_partner.items():
        found[partner_id].roles.append(f"lines {', '.join(positions)}")
    router = Router()
    for shipment in shipments:
        name = shipment.shipment_no or shipment.shipment_id
        warehouse = router.partner_for(
            match_type=MatchType.FULFILLMENT_LOCATION, value=shipment.fulfillment_location
        )
        add(warehouse, f"ships {name}")
        carrier = add(
            router.partner_for(match_type=MatchType.CARRIER, value=shipment.carrier_code),
            f"carrier of {name}",
        )
        if carrier is not None:
            carrier.is_carrier = True
    allowed = set(
        Organization.objects.for_actor(actor)
        .partners()
        .filter(is_active=True, pk__in=found)
        .values_list("pk", flat=True)
    )
    return {pk: party for pk, party in found.items() if pk in allowed}


class PartyChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, parties: dict[int, Party], **kwargs):
        self.parties = parties
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        party = self.parties.get(obj.pk)
        return party.label if party else str(obj)


class OrderCaseForm(forms.Form):
    """What both forms share: the partner, the ticked lines with their quantities, the order."""

    partner = forms.ModelChoiceField(queryset=Organization.objects.none())
    lines = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Lines"
    )
    quantity_label = "Quantity concerned"

    def __init__(self, *args, actor, order: Order, lines: list[OrderLine], shipments: list[Shipment],
                 partner: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.order_lines = {line.position: line for line in lines}
        self.shipments = shipments
        self.parties = order_parties(actor=actor, order=order, shipments=shipments)
        self.fields["partner"] = PartyChoiceField(
            queryset=Organization.objects.filter(pk__in=self.parties).order_by("name"),
            parties=self.parties,
            empty_label="Choose the partner",
            help_text="The partner the routing gave these lines to; the order's warehouses "
            "and carriers are listed too.",
        )
        if partner is not None and partner.pk in self.parties:
            self.fields["partner"].initial = partner.pk
        self.fields["lines"].choices = [(pos, line.product_id) for pos, line in self.order_lines.items()]
        self.fields["lines"].initial = list(self.order_lines)
        for pos, line in self.order_lines.items():
            self.fields[self.quantity_name(pos)] = forms.DecimalField(
                min_value=Decimal("0.001"),
                max_value=line.quantity,
                max_digits=12,
                decimal_places=3,
                required=False,
                initial=line.quantity.normalize(),
                label=f"{self.quantity_label} of line {pos}",
                error_messages={"max_value": f"The order has {line.quantity.normalize()}."},
            )

    def clean(self):
        data = super().clean()
        partner = data.get("partner")
        party = self.parties.get(partner.pk) if partner is not None else None
        if party is not None and party.has_lines:
            # A partner answers for its own lines; a warehouse or carrier for any of them.
            others = [
                str(pos) for pos in data.get("lines") or []
                if self.order_lines[pos].partner_id not in (None, partner.pk)
            ]
            if others:
                self.add_error(
                    "lines",
                    f"{partner.name} does not have line {', '.join(others)}: untick it, or "
                    "choose that line's partner.",
                )
        return data

    @staticmethod
    def quantity_name(position: int) -> str:
        return f"quantity-{position}"

    def line_rows(self) -> list[dict]:
        """One row per order line for the template: the line, its box, its quantity field."""
        ticked = {str(v) for v in (self["lines"].value() or [])}
        return [
            {
                "line": line,
                "checked": str(pos) in ticked,
                "quantity": self[self.quantity_name(pos)],
            }
            for pos, line in self.order_lines.items()
        ]

    def line_drafts(self) -> tuple[LineDraft, ...]:
        drafts = []
        for pos in self.cleaned_data.get("lines") or []:
            line = self.order_lines[pos]
            typed = self.cleaned_data.get(self.quantity_name(pos)) or line.quantity
            drafts.append(self.line_draft(line, typed))
        return tuple(drafts)

    def line_draft(self, line: OrderLine, quantity: Decimal) -> LineDraft:
        return LineDraft(
            sku=line.product_id,
            quantity=quantity,
            description=line.product_name,
            order_number=self.order.order_no,
            line_ref=line.item_id,
        )


class EscalationPageForm(OrderCaseForm):
    """Flow 7 from the order page: what went wrong, the lines, the shipment, the customer's words."""

    field_order = ["reason", "partner", "lines", "shipment", "carrier", "tracking_number",
                   "customer_words", "photos"]

    reason = forms.ChoiceField(
        choices=EscalationReason.choices, widget=forms.RadioSelect, label="What went wrong"
    )
    shipment = forms.ChoiceField(required=False, label="Shipment")
    carrier = forms.CharField(max_length=64, required=False)
    tracking_number = forms.CharField(max_length=100, required=False, label="Tracking number")
    customer_words = forms.CharField(
        label="What the customer says",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="In their words: the partner reads this.",
        error_messages={"required": "Write what the customer told you."},
    )
    photos = MultipleFileField(
        required=False,
        label="Photos from the customer",
        widget=MultipleFileInput(attrs={"accept": PHOTO_TYPES}),
        help_text="Several at once if you like: what arrived, the damage, the label.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipment"].choices = [("", "—")] + [
            (s.shipment_id, self.shipment_label(s)) for s in self.shipments
        ]
        first = self.initial_shipment()
        if first is not None:
            self.fields["shipment"].initial = first.shipment_id
            self.fields["carrier"].initial = first.carrier_code
            self.fields["tracking_number"].initial = first.tracking_number
        self.fields["carrier"].help_text = "From the shipment; change it only if the customer knows better."

    @staticmethod
    def shipment_label(shipment: Shipment) -> str:
        parts = [shipment.shipment_no or shipment.shipment_id, shipment.carrier_code, shipment.tracking_number]
        return " · ".join(p for p in parts if p)

    def initial_shipment(self) -> Shipment | None:
        """The shipment that carries the first of these lines, else the order's first."""
        wanted = next((line.shipment_id for line in self.order_lines.values() if line.shipment_id), "")
        return next((s for s in self.shipments if s.shipment_id == wanted), None) or (
            self.shipments[0] if self.shipments else None
        )

    def clean(self):
        data = super().clean()
        partner, reason = data.get("partner"), data.get("reason")
        party = self.parties.get(partner.pk) if partner is not None else None
        if party is not None and party.is_carrier and not party.has_lines and reason and (
            reason != EscalationReason.DELIVERY_DELAY
        ):
            self.add_error(
                "partner",
                "A carrier takes delivery delays; a missing item or a defect goes to the "
                "partner of the lines.",
            )
        # Another shipment chosen, carrier and tracking left as prefilled: take the chosen one's.
        chosen = next((s for s in self.shipments if s.shipment_id == data.get("shipment")), None)
        first = self.initial_shipment()
        if chosen is not None and first is not None and chosen != first:
            if data.get("carrier") == first.carrier_code:
                data["carrier"] = chosen.carrier_code
            if data.get("tracking_number") == first.tracking_number:
                data["tracking_number"] = chosen.tracking_number
        return data


class ExceptionPageForm(OrderCaseForm):
    """Flow 1 by hand from the order page: the kind of exception, a subject, the lines."""

    field_order = ["exception_type", "partner", "subject", "lines", "body"]

    exception_type = forms.ChoiceField(
        choices=ExceptionType.choices, widget=forms.RadioSelect, label="Kind of exception"
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        label="Message to the partner",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    # The type's structured fields (ExceptionDetail), each optional; never payment data.
    address_problem = forms.CharField(max_length=300, required=False, label="What failed (address)")
    address_correction = forms.CharField(
        max_length=2000, required=False, label="Proposed correction", widget=forms.Textarea(attrs={"rows": 2})
    )
    payment_note = forms.CharField(
        max_length=300, required=False, label="What the partner must do (payment)",
        help_text="For example “hold the shipment until we confirm”. Never card or account details.",
    )
    carrier = forms.CharField(max_length=64, required=False)
    tracking_number = forms.CharField(max_length=100, required=False, label="Tracking number")
    carrier_exception_code = forms.CharField(max_length=40, required=False, label="Carrier's exception code")
    carrier_notes = forms.CharField(
        max_length=2000, required=False, label="Carrier's notes", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.initial.get("exception_type")
        self.fields["subject"].initial = self.subject_for(kind)
        shipment = self.order.shipments.first()
        if shipment is not None:
            self.fields["carrier"].initial = shipment.carrier_code
            self.fields["tracking_number"].initial = shipment.tracking_number

    def structured_fields(self):
        return [self[name] for name in STRUCTURED_FIELDS]

    def subject_for(self, kind: str | None) -> str:
        return f"{dict(ExceptionType.choices).get(kind, 'Exception')} on order {self.order.order_no}"

    def clean(self):
        data = super().clean()
        # The prefilled subject left as it was names the kind the agent chose.
        if data.get("subject") == self.subject_for(None) and data.get("exception_type"):
            data["subject"] = self.subject_for(data["exception_type"])
        return data

    def line_draft(self, line: OrderLine, quantity: Decimal) -> LineDraft:
        """A shortage keeps the ordered quantity and says how much is short, as detection does."""
        draft = super().line_draft(line, quantity)
        if self.cleaned_data.get("exception_type") == ExceptionType.STOCK_SHORTAGE:
            return replace(
                draft, quantity=line.quantity, data={"quantity_short": str(quantity.normalize())}
            )
        return draft
