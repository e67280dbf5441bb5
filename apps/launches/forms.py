"""The data partners send on this flow's steps (tick an item, flag a constraint), alike on every channel.

A partner's page, its API client and its Trading Grid system send the same fields. The
forms check them against the partner's own share: an item must be on its checklist, a SKU
among the SKUs it supplies. A case opened without a launch has no share to check against.
"""

from decimal import Decimal

from django import forms

from apps.workspace.payloads import PayloadForm

from .models import ChecklistItem, LaunchShare, LaunchSku

ANSWERS = [("done", "Done"), ("open", "Not done yet")]


def _share(case) -> LaunchShare | None:
    if case is None or case.pk is None:
        return None
    return LaunchShare.objects.filter(case=case).select_related("launch").first()


class _ShareForm(PayloadForm):
    # Both steps' dialogs sit on one case page: their fields need ids of their own.
    id_prefix = "share"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)
        self.share = _share(self.case)
        self.items = (
            {item.code: item for item in ChecklistItem.objects.filter(share=self.share)}
            if self.share
            else {}
        )
        if self.items and "item" in self.fields:
            self.fields["item"].widget = forms.Select(
                choices=[("", "—"), *((code, item.title) for code, item in self.items.items())]
            )

    def _check_item(self, code: str) -> None:
        if self.share is not None and code and code not in self.items:
            self.add_error("item", "That requirement is not on your checklist.")


class ChecklistUpdateForm(_ShareForm):
    """The partner ticks (or unticks) one requirement, with a note on how it is met."""

    id_prefix = "checklist"

    item = forms.SlugField(
        max_length=60, label="Requirement", help_text="The item's code, e.g. inventory."
    )
    status = forms.ChoiceField(choices=ANSWERS, initial="done", label="Answer")
    note = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        self._check_item(data.get("item", ""))
        return data


class ConstraintForm(_ShareForm):
    """A supply constraint: the SKU, the quantity at risk and the date it bites."""

    id_prefix = "constraint"

    sku = forms.CharField(max_length=100, label="SKU")
    quantity_at_risk = forms.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), label="Quantity at risk"
    )
    date = forms.DateField(
        label="From", help_text="When the shortfall starts, or when supply recovers."
    )
    item = forms.SlugField(
        max_length=60, required=False, initial="inventory", label="Blocks requirement"
    )
    note = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if not data.get("item"):
            data["item"] = "inventory" if (self.share is None or "inventory" in self.items) else ""
        self._check_item(data.get("item", ""))
        sku = (data.get("sku") or "").strip()
        if self.share is not None and sku:
            mine = set(
                LaunchSku.objects.filter(
                    launch=self.share.launch, partner=self.share.partner
                ).values_list("sku", flat=True)
            )
            if mine and sku not in mine:
                self.add_error("sku", f"{sku} is not one of your SKUs for this launch.")
        return data
