"""Full-text search over cases: PostgreSQL text search where we have it, `icontains` elsewhere.

What is searched is `Case.search_document` (subject, references and shared message text,
written by the services), so a partner's search can never match an internal note.

On PostgreSQL the match is `to_tsvector('simple', search_document) @@ websearch_to_tsquery(...)`,
backed by a GIN index on exactly that expression (migration 0100_case_search_index builds it
from `search_vector()` below, so the index and the query cannot drift apart). The `simple`
configuration does no stemming: order numbers, SKUs and partner names match as typed.
"""

import re

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import Q, QuerySet

SEARCH_CONFIG = "simple"
SEARCH_INDEX_NAME = "case_search_idx"
MAX_QUERY_LENGTH = 200
# A quoted phrase, or a run of non-space characters (a leading "-" excludes the word).
_TERM = re.compile(r'(-?)"([^"]+)"|(-?)(\S+)')
# A case reference as the page shows it (CX-000007), or its zero-padded number (000007);
# a bare "7" is too common to mean a reference.
_REFERENCE = re.compile(r"(?:CX-?(\d{1,12})|(0\d{5,11}))", re.IGNORECASE)
MAX_CASE_ID = 2**63 - 1


def search_vector() -> SearchVector:
    return SearchVector("search_document", config=SEARCH_CONFIG)


def search_index() -> GinIndex:
    """The GIN index the PostgreSQL search uses; built by the migration on PostgreSQL only."""
    return GinIndex(search_vector(), name=SEARCH_INDEX_NAME)


def _terms(text: str) -> list[tuple[bool, str]]:
    """(excluded, term) pairs in the spirit of web search syntax, for the fallback."""
    terms = []
    for match in _TERM.finditer(text):
        neg_phrase, phrase, neg_word, word = match.groups()
        term = (phrase if phrase is not None else word).strip()
        if term and term.upper() != "OR":
            terms.append((bool(neg_phrase or neg_word), term))
    return terms


def _reference(text: str) -> Q:
    """The case a reference names, or nothing (an empty `pk__in` matches no row)."""
    match = _REFERENCE.fullmatch(text)
    number = int(match.group(1) or match.group(2)) if match else 0
    return Q(pk=number) if 0 < number <= MAX_CASE_ID else Q(pk__in=[])


def search_cases(queryset: QuerySet, text: str) -> QuerySet:
    """Cases of `queryset` whose search document matches `text` (web search syntax).

    An exact order number or case reference also matches, through its own index, whatever
    the tokenizer makes of it.
    """
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return queryset
    exact_order = Q(order_number=text) | _reference(text)
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.alias(search=search_vector()).filter(Q(search=query) | exact_order)
    condition = Q()
    for excluded, term in _terms(text):
        condition &= (
            ~Q(search_document__icontains=term) if excluded else Q(search_document__icontains=term)
        )
    return queryset.filter(condition | exact_order)
