"""The data the supplier and the retailer send on a claim's steps, checked alike on every channel."""

from decimal import Decimal

from django import forms

from apps.workspace.models import LineStatus
from apps.workspace.payloads import PayloadForm

from .models import DenialReason

# A replacement names the lines sent again; a line rejected is not replaced.
REPLACED = {LineStatus.ACCEPTED, LineStatus.ACCEPTED_WITH_CHANGES}


class ReplacementForm(PayloadForm):
    """Replace the claimed goods: every claimed line in full, or the lines answered (Accept,
    with the quantity replaced; Reject leaves a line out)."""

    answers_lines = True

    ship_date = forms.DateField(required=False, help_text="When the replacement leaves.")
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or self.errors:
            return
        for answer in self.line_answers:
            if answer["status"] not in REPLACED | {LineStatus.REJECTED}:
                self.add_error(
                    None, f"line {answer['line']}: a replacement accepts or rejects a line."
                )
        if self.line_answers and not any(a["status"] in REPLACED for a in self.line_answers):
            self.add_error(None, "Replace at least one line, or deny the claim.")


CREDIT_KINDS = [("full", "Full: the claimed value"), ("partial", "Partial: an amount")]


class CreditForm(PayloadForm):
    """A credit to the retailer, never more than the claimed lines' value (the guard checks)."""

    credit = forms.ChoiceField(choices=CREDIT_KINDS, initial="full", label="Credit")
    amount = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="For a partial credit; a full credit is the claimed value.",
    )
    currency = forms.RegexField(
        regex=r"^[A-Z]{3}$",
        required=False,
        max_length=3,
        error_messages={"invalid": "Give a three-letter ISO currency code, e.g. USD."},
        help_text="The claim's currency; other currencies are refused.",
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("credit") == "partial" and data.get("amount") is None:
            self.add_error("amount", "Give the amount of a partial credit.")
        return data


class DenialForm(PayloadForm):
    """Why the supplier denies the claim: a code for reports, words for the customer."""

    denial_reason_code = forms.ChoiceField(choices=DenialReason.choices, label="Reason")
    denial_reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Explanation",
    )


class DisputeForm(PayloadForm):
    """The retailer disputes a denial, once, after adding new evidence to the claim."""

    dispute_statement = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the denial is wrong",
        help_text="Upload the new evidence to the claim first.",
    )
