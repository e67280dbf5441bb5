"""Forms of the workspace pages; choices are scoped to what the user may see."""

from django import forms
from django.contrib.auth import get_user_model

from apps.partners.models import Organization
from apps.partners.roles import INTERNAL_ROLES
from apps.partners.selectors import active_members

from .choices import CaseKind, Priority, Visibility


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class CaseCreateForm(forms.Form):
    kind = forms.ChoiceField(choices=CaseKind.choices)
    partner = forms.ModelChoiceField(queryset=Organization.objects.none())
    subject = forms.CharField(max_length=200)
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.NORMAL)
    order_number = forms.CharField(label="SFCC order number", max_length=50, required=False)
    sku = forms.CharField(label="SKU", max_length=100, required=False)
    shipment_ref = forms.CharField(label="Shipment", max_length=100, required=False)
    launch_ref = forms.CharField(label="Launch", max_length=100, required=False)
    body = forms.CharField(label="Message to the partner", widget=forms.Textarea(attrs={"rows": 5}), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organization.objects.for_actor(actor).partners().filter(is_active=True)


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        widget=forms.Textarea(attrs={"rows": 4, "id": "reply-body", "data-draft": "reply"}),
        required=False,
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.PARTNER, widget=forms.RadioSelect, required=False
    )
    files = MultipleFileField(
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf,.csv,.xml,.edi,.txt,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}),
    )

    def __init__(self, *args, internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not internal:
            del self.fields["visibility"]

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("files"):
            raise forms.ValidationError("Write a message or attach a file.")
        data["visibility"] = data.get("visibility") or Visibility.PARTNER
        return data


class UploadForm(forms.Form):
    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf,.csv,.xml,.edi,.txt,.doc,.docx,.xls,.xlsx,.ppt,.pptx"}))
    supersedes = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(max_length=500, required=False, label="What changed")


class TransitionForm(forms.Form):
    transition = forms.CharField(max_length=40)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CaseUpdateForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    priority = forms.ChoiceField(choices=Priority.choices, required=False)

    def __init__(self, *args, case, internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_members(organization_id=case.partner_id)
        if internal:
            self.fields["owner"].queryset = active_members(roles=INTERNAL_ROLES)
        else:
            del self.fields["owner"]
            del self.fields["priority"]
