"""The data a transition carries, validated the same way whichever channel brings it.

A flow declares a `PayloadForm` on a transition. The page posts flat form fields, the API and
Trading Grid send JSON; `payload_from_post` turns the first into the shape of the other two,
so one form validates all three. Line answers travel under "lines" as a list of objects and
are checked line by line against the case's lines.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict

from .models import CaseLine, LineAnswer, LineStatus

LINES_KEY = "lines"


class PayloadForm(forms.Form):
    """Base of a transition's payload form: knows the case it is for, gives plain JSON back."""

    # Set on forms whose transition answers the case's lines (one answer per line named).
    answers_lines = False
    # A "lines" answer must name every open line of the case.
    every_line = False
    # Fields whose value is copied onto the case (root_cause_code, resolution_code).
    case_fields: tuple[str, ...] = ()

    def __init__(self, data=None, *, case=None, **kwargs):
        self.case = case
        self.line_answers: list[dict] = []
        super().__init__(data=data, **kwargs)

    def full_clean(self):
        super().full_clean()
        if self.answers_lines and self.is_bound:
            self._clean_lines()

    def _clean_lines(self) -> None:
        raw = (self.data or {}).get(LINES_KEY) if hasattr(self.data, "get") else None
        if raw in (None, "", []):
            if self.every_line:
                self.add_error(None, "Answer every line.")
            return
        if not isinstance(raw, list):
            self.add_error(None, "“lines” must be a list of line answers.")
            return
        lines = {line.position: line for line in _case_lines(self.case)}
        seen: set[int] = set()
        for index, item in enumerate(raw, start=1):
            form = LineAnswerForm(item if isinstance(item, dict) else {}, lines=lines)
            if not form.is_valid():
                for field, errors in form.errors.items():
                    where = f"line {item.get('line') if isinstance(item, dict) else index}"
                    self.add_error(None, f"{where}: {field}: {' '.join(errors)}")
                continue
            position = form.cleaned_data["line"]
            if position in seen:
                self.add_error(None, f"line {position} is answered twice.")
                continue
            seen.add(position)
            self.line_answers.append(form.cleaned_data)
        if self.every_line and not self.errors:
            missing = sorted(set(lines) - seen)
            if missing:
                self.add_error(None, "Answer every line; unanswered: " + ", ".join(map(str, missing)) + ".")

    def payload(self) -> dict:
        """The validated data as JSON-ready values (dates as ISO text, decimals as text)."""
        data = dict(self.cleaned_data)
        if self.answers_lines:
            data[LINES_KEY] = self.line_answers
        return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _case_lines(case) -> list[CaseLine]:
    if case is None or case.pk is None:
        return []
    return list(CaseLine.objects.filter(case=case))


class LineAnswerForm(forms.Form):
    """One line's answer, in the vocabulary of the X12 855 line codes."""

    line = forms.IntegerField(min_value=1, help_text="The line's position on the case.")
    status = forms.ChoiceField(choices=LineStatus.choices)
    quantity = forms.DecimalField(max_digits=12, decimal_places=3, min_value=0, required=False)
    date = forms.DateField(required=False)
    substitute_sku = forms.CharField(max_length=100, required=False)
    substitute_quantity = forms.DecimalField(max_digits=12, decimal_places=3, min_value=0, required=False)
    reason_code = forms.CharField(max_length=40, required=False)
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, lines: dict[int, CaseLine], **kwargs):
        self.lines = lines
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        position, status = data.get("line"), data.get("status")
        line = self.lines.get(position) if position else None
        if position and line is None:
            self.add_error("line", "The case has no such line.")
        if status is None:
            return data
        quantity = data.get("quantity")
        if status == LineStatus.BACKORDERED and not data.get("date"):
            self.add_error("date", "A backorder needs the date the rest ships.")
        if status == LineStatus.SUBSTITUTED:
            if not data.get("substitute_sku"):
                self.add_error("substitute_sku", "Name the substitute product.")
            if not data.get("substitute_quantity"):
                self.add_error("substitute_quantity", "Give the substitute's quantity.")
        if status == LineStatus.REJECTED and not data.get("reason_code") and not data.get("note"):
            self.add_error("reason_code", "Say why the line is rejected.")
        if line is not None and quantity is not None and quantity > line.quantity:
            self.add_error("quantity", f"More than the {line.quantity.normalize():f} on the line.")
        return data


def payload_from_post(post: QueryDict) -> dict[str, Any]:
    """Flat page fields to the JSON shape: `lines-2-status` → {"lines": [{"line": 2, …}]}."""
    data: dict[str, Any] = {}
    rows: dict[int, dict[str, str]] = {}
    for key in post:
        if key.startswith(f"{LINES_KEY}-"):
            _, position, field = key.split("-", 2)
            if position.isdigit():
                rows.setdefault(int(position), {"line": position})[field] = post.get(key)
        elif key not in {"csrfmiddlewaretoken", "transition", "comment"}:
            values = post.getlist(key)
            data[key] = values if len(values) > 1 else values[0]
    # A line left without a status in the page is not answered.
    answered = [row for _, row in sorted(rows.items()) if row.get("status")]
    if answered:
        data[LINES_KEY] = answered
    return data


def validate_payload(*, form_class: type[PayloadForm], case, data: dict | None) -> PayloadForm:
    form = form_class(data=data or {}, case=case)
    form.is_valid()
    return form


def line_answers_store(*, case, answers: list[dict], actor, person, label: str, channel: str) -> list[LineAnswer]:
    """Append one answer per line named; the latest answer of a line is its current one."""
    lines = {line.position: line for line in CaseLine.objects.filter(case=case)}
    rows = []
    for answer in answers:
        rows.append(
            LineAnswer(
                line=lines[int(answer["line"])],
                status=answer["status"],
                quantity=_decimal(answer.get("quantity")),
                date=answer.get("date") or None,
                substitute_sku=answer.get("substitute_sku") or "",
                substitute_quantity=_decimal(answer.get("substitute_quantity")),
                reason_code=answer.get("reason_code") or "",
                note=answer.get("note") or "",
                answered_by=person,
                answered_label=label,
                channel=channel,
            )
        )
    return LineAnswer.objects.bulk_create(rows)


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def payload_summary(data: dict) -> list[tuple[str, str]]:
    """(label, text) pairs for the timeline: every field but the lines, which draw as a table."""
    return [
        (key.replace("_", " ").capitalize(), ", ".join(map(str, v)) if isinstance(v, list) else str(v))
        for key, v in data.items()
        if key != LINES_KEY and v not in (None, "", [])
    ]
