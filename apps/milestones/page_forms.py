"""The page's milestone form: phone-first, with the camera for proof of delivery.

It checks what a page can check (a choice was made, the files are files); the step's own
form (forms.MilestoneForm) checks the rest inside the service, and its refusals come back
beside these fields, which share its names.
"""

from django import forms

from apps.workspace.forms import MultipleFileField, MultipleFileInput

from .models import STEP_ORDER, ExceptionCode, Step, TrackedShipment


class ReportPageForm(forms.Form):
    shipment = forms.ChoiceField(label="Shipment")
    step = forms.ChoiceField(choices=Step.choices, widget=forms.RadioSelect, label="Milestone")
    occurred_at = forms.DateTimeField(
        required=False,
        label="When",
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    carrier = forms.CharField(max_length=64, required=False, help_text="SCAC or name, e.g. UPSN.")
    tracking_number = forms.CharField(
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    bill_of_lading = forms.CharField(max_length=64, required=False, label="Bill of lading")
    photos = MultipleFileField(
        required=False,
        label="Photo (proof of delivery, damage)",
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    documents = MultipleFileField(
        required=False,
        label="Documents (bill of lading, signed proof of delivery)",
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
    exception_code = forms.ChoiceField(
        required=False,
        label="Exception at this step",
        choices=[("", "None: all went as planned"), *ExceptionCode.choices],
    )
    exception_note = forms.CharField(
        required=False,
        max_length=2000,
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, shipments: list[TrackedShipment], **kwargs):
        super().__init__(*args, **kwargs)
        self.shipment_rows = shipments
        self.fields["shipment"].choices = [
            (
                s.reference,
                f"{s.reference} · {s.get_status_display() if s.status else 'no milestone yet'}",
            )
            for s in shipments
        ]

    def clean(self):
        data = super().clean()
        if data.get("exception_code") and not (data.get("exception_note") or "").strip():
            self.add_error("exception_note", "Say what happened.")
        if (data.get("exception_note") or "").strip() and not data.get("exception_code"):
            self.add_error("exception_code", "Choose what kind of exception it is.")
        return data

    def payload(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("photos", "documents") and v not in (None, "")
        }
        if data.get("occurred_at"):
            data["occurred_at"] = data["occurred_at"].isoformat()
        return data

    def proof_files(self) -> list:
        return [
            (f.name, f)
            for f in [*self.cleaned_data.get("photos", []), *self.cleaned_data.get("documents", [])]
        ]


def next_step(shipment: TrackedShipment | None) -> str:
    """The step a reporter most likely means: the one after the shipment's latest."""
    if shipment is None or not shipment.status:
        return Step.ACCEPTED
    later = [step for step, rank in STEP_ORDER.items() if rank == shipment.rank + 1]
    return later[0] if later else Step.DELIVERED


class TrackPageForm(forms.Form):
    """The agent asks a partner for an order's milestones."""

    partner = forms.ChoiceField(label="Partner")
    references = forms.CharField(
        required=False,
        max_length=500,
        label="Shipments",
        help_text="Comma-separated references; empty takes the order's shipments with this partner's lines.",
    )
    body = forms.CharField(
        required=False,
        max_length=5000,
        label="Message to the partner",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_rows = {str(p.pk): p for p in partners}
        self.fields["partner"].choices = [(str(p.pk), p.name) for p in partners]

    def clean_partner(self):
        return self.partner_rows[self.cleaned_data["partner"]]
