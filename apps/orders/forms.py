"""Forms of the order pages."""

from django import forms

PAGE_SIZE = 50


class OrderSearchForm(forms.Form):
    q = forms.CharField(label="Find an order", max_length=200, required=False, strip=True)
    page = forms.IntegerField(min_value=1, required=False)

    def __init__(self, *args, internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if internal:
            self.fields["q"].help_text = (
                "An order number (or its first digits), part of the customer's name, or the "
                "customer's whole e-mail address. The mirror never stores e-mail addresses, "
                "only a keyed hash of each: an address is matched whole, whatever its case."
            )
        else:
            self.fields["q"].help_text = "An order number, or its first digits."

    @property
    def query(self) -> str:
        return (self.cleaned_data.get("q") or "") if self.is_valid() else ""

    @property
    def page_number(self) -> int:
        return (self.cleaned_data.get("page") or 1) if self.is_valid() else 1
