"""The segment value shared by the X12 and EDIFACT readers, writers and mappings."""

from __future__ import annotations

from collections.abc import Sequence

# A simple element is a str, a composite a tuple of component strings, and a repeated
# element a list of repetitions (each a str or a composite). A list and a tuple stay
# distinct so that writing with other delimiters keeps the structure the file had.
Composite = tuple[str, ...]
Element = str | Composite | list[str | Composite]


class Segment:
    """One segment: its id, its elements (``elements[0]`` is element 01) and where it was read.

    ``position`` (1-based ordinal in the file) and ``offset`` (0-based byte offset) are 0 for
    segments built in code; equality ignores them so a round trip compares content only.
    """

    __slots__ = ("id", "elements", "position", "offset")

    def __init__(
        self, id: str, elements: Sequence[Element], position: int = 0, offset: int = 0
    ) -> None:
        # Positional on purpose: the reader builds hundreds of thousands per second.
        self.id = id
        self.elements = elements if type(elements) is list else list(elements)
        self.position = position
        self.offset = offset

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self.id == other.id and self.elements == other.elements

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Segment({self.id!r}, {self.elements!r})"

    def __len__(self) -> int:
        return len(self.elements)

    def element(self, index: int) -> Element:
        """Element ``index`` as numbered by the standard (BEG03 is ``element(3)``), or ""."""
        if 0 < index <= len(self.elements):
            return self.elements[index - 1]
        return ""

    def text(self, index: int) -> str:
        """Element ``index`` as plain text: the first component of a composite, first repeat."""
        value = self.element(index)
        while not isinstance(value, str):
            value = value[0] if value else ""
        return value

    def component(self, index: int, component: int) -> str:
        """Component ``component`` (1-based) of element ``index``; a simple element is its first."""
        value = self.element(index)
        if isinstance(value, list):
            value = value[0] if value else ""
        if isinstance(value, str):
            return value if component == 1 else ""
        return value[component - 1] if 0 < component <= len(value) else ""


def segment(segment_id: str, *elements: Element | None) -> Segment:
    """Build a segment for writing: None becomes empty and trailing empty elements are dropped."""
    values: list[Element] = [_clean(value) for value in elements]
    while values and values[-1] in ("", (), []):
        values.pop()
    return Segment(segment_id, values)


def _clean(value: Element | None) -> Element:
    if value is None:
        return ""
    if isinstance(value, tuple):
        parts = list(value)
        while parts and parts[-1] == "":
            parts.pop()
        return tuple(parts)
    return value


def element_to_json(value: Element) -> object:
    """A JSON-friendly element: str, list for a composite, {"repeats": [...]} for repetitions."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return list(value)
    return {"repeats": [element_to_json(item) for item in value]}
