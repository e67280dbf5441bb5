"""The data partners and the retailer send on a dispatch's steps, checked alike on every channel."""

from django import forms

from apps.workspace.models import CaseLine
from apps.workspace.payloads import PayloadForm

from .models import ChangeKind

REJECT_REASONS = [
    ("out_of_stock", "Out of stock, no date"),
    ("discontinued", "Product discontinued"),
    ("cannot_ship_to", "Cannot ship to this address"),
    ("service_unavailable", "Shipping method or service level not offered"),
    ("price_mismatch", "Price does not match the agreement"),
    ("other", "Other"),
]
REJECT_REASON_LABELS = dict(REJECT_REASONS)

EXCEPTION_TYPES = [
    ("address", "Address needs checking"),
    ("delivery_requirement", "Delivery requirement cannot be met"),
    ("service_level", "Service level cannot be met"),
    ("stock", "Stock uncertain"),
    ("other", "Other"),
]
EXCEPTION_TYPE_LABELS = dict(EXCEPTION_TYPES)


class AnswerForm(PayloadForm):
    """The partner's answer: every line (accept, backorder with a date, substitute, reject) and
    the date it commits to ship what it accepted."""

    answers_lines = True

    ship_date = forms.DateField(
        label="Committed ship date", help_text="When the accepted lines leave your warehouse."
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def full_clean(self):
        # Every line of the order is answered (the base's `every_line` also refuses an order
        # without lines, which a dispatch opened by hand through the workspace may be).
        super().full_clean()
        if self.is_bound and not self.errors and self.case is not None and self.case.pk:
            positions = set(
                CaseLine.objects.filter(case=self.case).values_list("position", flat=True)
            )
            missing = sorted(positions - {a["line"] for a in self.line_answers})
            if missing:
                self.add_error(
                    None, "Answer every line; unanswered: " + ", ".join(map(str, missing)) + "."
                )


class RejectForm(PayloadForm):
    """The partner turns the whole order down; the retailer re-routes it."""

    reason = forms.ChoiceField(choices=REJECT_REASONS, label="Reason")
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Detail"
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == "other" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why the order is rejected.")
        return data


class ExceptionForm(PayloadForm):
    """The partner cannot answer yet: something about the order needs the retailer first."""

    exception_type = forms.ChoiceField(choices=EXCEPTION_TYPES, label="What is wrong")
    detail = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Detail"
    )


class ChangeRequestForm(PayloadForm):
    """The retailer asks to cancel or change the order: which lines, and to what."""

    change = forms.ChoiceField(choices=ChangeKind.choices, label="Change")
    positions = forms.CharField(
        required=False,
        max_length=200,
        label="Lines",
        help_text="Line positions, comma-separated (cancel some lines, change quantities).",
    )
    quantities = forms.CharField(
        required=False,
        max_length=200,
        label="New quantities",
        help_text="One per line named, in the same order (change quantities).",
    )
    ship_to = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="New ship-to address",
    )
    shipping_method = forms.CharField(required=False, max_length=100, label="New shipping method")
    detail = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Detail"
    )

    def _lines(self) -> dict[int, CaseLine]:
        if self.case is None or self.case.pk is None:
            return {}
        return {line.position: line for line in CaseLine.objects.filter(case=self.case)}

    def clean(self):
        data = super().clean()
        change = data.get("change")
        lines = self._lines()
        positions: list[int] = []
        for part in (data.get("positions") or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or int(part) not in lines:
                self.add_error("positions", f"The order has no line {part}.")
                return data
            positions.append(int(part))
        data["positions"] = ",".join(map(str, positions))
        if change in {ChangeKind.CANCEL_LINES, ChangeKind.CHANGE_QUANTITY} and not positions:
            self.add_error("positions", "Name the lines to change.")
        if change == ChangeKind.CHANGE_QUANTITY and positions:
            quantities = [q.strip() for q in (data.get("quantities") or "").split(",") if q.strip()]
            if len(quantities) != len(positions):
                self.add_error("quantities", "Give one new quantity for each line named.")
            else:
                for position, text in zip(positions, quantities, strict=True):
                    try:
                        value = float(text)
                    except ValueError:
                        self.add_error("quantities", f"{text!r} is not a quantity.")
                        break
                    if value <= 0 or value > float(lines[position].quantity):
                        self.add_error(
                            "quantities",
                            f"Line {position}: the new quantity must be above 0 and at most "
                            f"{lines[position].quantity.normalize():f} (cancel the line instead).",
                        )
                        break
        if change == ChangeKind.CHANGE_ADDRESS and not (data.get("ship_to") or "").strip():
            self.add_error("ship_to", "Give the new address.")
        if change == ChangeKind.CHANGE_SERVICE and not (data.get("shipping_method") or "").strip():
            self.add_error("shipping_method", "Give the new shipping method.")
        return data


class ChangeAnswerForm(PayloadForm):
    """The partner's reply to a change: a refusal says why."""

    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Note"
    )


class ChangeRefusalForm(PayloadForm):
    note = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Why not"
    )
