"""The `c_` attributes flow 3 writes on the SFCC order: the order's documents, all partners.

Named here, read by the SFCC connector through the flow registry. Every request's change
rewrites the order-level values, so SFCC always holds the checklist as it is now.
"""

from .models import DocumentRequest
from .selectors import NONE, checklist_item, retailer_checklist
from .services import request_being_opened

TEXT_MAX = 2000


def document_attributes(*, case, event_payload: dict) -> dict:
    checklist = retailer_checklist(case.order_number)
    draft = request_being_opened()
    if draft is not None and not any(item.request.case_id == case.pk for item in checklist.items):
        # Announced while being opened: its row is written right after (services.request_open).
        opening = DocumentRequest(
            case=case,
            partner=draft.partner,
            document_type=draft.document_type,
            custom_label=draft.custom_label,
            order_number=case.order_number,
            shipment_ref=case.shipment_ref,
            needed_before_shipping=draft.needed_before_shipping,
        )
        checklist.items.append(checklist_item(opening))
    if checklist.status == NONE:
        return {}
    return {
        # blocked: a document needed before shipping is missing, rejected or expired; else ready.
        "c_crossdockDocumentsStatus": checklist.status,
        "c_crossdockDocumentsMissing": checklist.summary()[:TEXT_MAX] or None,
        "c_crossdockDocumentsAccepted": f"{checklist.accepted_count}/{len(checklist.items)}",
    }
