"""The merchandiser's forms: create a launch, move it, decide it, invite, review, resolve, upload.

They parse what the page sends into the services' drafts and say beside each field what is
wrong; the services check the rest (and their refusals come back beside the fields too).
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from apps.partners.models import Organization

from .checklists import TEMPLATE_CHOICES, CustomItem
from .models import DocumentKind
from .services import SkuDraft
from .states import LAUNCH


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if isinstance(value, datetime):
            # Bound initial values arrive already converted to naive local time.
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return local.strftime("%Y-%m-%dT%H:%M")
        return value


class LaunchCreateForm(forms.Form):
    campaign_id = forms.CharField(
        label="SFCC campaign",
        max_length=256,
        required=False,
        help_text="The campaign's ID in SFCC: go-live and end are read from its dates, and follow them when they change.",
    )
    name = forms.CharField(
        max_length=200, required=False, help_text="Defaults to the campaign's description."
    )
    go_live_at = forms.DateTimeField(
        label="Go-live", required=False, widget=DateTimeInput, help_text="Only without a campaign."
    )
    ends_at = forms.DateTimeField(label="Ends", required=False, widget=DateTimeInput)
    description = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shared with every invited partner.",
    )
    skus = forms.CharField(
        label="SKUs and forecasts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "mono"}),
        help_text="One per line: SKU, forecast quantity, partner code, description. "
        "Each partner named here is invited with its SKUs.",
    )
    partners = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Partners to invite besides those named on SKUs (a carrier, a 3PL).",
    )
    templates = forms.MultipleChoiceField(
        label="Checklist",
        choices=TEMPLATE_CHOICES,
        initial=[c for c, _ in TEMPLATE_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    custom_items = forms.CharField(
        label="Custom items",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: title, and optionally “; YYYY-MM-DD” for its due date.",
    )
    share_totals = forms.BooleanField(label="Partners see the launch's totals", required=False)
    requirements = forms.FileField(label="Product requirements", required=False)
    packaging = forms.FileField(label="Packaging spec", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_choices = Organization.objects.for_actor(actor).partners().order_by("name")
        self.fields["partners"].queryset = self.partner_choices

    def clean_skus(self) -> tuple[SkuDraft, ...]:
        by_code = {org.code.upper(): org for org in self.partner_choices if org.code}
        drafts, errors = [], []
        for number, raw in enumerate(self.cleaned_data["skus"].splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.split(",")]
            if len(parts) < 2:
                errors.append(f"Line {number}: give at least a SKU and a forecast.")
                continue
            try:
                forecast = Decimal(parts[1])
            except InvalidOperation:
                errors.append(f"Line {number}: “{parts[1]}” is not a quantity.")
                continue
            partner = None
            if len(parts) > 2 and parts[2]:
                partner = by_code.get(parts[2].upper())
                if partner is None:
                    errors.append(f"Line {number}: no partner has the code “{parts[2]}”.")
                    continue
            drafts.append(
                SkuDraft(
                    sku=parts[0],
                    forecast_quantity=forecast,
                    partner=partner,
                    description=", ".join(parts[3:])[:200],
                )
            )
        if errors:
            raise forms.ValidationError(errors)
        return tuple(drafts)

    def clean_custom_items(self) -> tuple[CustomItem, ...]:
        items, errors = [], []
        for number, raw in enumerate(self.cleaned_data["custom_items"].splitlines(), start=1):
            title, _, due = (p.strip() for p in raw.partition(";"))
            if not title:
                continue
            due_date = None
            if due:
                try:
                    due_date = date.fromisoformat(due)
                except ValueError:
                    errors.append(f"Line {number}: “{due}” is not a date (YYYY-MM-DD).")
                    continue
            items.append(CustomItem(title=title, due_date=due_date))
        if errors:
            raise forms.ValidationError(errors)
        return tuple(items)

    def clean(self):
        data = super().clean()
        if (
            not data.get("campaign_id")
            and not data.get("go_live_at")
            and "go_live_at" not in self.errors
        ):
            self.add_error(
                "go_live_at", "Give a go-live date, or an SFCC campaign to read it from."
            )
        if not data.get("campaign_id") and not data.get("name"):
            self.add_error("name", "Give the launch a name (or an SFCC campaign to name it after).")
        return data


class LaunchTransitionForm(forms.Form):
    transition = forms.ChoiceField(choices=[(t.name, t.label) for t in LAUNCH.transitions])
    comment = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label="Override reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to mark go while items or constraints are still open.",
    )


class LaunchMoveForm(forms.Form):
    go_live_at = forms.DateTimeField(label="Go-live", widget=DateTimeInput)
    ends_at = forms.DateTimeField(label="Ends", required=False, widget=DateTimeInput)
    reason = forms.CharField(max_length=500, help_text="Told to every partner.")


class InviteForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Organization.objects.none())
    templates = forms.MultipleChoiceField(
        label="Checklist",
        choices=TEMPLATE_CHOICES,
        initial=[c for c, _ in TEMPLATE_CHOICES],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, actor, exclude=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Organization.objects.for_actor(actor)
            .partners()
            .exclude(pk__in=list(exclude))
            .order_by("name")
        )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    file = forms.FileField()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    note = forms.CharField(required=False, max_length=1000)


class ResolveForm(forms.Form):
    resolution = forms.CharField(max_length=1000)


class MaterialForm(forms.Form):
    file = forms.FileField()
    note = forms.CharField(required=False, max_length=1000)
