"""The merchandiser's and the partner's forms of flow 2 (the data checks live in services)."""

from django import forms

from apps.partners.models import Organization

from .models import LinePriority, PlanKind

ACCEPTED_FILES = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


class PlanForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="E.g. “Black Friday outdoor promotion”.")
    kind = forms.ChoiceField(
        choices=[c for c in PlanKind.choices if c[0] != PlanKind.PRIORITY], label="For"
    )
    period_start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    promotion_ref = forms.CharField(required=False, max_length=100, label="Promotion or campaign")
    answer_by = forms.DateTimeField(
        required=False,
        label="Partners answer by",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Drives each partner's SLA clock.",
    )
    default_location = forms.CharField(
        required=False, max_length=64, help_text="SFCC inventory list, e.g. inventory_m."
    )
    share_totals = forms.BooleanField(required=False, label="Show partners the plan's totals")
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Sent to every partner."
    )
    file = forms.FileField(
        required=False,
        label="Lines (CSV or XLSX)",
        help_text="Columns: partner, sku, forecast_qty, need_by, and optionally product_name, location, priority.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Lines (CSV or XLSX)",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )


class LineForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Organization.objects.none())
    sku = forms.CharField(max_length=100, label="SKU")
    forecast_qty = forms.DecimalField(
        max_digits=12, decimal_places=3, min_value=0.001, label="Forecast"
    )
    need_by = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    location = forms.CharField(required=False, max_length=64)
    priority = forms.ChoiceField(choices=LinePriority.choices, initial=LinePriority.NORMAL)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Organization.objects.for_actor(actor).partners().filter(is_active=True)
        )


class PriorityRequestForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Organization.objects.none())
    sku = forms.CharField(max_length=100, label="SKU")
    quantity = forms.DecimalField(max_digits=12, decimal_places=3, min_value=0.001)
    need_by = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), help_text="When the goods must be there."
    )
    deadline = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="Answer by",
        help_text="The partner's SLA clock runs to this deadline.",
    )
    location = forms.CharField(required=False, max_length=64)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Organization.objects.for_actor(actor).partners().filter(is_active=True)
        )


class AnswersUploadForm(forms.Form):
    file = forms.FileField(
        label="Answers (CSV or XLSX)",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
        help_text="Columns: line, answer (confirm, partial, backorder, substitute, decline), quantity, date, "
        "substitute_sku, substitute_quantity, reason.",
    )
    note = forms.CharField(required=False, max_length=2000)
