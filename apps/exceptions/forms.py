"""The data partners and agents send on this app's transitions, checked alike on every channel."""

from django import forms
from django.core.exceptions import ValidationError

from apps.workspace.payloads import PayloadForm


def reason_codes(list_name: str):
    """Choices from the administrator's code list, read when the form is built."""

    def choices():
        from .codes import active_codes

        return [("", "—"), *active_codes()[list_name]]

    return choices


RESOLUTIONS = [
    ("partial_backorder", "Ship what is in stock, backorder the rest"),
    ("substitute", "Substitute products"),
    ("reship", "Reship"),
    ("correct_address", "Correct the address"),
    ("cancel_lines", "Cancel lines"),
    ("carrier_claim", "Open a carrier claim"),
]
RESOLUTION_LABELS = dict(RESOLUTIONS)
# Proposals that say what happens to each line.
LINE_RESOLUTIONS = {"partial_backorder", "substitute", "cancel_lines"}


class ProposalForm(PayloadForm):
    """The partner's proposal: what happens to the order, line by line where it matters."""

    answers_lines = True
    case_fields = ("root_cause_code",)

    resolution = forms.ChoiceField(choices=RESOLUTIONS)
    ship_date = forms.DateField(required=False, help_text="When the available goods or the reshipment leave.")
    address_correction = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    carrier_claim_ref = forms.CharField(required=False, max_length=100, label="Carrier claim reference")
    root_cause_code = forms.ChoiceField(required=False, choices=reason_codes("exception_root_cause"), label="Root cause")
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        resolution = data.get("resolution")
        if resolution in {"reship", "partial_backorder"} and not data.get("ship_date"):
            self.add_error("ship_date", "Say when it ships.")
        if resolution == "correct_address" and not data.get("address_correction", "").strip():
            self.add_error("address_correction", "Give the corrected address.")
        if resolution == "carrier_claim" and not data.get("carrier_claim_ref", "").strip():
            self.add_error("carrier_claim_ref", "Give the carrier's claim reference.")
        return data

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.errors.get("resolution"):
            resolution = self.cleaned_data.get("resolution")
            if resolution in LINE_RESOLUTIONS and not self.line_answers and not self.errors:
                self.add_error(None, ValidationError("Answer the lines this proposal is about."))


class AcceptForm(PayloadForm):
    """The retailer accepts the partner's latest proposal and files it under a resolution code."""

    case_fields = ("resolution_code",)

    resolution_code = forms.ChoiceField(
        required=False, choices=reason_codes("exception_resolution"), label="Resolution code"
    )


PLAN_TYPES = [
    ("replacement", "Send a replacement"),
    ("reship", "Reship the order"),
    ("refund", "Refund the customer"),
    ("repair", "Repair"),
    ("carrier_trace", "Trace with the carrier"),
    ("no_action", "No action needed"),
]
PLAN_TYPE_LABELS = dict(PLAN_TYPES)


class PlanForm(PayloadForm):
    """The partner's finding: why it happened, and what it will do by when."""

    case_fields = ("root_cause_code",)

    root_cause_code = forms.ChoiceField(choices=reason_codes("escalation_root_cause"), label="Root cause")
    root_cause_detail = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="What happened")
    plan_type = forms.ChoiceField(choices=PLAN_TYPES, label="Plan")
    plan = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Plan in detail")
    plan_due = forms.DateField(label="Done by")
