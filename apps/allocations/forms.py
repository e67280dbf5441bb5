"""The data partners and merchandisers send on an allocation share's steps, alike on every channel."""

from django import forms

from apps.workspace.payloads import PayloadForm


class AllocationAnswerForm(PayloadForm):
    """A partner's answer to its share, one answer per line (X12 855 vocabulary):

    accepted (the whole quantity, or `quantity`), accepted_with_changes (a smaller confirmed
    quantity), backordered (`quantity` confirmed now, the rest by `date`), substituted (the
    `substitute_sku` × `substitute_quantity` offered, `quantity` of the original still
    confirmed), rejected (declined, with a `reason_code` or `note`).
    """

    answers_lines = True
    every_line = True

    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def _clean_lines(self) -> None:
        # A share always has lines; a case of this kind without any has nothing to answer.
        raw = self.data.get("lines") if hasattr(self.data, "get") else None
        if raw in (None, "", []) and self.case is not None and not self.case.lines.exists():
            return
        super()._clean_lines()

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        for answer in self.line_answers:
            if answer["status"] == "accepted_with_changes" and answer.get("quantity") is None:
                self.add_error(
                    None, f"line {answer['line']}: quantity: Give the quantity you confirm."
                )
            if answer["status"] == "backordered" and answer.get("quantity") is None:
                self.add_error(
                    None,
                    f"line {answer['line']}: quantity: Give the quantity you confirm now (0 for none).",
                )
