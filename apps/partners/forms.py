"""Forms for inviting people and accepting an invitation."""

from django import forms
from django.contrib.auth import password_validation

from .roles import INTERNAL_ROLES, PARTNER_ROLES, Role


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=[])

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = INTERNAL_ROLES if organization.is_internal else PARTNER_ROLES
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in allowed]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            from apps.accounts.models import User

            try:
                password_validation.validate_password(p1, User(email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
