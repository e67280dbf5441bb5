"""The partner agreements page: every partner's terms for the retailer, its own for a partner;
operations set them here (or in the admin), through the same service as the API."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.errors import DomainError
from apps.partners.models import Organization
from apps.partners.roles import OPERATIONS_ROLES
from apps.partners.tenancy import scope_of

from . import services
from .models import PartnerAgreement


class AgreementForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Organization.objects.none())
    ack_hours = forms.IntegerField(min_value=1, max_value=720, label="Answer within (hours)")
    reminder_hours = forms.IntegerField(
        min_value=0, max_value=719, label="Remind (hours before the deadline)"
    )
    ship_days = forms.IntegerField(min_value=0, max_value=60, label="Ship within (days)")
    dispatch_all_lines = forms.BooleanField(
        required=False,
        label="Dispatch every line routed to this partner",
        help_text="Without it, only lines SFCC marks c_fulfillmentType = dropship or marketplace.",
    )
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = (
            Organization.objects.for_actor(actor).partners().order_by("name")
        )


def _may_edit(user) -> bool:
    scope = scope_of(user)
    return scope.internal and scope.role in OPERATIONS_ROLES


@require_http_methods(["GET", "POST"])
def agreement_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    if not scope.sees_anything:
        raise Http404
    agreements = PartnerAgreement.objects.for_actor(request.user).select_related("partner")
    editable = _may_edit(request.user)
    form = None
    if editable:
        form = AgreementForm(
            request.POST or None,
            actor=request.user,
            initial={
                "ack_hours": 24,
                "reminder_hours": 4,
                "ship_days": 2,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            partner = data.pop("partner")
            try:
                services.agreement_save(actor=request.user, partner=partner, is_active=True, **data)
            except DomainError as exc:
                for name, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, str(exc))
            else:
                messages.success(request, f"Agreement with {partner} saved.")
                return redirect("fulfillment:agreements")
    elif request.method == "POST":
        raise Http404
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(
        request,
        "fulfillment/agreements.html",
        {
            "agreements": agreements,
            "form": form,
            "editable": editable,
            "is_internal": scope.internal,
        },
        status=status,
    )
