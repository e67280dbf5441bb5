"""Forms of the operations page: filters and the reason an operator gives."""

from django import forms

from .models import InboxStatus, OutboxStatus
from .services import REASON_MAX_CHARS


class DiscardForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Written to the case's internal timeline; partners never see it.",
    )


class IgnoreForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the event, for whoever looks at it next.",
    )


class OutboxFilterForm(forms.Form):
    target = forms.CharField(required=False)
    key = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *OutboxStatus.choices])
    before = forms.IntegerField(required=False, min_value=1)


class InboxFilterForm(forms.Form):
    source = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *InboxStatus.choices])
    before = forms.IntegerField(required=False, min_value=1)
