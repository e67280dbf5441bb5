"""Requirements, orders and requests for flow 3's tests, made the way the portal makes them."""

import io

from apps.documents import services
from apps.documents.models import DocumentRequest, DocumentRequirement
from apps.workspace.choices import Channel
from tests.orders.helpers import mirror_order
from tests.workspace.helpers import PDF_BYTES

ORDER = "00007001"


def doc_pdf(text: str = "certificate", name: str = "certificate.pdf"):
    fh = io.BytesIO(PDF_BYTES.replace(b"%%EOF", f"% {text}\n%%EOF".encode()))
    fh.name = name
    return fh


def requirement(partner, document_type="certificate_of_origin", **fields) -> DocumentRequirement:
    return DocumentRequirement.objects.create(
        partner=partner, document_type=document_type, **fields
    )


def order_for(partner, order_no: str = ORDER, *, origin: str = "CN", country: str = "US", **spec):
    """An SFCC order whose lines the routing gives to `partner`, from `origin` to `country`."""
    return mirror_order(
        order_no,
        lines=[
            {
                "productId": "LAMP-1",
                "productName": "Desk lamp",
                "quantity": 2,
                "c_supplierId": partner.code,
            }
        ],
        shippingAddress={
            "firstName": "Ada",
            "lastName": "Lovelace",
            "address1": "1 Main St",
            "city": "Austin",
            "postalCode": "78701",
            "countryCode": country,
        },
        c_originCountry=origin,
        **spec,
    )


def request_for(
    agent,
    partner,
    document_type="certificate_of_origin",
    *,
    order_no: str = ORDER,
    dated=None,
    **extra,
):
    case = services.request_open(
        actor=agent,
        channel=Channel.WEB,
        draft=services.RequestDraft(
            partner=partner,
            order_number=order_no,
            document_type=document_type,
            dated=document_type == "certificate_of_origin" if dated is None else dated,
            **extra,
        ),
    )
    return case, DocumentRequest.objects.get(case=case)
