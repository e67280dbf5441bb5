"""Forms of the ledger page and the per-partner settings."""

from django import forms

from apps.partners.roles import Channel, EdiStandard

from . import conf
from .models import Direction, Encoding, Status


class LedgerFilterForm(forms.Form):
    partner = forms.IntegerField(required=False, min_value=1)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    direction = forms.ChoiceField(
        required=False, choices=[("", "Both directions"), *Direction.choices]
    )
    type = forms.CharField(required=False, max_length=60)
    overdue = forms.BooleanField(required=False)
    case = forms.IntegerField(required=False, min_value=1)
    before = forms.IntegerField(required=False, min_value=1)


class AlertResolveForm(forms.Form):
    resolution = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "What was done (optional)"}),
    )


class PartnerSettingsForm(forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices, label="Channels")
    edi_standard = forms.ChoiceField(choices=EdiStandard.choices, label="EDI standard")
    edi_version = forms.CharField(
        max_length=10, label="EDI version", help_text="e.g. 004010 (X12) or D96A (EDIFACT)."
    )
    document_types = forms.MultipleChoiceField(
        choices=conf.DOCUMENT_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Case events sent as documents",
    )
    ack_deadline_minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=60 * 24 * 14,
        label="Acknowledgement deadline (minutes)",
        help_text="Empty: the default of TRADINGGRID_ACK_DEADLINE_MINUTES.",
    )
    encoding = forms.ChoiceField(
        choices=Encoding.choices,
        required=False,  # left out: unchanged
        label="Character set",
        help_text="What the partner's system writes: its files are read and ours written in it.",
    )
