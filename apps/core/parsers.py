"""Request parsers for the API (imported by DRF's settings, so nothing here imports its views)."""

import io

from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from apps.core import jsonsafe


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSON parser behind a nesting limit: a 2 KB body nested 1,000 deep would raise
    RecursionError in the parser (and in everything that walks the data after it)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            jsonsafe.check_depth(raw)
        except jsonsafe.TooDeep as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}.") from exc
        return super().parse(io.BytesIO(raw), media_type, parser_context)
