"""Ship notices (X12 856) and carrier status messages (X12 214) applied as milestones.

The Trading Grid connector reads each document into its mapping's domain dict and finds
these handlers in the flow registry; nothing here imports the connector. Each becomes the
same `milestone_record` call a warehouse makes in the browser, so the stored state is the
same whichever way the news came.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from apps.core.errors import DomainError
from apps.workspace.models import Case

from . import services
from .models import ExceptionCode, Step, TrackedShipment

# 214 status names (the mapping's words for AT701) → the milestone they mean.
STATUS_STEPS = {
    "picked_up": Step.SHIPPED,
    "departed": Step.SHIPPED,
    "en_route": Step.SHIPPED,
    "arrived": Step.SHIPPED,
    "arrived_at_terminal": Step.SHIPPED,
    "delivered": Step.DELIVERED,
}
STATUS_EXCEPTIONS = {
    "refused": ExceptionCode.REFUSED,
    "damaged": ExceptionCode.DAMAGED,
    "returned": ExceptionCode.REFUSED,
    "delivery_not_completed": ExceptionCode.ADDRESS,
    "delayed": ExceptionCode.DELAYED,
}


def _moment(day: date | None, hhmm: str | None) -> datetime | None:
    if day is None:
        return None
    clock = time(0, 0)
    if hhmm and hhmm[:4].isdigit() and len(hhmm) >= 4:
        clock = time(int(hhmm[:2]) % 24, int(hhmm[2:4]) % 60)
    return timezone.make_aware(datetime.combine(day, clock))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _items(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Packs and loose items flattened, each item naming its pack (marks, tracking)."""
    rows = []
    groups = [
        (pack.get("marks"), pack.get("tracking_number"), pack["items"]) for pack in order["packs"]
    ]
    groups.append((None, None, order["items"]))
    for marks, tracking, items in groups:
        for item in items:
            ids = item.get("product_ids") or []
            sku = next(
                (p["id"] for p in ids if p["qualifier"] in ("SK", "VN", "BP", "VP")),
                ids[0]["id"] if ids else "",
            )
            rows.append(
                {
                    "pack": marks or "",
                    "pack_tracking": tracking or "",
                    "sku": sku,
                    "product_ids": ids,
                    "description": item.get("description") or "",
                    "quantity": item.get("quantity") or 0,
                    "unit": item.get("unit") or "EA",
                }
            )
    return rows


def _shipment_reference(case: Case, notice: dict[str, Any]) -> str:
    """REF*SI names our shipment; without it the case's only shipment, else the ASN's own number."""
    given = (notice["shipment"].get("reference") or "").strip()
    if given:
        return given
    references = list(TrackedShipment.objects.filter(case=case).values_list("reference", flat=True))
    return references[0] if len(references) == 1 else notice["asn_number"]


def apply_856(*, actor, partner, payload: dict[str, Any], channel: str) -> tuple[Case, str]:
    """Each order of the ship notice: its shipment shipped, with carrier, tracking and contents."""
    shipment = payload["shipment"]
    if not payload["orders"]:
        raise DomainError(f"856 {payload['asn_number']} names no order (HL03 O)")
    shipped = _moment(shipment.get("shipped_date") or payload["asn_date"], payload.get("asn_time"))
    first_pack_tracking = next(
        (
            p["tracking_number"]
            for o in payload["orders"]
            for p in o["packs"]
            if p.get("tracking_number")
        ),
        None,
    )
    cases, said = [], []
    for order in payload["orders"]:
        order_number = order["po_number"]
        case = services.tracking_for(actor=actor, order_number=order_number, partner=partner)
        if case is None:
            given = (shipment.get("reference") or "").strip()
            case = services.tracking_open(
                actor=actor,
                channel=channel,
                order_number=order_number,
                partner=partner,
                references=[given] if given else (),
                body=f"Opened by {partner}'s ship notice {payload['asn_number']}.",
            )
        reference = _shipment_reference(case, payload)
        items = _items(order)
        services.milestone_record(
            actor=actor,
            channel=channel,
            case=case,
            data={
                "shipment": reference,
                "step": Step.SHIPPED,
                "occurred_at": _iso(shipped),
                "carrier": shipment.get("carrier") or "",
                "tracking_number": shipment.get("tracking_number") or first_pack_tracking or "",
                "bill_of_lading": shipment.get("bill_of_lading") or "",
                "document_ref": f"856 {payload['asn_number']}",
            },
            items=items,
        )
        cases.append(case)
        said.append(f"order {order_number} shipment {reference} shipped ({len(items)} items)")
    return cases[0], f"856 {payload['asn_number']}: " + "; ".join(said)


def _shipment_for_214(actor, message: dict[str, Any]) -> TrackedShipment:
    orders = {r["value"] for r in message["references"] if r["qualifier"] == "PO"}
    mine = TrackedShipment.objects.for_actor(actor).select_related("case")
    if message.get("shipment_id"):
        found = mine.filter(reference=message["shipment_id"])
        found = found.filter(order_number__in=orders) if orders else found
        if (shipment := found.order_by("-id").first()) is not None:
            return shipment
    if message.get("carrier_reference"):
        shipment = mine.filter(tracking_number=message["carrier_reference"]).order_by("-id").first()
        if shipment is not None:
            return shipment
    # The same words whether the shipment does not exist or is another partner's.
    raise DomainError(
        f"no shipment of yours is {message.get('shipment_id') or message.get('carrier_reference')!r}"
    )


def apply_214(*, actor, partner, payload: dict[str, Any], channel: str) -> tuple[Case, str]:
    """A carrier's status messages: pick-up and delivery move the shipment, trouble is an exception."""
    shipment = _shipment_for_214(actor, payload)
    said = []
    for status in payload["statuses"]:
        shipment.refresh_from_db()
        name = status.get("status")
        exception = STATUS_EXCEPTIONS.get(name)
        if exception is None and status.get("reason") not in (None, "NS") and name in STATUS_STEPS:
            exception = ExceptionCode.DELAYED
        step = STATUS_STEPS.get(name) or (shipment.status or Step.SHIPPED if exception else None)
        if step is None:
            said.append(f"{status['code']} noted")
            continue
        if exception is None and step == shipment.status:
            said.append(f"{status['code']} (still {step})")
            continue
        data = {
            "shipment": shipment.reference,
            "step": step,
            "occurred_at": _iso(_moment(status.get("date"), status.get("time"))),
            "carrier": payload.get("scac") or "",
            "tracking_number": payload.get("carrier_reference") or "",
            "document_ref": f"214 {payload.get('shipment_id') or payload.get('carrier_reference') or ''}".strip(),
            "note": ", ".join(v for v in (status.get("city"), status.get("state")) if v),
        }
        if exception:
            data["exception_code"] = exception
            data["exception_note"] = f"Carrier status {status['code']}" + (
                f", reason {status['reason']}" if status.get("reason") else ""
            )
        services.milestone_record(actor=actor, channel=channel, case=shipment.case, data=data)
        said.append(f"{status['code']} → {step}" + (f" ({exception})" if exception else ""))
    return shipment.case, f"214 shipment {shipment.reference}: " + "; ".join(said)
