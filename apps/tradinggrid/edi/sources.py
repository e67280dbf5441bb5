"""Turn what callers hand the readers (bytes, text, a path, an open file) into a readable file."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

Source = bytes | bytearray | memoryview | str | os.PathLike | IO[bytes] | IO[str]


@contextmanager
def open_source(source: Source) -> Iterator[IO[bytes] | IO[str]]:
    """Yield a file object; a str is content (never a path: pass a Path for a file)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        yield io.BytesIO(bytes(source))
    elif isinstance(source, str):
        yield io.StringIO(source)
    elif isinstance(source, os.PathLike):
        with open(source, "rb") as fp:
            yield fp
    else:
        yield source
