"""The pages' own forms: the partner's upload of a requested document."""

from django import forms
from django.utils import timezone


class SubmitPageForm(forms.Form):
    file = forms.FileField(
        label="Document",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
        help_text="PDF or a photo; it becomes a new version of this document.",
    )
    issue_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    expiry_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, dated: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.dated = dated
        if not dated:
            del self.fields["issue_date"], self.fields["expiry_date"]
        else:
            self.fields["issue_date"].required = self.fields["expiry_date"].required = True
            self.fields["issue_date"].error_messages["required"] = (
                "A certificate needs its issue date."
            )
            self.fields["expiry_date"].error_messages["required"] = (
                "A certificate needs its expiry date."
            )

    def clean(self):
        data = super().clean()
        issue, expiry = data.get("issue_date"), data.get("expiry_date")
        if issue and expiry and expiry < issue:
            self.add_error("expiry_date", "The expiry date is before the issue date.")
        if expiry and expiry < timezone.localdate():
            self.add_error("expiry_date", "This certificate has expired: send a valid one.")
        return data
