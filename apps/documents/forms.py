"""The data the review steps carry, checked alike on the page, the API and Trading Grid."""

from django import forms
from django.utils import timezone

from apps.workspace.payloads import PayloadForm

REJECTION_REASONS = [
    ("wrong_document", "Wrong document"),
    ("wrong_order", "For another order or shipment"),
    ("illegible", "Illegible or incomplete scan"),
    ("data_mismatch", "Does not match the order (items, quantities, values)"),
    ("missing_signature", "Missing signature or stamp"),
    ("expired", "Expired or not yet valid"),
    ("other", "Other"),
]
REJECTION_LABELS = dict(REJECTION_REASONS)


def _dated(case) -> bool:
    request = getattr(case, "document_request", None) if case is not None else None
    try:
        return bool(request and request.dated)
    except Exception:  # noqa: BLE001 - a case without a request row has no dates to ask for
        return False


class _DatesMixin:
    """Issue and expiry dates: required for certificates, checked against each other and today."""

    def clean_dates(self, data: dict, *, required: bool) -> None:
        issue, expiry = data.get("issue_date"), data.get("expiry_date")
        if required and not issue:
            self.add_error("issue_date", "A certificate needs its issue date.")
        if required and not expiry:
            self.add_error("expiry_date", "A certificate needs its expiry date.")
        if issue and issue > timezone.localdate():
            self.add_error("issue_date", "The issue date is in the future.")
        if issue and expiry and expiry < issue:
            self.add_error("expiry_date", "The expiry date is before the issue date.")
        if expiry and expiry < timezone.localdate():
            self.add_error("expiry_date", "This certificate has expired: send a valid one.")


class DocumentSubmitForm(_DatesMixin, PayloadForm):
    """The partner sends the document (its file is uploaded with it, or just before)."""

    issue_date = forms.DateField(required=False, help_text="Certificates: the date it was issued.")
    expiry_date = forms.DateField(
        required=False, help_text="Certificates: the last day it is valid."
    )
    note = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        self.clean_dates(data, required=_dated(self.case))
        return data


class DocumentAcceptForm(_DatesMixin, PayloadForm):
    """The retailer accepts the latest submission; it may correct the dates read from it."""

    issue_date = forms.DateField(required=False, help_text="Leave empty to keep the partner's.")
    expiry_date = forms.DateField(required=False, help_text="Leave empty to keep the partner's.")

    def clean(self):
        data = super().clean()
        self.clean_dates(data, required=False)
        return data


class DocumentRejectForm(PayloadForm):
    """The retailer rejects the latest submission: why, so the partner can correct it."""

    reason = forms.ChoiceField(choices=REJECTION_REASONS, label="Reason")
