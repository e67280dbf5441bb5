"""The data a milestone carries, checked alike for the page, the API and Trading Grid."""

from datetime import timedelta

from django import forms
from django.db.models import F
from django.utils import timezone

from apps.workspace.choices import Visibility
from apps.workspace.models import FileVersion
from apps.workspace.payloads import PayloadForm

from .models import ExceptionCode, Step, TrackedShipment

# A reporter's clock may run a little ahead of ours; more than this is a typo.
FUTURE_TOLERANCE = timedelta(minutes=15)


class ProofsField(forms.Field):
    """File version ids, as a JSON list, a comma-separated text or repeated form fields."""

    def to_python(self, value):
        if value in (None, "", []):
            return []
        if isinstance(value, str):
            value = [part for part in value.replace(" ", "").split(",") if part]
        if not isinstance(value, list | tuple):
            raise forms.ValidationError("Give a list of file ids.")
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError):
            raise forms.ValidationError("File ids are numbers.") from None


class MilestoneForm(PayloadForm):
    """A shipment reached a step: when, with which carrier and tracking, and any proof."""

    shipment = forms.CharField(
        max_length=64, help_text="The shipment's reference; a new one adds a shipment (a split)."
    )
    step = forms.ChoiceField(choices=Step.choices, label="Milestone")
    occurred_at = forms.DateTimeField(
        required=False,
        label="When",
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    carrier = forms.CharField(max_length=64, required=False, help_text="SCAC or name, e.g. UPSN.")
    tracking_number = forms.CharField(max_length=100, required=False)
    bill_of_lading = forms.CharField(max_length=64, required=False, label="Bill of lading")
    proofs = ProofsField(
        required=False,
        label="Proof files",
        help_text="Ids of files on the case: bill of lading, proof of delivery, photo.",
    )
    note = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    document_ref = forms.CharField(
        max_length=80,
        required=False,
        widget=forms.HiddenInput,
        help_text="The ship notice or status message that brought it (856 BSN02, 214 B1002).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shipments = self._shipments()
        if shipments:
            # The page offers the case's shipments; the API and Trading Grid may name a new one.
            self.fields["shipment"].widget = forms.Select(
                choices=[(s.reference, s.reference) for s in shipments]
            )

        if self.case is not None and self.case.pk is not None:
            # On the case page, proofs are ticked among the case's shared files, not typed as ids.
            files = FileVersion.objects.filter(
                attachment__case=self.case,
                attachment__visibility=Visibility.PARTNER,
                attachment__current_version=F("pk"),
            ).order_by("-id")[:50]
            choices = [(version.pk, version.original_name) for version in files]
            if choices:
                self.fields["proofs"].widget = forms.CheckboxSelectMultiple(choices=choices)

    def _shipments(self) -> list[TrackedShipment]:
        if self.case is None or self.case.pk is None:
            return []
        return list(TrackedShipment.objects.filter(case=self.case))

    def clean_shipment(self):
        return self.cleaned_data["shipment"].strip()

    def clean_occurred_at(self):
        when = self.cleaned_data.get("occurred_at")
        if when is not None and when > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("That is in the future: give the time it happened.")
        return when

    def clean_proofs(self):
        ids = self.cleaned_data.get("proofs") or []
        if not ids:
            return []
        known = (
            set(
                FileVersion.objects.filter(pk__in=ids, attachment__case=self.case).values_list(
                    "pk", flat=True
                )
            )
            if self.case is not None
            else set()
        )
        unknown = [str(i) for i in ids if i not in known]
        if unknown:
            raise forms.ValidationError(f"No such file on this case: {', '.join(unknown)}.")
        return ids

    def clean(self):
        data = super().clean()
        step, reference = data.get("step"), data.get("shipment")
        shipment = next((s for s in self._shipments() if s.reference == reference), None)
        if step in (Step.SHIPPED, Step.DELIVERED):
            has_tracking = (
                data.get("tracking_number")
                or data.get("bill_of_lading")
                or (shipment is not None and (shipment.tracking_number or shipment.bill_of_lading))
            )
            if step == Step.SHIPPED and not has_tracking:
                self.add_error(
                    "tracking_number",
                    "A shipped milestone needs a tracking number or a bill of lading.",
                )
            has_carrier = data.get("carrier") or (shipment is not None and shipment.carrier)
            if step == Step.SHIPPED and not has_carrier:
                self.add_error("carrier", "Say which carrier took it.")
        if data.get("occurred_at") is None and not self.errors:
            data["occurred_at"] = timezone.now()
        return data


class MilestoneExceptionForm(MilestoneForm):
    """A milestone that notes an exception at that step: what went wrong, in words."""

    exception_code = forms.ChoiceField(choices=ExceptionCode.choices, label="Exception")
    exception_note = forms.CharField(
        max_length=2000, label="What happened", widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_exception_note(self):
        note = self.cleaned_data["exception_note"].strip()
        if not note:
            raise forms.ValidationError("Say what happened.")
        return note
