"""JSON from outside, read with a nesting limit: Python's parsers recurse, and a small document
nested a thousand deep raises RecursionError (not ValueError) wherever it is read or walked."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # far beyond any document we define (collaboration documents nest about 6 deep)


class TooDeep(ValueError):
    """The JSON nests deeper than we read."""


def check_depth(data: bytes | str, *, limit: int = MAX_DEPTH) -> None:
    """Raise `TooDeep` if brackets nest deeper than `limit`; a linear scan, no recursion."""
    text = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    depth = 0
    in_string = escaped = False
    for byte in text:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                raise TooDeep(f"JSON nested deeper than {limit} levels")
        elif byte in (0x5D, 0x7D):
            depth -= 1


def loads(data: bytes | str, *, limit: int = MAX_DEPTH) -> Any:
    """`json.loads` that refuses deep nesting with a ValueError instead of a RecursionError."""
    check_depth(data, limit=limit)
    return json.loads(data)
