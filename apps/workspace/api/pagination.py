"""Cursor pagination for the API: the inbox's keyset pages for cases, DRF cursors for the rest."""

from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .. import pagination as keyset

MAX_PAGE_SIZE = 200


def _page_size(request, default: int) -> int:
    try:
        size = int(request.query_params.get("page_size", default))
    except ValueError:
        return default
    return max(1, min(size, MAX_PAGE_SIZE))


def _page_schema(schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["results"],
        "properties": {
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "previous": {"type": "string", "nullable": True, "format": "uri"},
            "results": schema,
        },
    }


class CaseKeysetPagination(BasePagination):
    """Pages of cases in the inbox's sorts (`sort=due|activity|created|priority`), by keyset.

    Uses `apps.workspace.pagination.paginate_cases`, so the API and the inbox page agree on
    order and cursors, and no page costs an OFFSET or a COUNT.
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        cursor = request.query_params.get(self.cursor_query_param)
        sort = request.query_params.get("sort")
        if cursor and keyset.decode_cursor(cursor, keyset.sort_for(sort)) is None:
            # The inbox page falls back to the first page; an API client is told instead.
            raise ValidationError(
                {self.cursor_query_param: ["Not a cursor of this sort; use `next`/`previous`."]}
            )
        self.page = keyset.paginate_cases(
            queryset,
            sort=sort,
            cursor=cursor,
            size=_page_size(request, settings.INBOX_PAGE_SIZE),
        )
        return self.page.items

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.prev_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return _page_schema(schema)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The cursor of a page, from `next` or `previous`.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page, at most {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer"},
            },
        ]


class OldestFirstCursorPagination(CursorPagination):
    """Conversation order: a page of the oldest first, as the case page reads."""

    ordering = ("created_at", "id")
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size = 50


class NewestFirstCursorPagination(OldestFirstCursorPagination):
    ordering = ("-created_at", "-id")


class NewestCaseFirstPagination(OldestFirstCursorPagination):
    """A flow's detail rows (one per case, keyed by `case_id`), the newest case first."""

    ordering = ("-case_id",)
