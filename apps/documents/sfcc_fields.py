"""The `c_` attributes flow 3 writes on the SFCC order: the order's documents, all partners.

Named here, read by the SFCC connector through the flow registry. Every request's change
rewrites the order-level values, so SFCC always holds the checklist as it is now.
"""

from .selectors import NONE, retailer_checklist

TEXT_MAX = 2000


def document_attributes(*, case, event_payload: dict) -> dict:
    checklist = retailer_checklist(case.order_number)
    if checklist.status == NONE:
        return {}
    return {
        # blocked: a document needed before shipping is missing, rejected or expired; else ready.
        "c_crossdockDocumentsStatus": checklist.status,
        "c_crossdockDocumentsMissing": checklist.summary()[:TEXT_MAX] or None,
        "c_crossdockDocumentsAccepted": f"{checklist.accepted_count}/{len(checklist.items)}",
    }
