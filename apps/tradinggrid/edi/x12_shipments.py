"""X12 shipments: the 856 ship notice (S-O-P-I and S-O-I hierarchies) and the 214 carrier status.

Both read into plain dicts for the milestones flow and write back from them (tests, bots).
The 856's HL loops are read by their parent links (HL02), not by position, so a pack (P) or a
tare (T) between an order and its items, or none, reads the same way: each item knows its
order and, when it has one, its pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .errors import EdiIssue, MappingError
from .mappings import (
    HasSegments,
    TransactionMapping,
    element_issue,
    numbered,
    register_mapping,
    segment_issue,
)
from .segments import Segment, segment
from .x12_orders import (
    _bad_date,
    _date,
    _date_text,
    _decimal,
    _missing,
    _or_none,
    _read_party,
    _text,
    _write_party,
)

# BSN05 (1005) hierarchical structure codes of the two shapes we write.
PICK_AND_PACK = "0001"  # Shipment, Order, Packaging, Item
STANDARD_CARTON_PACK = "0002"  # Shipment, Order, Item
PACK_LEVELS = frozenset({"P", "T"})  # pack and tare (pallet): both group items
SHIPPED_DATE, ESTIMATED_DELIVERY = "011", "017"  # DTM01 (374)
# REF01 (128) qualifiers the milestones read.
BILL_OF_LADING, CARRIER_REFERENCE, TRACKING = "BM", "CN", "2I"
SHIPMENT_REFERENCE = "SI"  # shipper's identifying number for the shipment
_LIN_PAIRS = 15  # LIN02/03 .. LIN30/31


def _refs(node: dict[str, Any]) -> dict[str, str]:
    return {ref["qualifier"]: ref["value"] for ref in node["references"]}


def _read_lin(seg: Segment) -> dict[str, Any]:
    product_ids = []
    # Only the pairs the segment has: most LINs carry one or two of the fifteen.
    last = min(len(seg.elements), 1 + 2 * _LIN_PAIRS)
    for index in range(2, last + 1, 2):
        qualifier, value = seg.text(index), seg.text(index + 1)
        if qualifier or value:
            product_ids.append({"qualifier": qualifier, "id": value})
    return {
        "line_number": _or_none(seg.text(1)),
        "product_ids": product_ids,
        "quantity": None,
        "unit": None,
        "ordered_quantity": None,
        "description": None,
        "pack": None,
    }


def _repetition(transaction: HasSegments) -> str:
    interchange = getattr(transaction, "interchange", None)
    return getattr(getattr(interchange, "delimiters", None), "repetition", None) or "^"


def _whole(seg: Segment, index: int, repetition: str) -> str:
    """A reference as sent: a file whose ISA11 repetition separator also occurs in its data (the
    node-x12 sample's "-" in REF*BM*999999-001) splits a non-repeating element; join it again."""
    value = seg.element(index)
    if isinstance(value, list):
        return repetition.join(v if isinstance(v, str) else (v[0] if v else "") for v in value)
    return seg.text(index)


def _new_node(level: str) -> dict[str, Any]:
    return {"level": level, "references": [], "dates": [], "marks": [], "items": [], "parties": []}


@register_mapping("x12", "856")
class ShipNoticeMapping(TransactionMapping):
    """856 ship notice/manifest, both ways.

    Domain payload::

        {"set_id": "856", "purpose": "00", "asn_number": str, "asn_date": date, "asn_time",
         "hierarchy": "0001" | "0002" | None,
         "shipment": {"carrier": SCAC | None, "transport": TD504 | None, "packages": int | None,
                      "weight": Decimal | None, "weight_unit", "bill_of_lading", "carrier_reference",
                      "tracking_number", "reference": REF*SI | None, "shipped_date": date | None,
                      "estimated_delivery": date | None, "parties": [N1 loop dicts]},
         "orders": [{"po_number": str, "po_date": date | None, "references": [{"qualifier", "value"}],
                     "packs": [{"marks": str | None, "tracking_number": str | None,
                                "items": [item]}],
                     "items": [item]}],   # items outside any pack (S-O-I)
         "item_count": int | None}

    An item is ``{"line_number", "product_ids": [{"qualifier", "id"}], "quantity": Decimal,
    "unit", "ordered_quantity", "description"}``.
    """

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        rep = _repetition(transaction)
        bsn = next((s for s in segments if s.id == "BSN"), None)
        if bsn is None:
            raise MappingError("856 without BSN")
        notice: dict[str, Any] = {
            "set_id": "856",
            "purpose": bsn.text(1),
            "asn_number": _whole(bsn, 2, rep),
            "asn_date": _date(bsn.text(3), what="BSN03 date"),
            "asn_time": _or_none(bsn.text(4)),
            "hierarchy": _or_none(bsn.text(5)),
            "shipment": None,
            "orders": [],
            "item_count": None,
        }
        nodes: dict[str, dict[str, Any]] = {}
        parents: dict[str, str] = {}
        order_of: dict[str, dict[str, Any]] = {}
        current: dict[str, Any] | None = None
        item: dict[str, Any] | None = None
        index = 0
        while index < len(segments):
            seg = segments[index]
            if seg.id == "HL":
                current, item = self._open_level(seg, nodes, parents, order_of, notice)
            elif current is None:
                pass  # BSN, DTM before the first HL: read above
            elif seg.id == "N1":
                party, index = _read_party(segments, index)
                current["parties"].append(party)
                continue
            elif seg.id == "REF":
                current["references"].append(
                    {"qualifier": seg.text(1), "value": _whole(seg, 2, rep) or _whole(seg, 3, rep)}
                )
            elif seg.id == "DTM":
                current["dates"].append(
                    {"qualifier": seg.text(1), "date": _date(seg.text(2), what="DTM02 date")}
                )
            elif seg.id == "TD5":
                current["carrier"] = _or_none(seg.text(3))
                current["transport"] = _or_none(seg.text(4))
            elif seg.id == "TD1":
                current["packages"] = int(seg.text(2)) if seg.text(2).isdigit() else None
                current["weight"] = _decimal(seg.text(7), what="TD107 weight")
                current["weight_unit"] = _or_none(seg.text(8))
            elif seg.id == "MAN":
                current["marks"].append(_whole(seg, 2, rep))
            elif seg.id == "PRF":
                current["po_number"] = _whole(seg, 1, rep)
                current["po_date"] = _date(seg.text(4), what="PRF04 date") if seg.text(4) else None
            elif seg.id == "LIN" and current["level"] == "I":
                item = _read_lin(seg)
                current["items"].append(item)
            elif seg.id == "SN1" and item is not None:
                item["quantity"] = _decimal(seg.text(2), what="SN102 quantity")
                item["unit"] = _or_none(seg.text(3))
                item["ordered_quantity"] = _decimal(seg.text(5), what="SN105 quantity ordered")
            elif seg.id == "PID" and item is not None and item["description"] is None:
                item["description"] = _or_none(seg.text(5))
            elif seg.id == "CTT":
                notice["item_count"] = int(seg.text(1)) if seg.text(1).isdigit() else None
            index += 1
        if notice["shipment"] is None:
            raise MappingError("856 without a shipment level (HL03 S)")
        self._place_items(nodes, parents, order_of)
        notice["shipment"] = self._shipment_view(notice["shipment"])
        notice["orders"] = [self._order_view(order) for order in notice["orders"]]
        return notice

    @staticmethod
    def _open_level(seg, nodes, parents, order_of, notice):
        number, parent, level = seg.text(1), seg.text(2), seg.text(3)
        if not number or number in nodes:
            raise MappingError(f"HL01 {number!r} is missing or repeated")
        if parent and parent not in nodes:
            raise MappingError(f"HL {number} names parent {parent!r}, which comes before no HL")
        node = _new_node(level)
        nodes[number], parents[number] = node, parent
        if level == "S":
            if notice["shipment"] is not None:
                raise MappingError("856 with more than one shipment level")
            notice["shipment"] = node
        elif level == "O":
            node.update(po_number=None, po_date=None, packs=[], loose=[])
            notice["orders"].append(node)
        # The order an HL belongs to: itself, or its parent's.
        order_of[number] = node if level == "O" else order_of.get(parent)
        return node, None

    @staticmethod
    def _place_items(nodes, parents, order_of) -> None:
        """Each item level to its order, under its nearest pack or tare if it has one."""
        for number, node in nodes.items():
            if node["level"] in PACK_LEVELS and order_of.get(number) is not None:
                order_of[number]["packs"].append(node)
        for number, node in nodes.items():
            if node["level"] != "I":
                continue
            order = order_of.get(number)
            if order is None:
                raise MappingError(f"item HL {number} is under no order (HL03 O)")
            pack, up = None, parents.get(number)
            while up:
                if nodes[up]["level"] in PACK_LEVELS:
                    pack = nodes[up]
                    break
                up = parents.get(up)
            # S-O-I files often mark an item's carton in the item loop itself.
            if pack is None and node["marks"]:
                pack = _new_node("P")
                pack["marks"] = node["marks"]
                order["packs"].append(pack)
            (pack["items"] if pack is not None else order["loose"]).extend(node["items"])

    @staticmethod
    def _shipment_view(node: dict[str, Any]) -> dict[str, Any]:
        refs = _refs(node)
        dates = {d["qualifier"]: d["date"] for d in node["dates"]}
        return {
            "carrier": node.get("carrier"),
            "transport": node.get("transport"),
            "packages": node.get("packages"),
            "weight": node.get("weight"),
            "weight_unit": node.get("weight_unit"),
            "bill_of_lading": refs.get(BILL_OF_LADING),
            "carrier_reference": refs.get(CARRIER_REFERENCE),
            "tracking_number": refs.get(TRACKING) or refs.get(CARRIER_REFERENCE),
            "reference": refs.get(SHIPMENT_REFERENCE),
            "shipped_date": dates.get(SHIPPED_DATE),
            "estimated_delivery": dates.get(ESTIMATED_DELIVERY),
            "parties": node["parties"],
        }

    @staticmethod
    def _order_view(node: dict[str, Any]) -> dict[str, Any]:
        if not node.get("po_number"):
            raise MappingError("an order level (HL03 O) without PRF01, the purchase order number")
        packs = [
            {
                "marks": (pack["marks"] or [None])[0],
                "tracking_number": _refs(pack).get(TRACKING) or _refs(pack).get(CARRIER_REFERENCE),
                "items": pack["items"],
            }
            for pack in node["packs"]
        ]
        return {
            "po_number": node["po_number"],
            "po_date": node["po_date"],
            "references": node["references"],
            "packs": packs,
            "items": node["loose"],
        }

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        orders = list(payload.get("orders") or [])
        packed = any(order.get("packs") for order in orders)
        hierarchy = payload.get("hierarchy") or (PICK_AND_PACK if packed else STANDARD_CARTON_PACK)
        asn_date = payload.get("asn_date") or date.today()
        out = [
            segment(
                "BSN",
                payload.get("purpose") or "00",
                payload["asn_number"],
                _date_text(asn_date, what="asn_date"),
                payload.get("asn_time") or "1200",
                hierarchy,
            )
        ]
        shipment = payload.get("shipment") or {}
        counter = {"hl": 0, "items": 0}

        def hl(parent: str | None, level: str) -> str:
            counter["hl"] += 1
            out.append(segment("HL", str(counter["hl"]), parent, level))
            return str(counter["hl"])

        top = hl(None, "S")
        if shipment.get("packages") or shipment.get("weight"):
            out.append(
                segment(
                    "TD1",
                    "CTN",
                    _text(shipment.get("packages")),
                    None,
                    None,
                    None,
                    "G",
                    _text(shipment.get("weight")),
                    shipment.get("weight_unit") or "LB",
                )
            )
        if shipment.get("carrier"):
            out.append(
                segment("TD5", None, "2", shipment["carrier"], shipment.get("transport") or "M")
            )
        for qualifier, key in (
            (BILL_OF_LADING, "bill_of_lading"),
            (CARRIER_REFERENCE, "carrier_reference"),
            (TRACKING, "tracking_number"),
            (SHIPMENT_REFERENCE, "reference"),
        ):
            if shipment.get(key):
                out.append(segment("REF", qualifier, shipment[key]))
        for qualifier, key in (
            (SHIPPED_DATE, "shipped_date"),
            (ESTIMATED_DELIVERY, "estimated_delivery"),
        ):
            if shipment.get(key):
                out.append(segment("DTM", qualifier, _date_text(shipment[key], what=key)))
        for party in shipment.get("parties") or []:
            out += _write_party(party)

        def items(parent: str, rows) -> None:
            for row in rows:
                hl(parent, "I")
                ids: list[str | None] = []
                for product in row.get("product_ids") or []:
                    ids += [product["qualifier"], product["id"]]
                out.append(segment("LIN", row.get("line_number"), *ids))
                out.append(
                    segment(
                        "SN1",
                        None,
                        _text(row.get("quantity")),
                        row.get("unit") or "EA",
                        None,
                        _text(row.get("ordered_quantity")),
                    )
                )
                if row.get("description"):
                    out.append(segment("PID", "F", None, None, None, row["description"]))
                counter["items"] += 1

        for order in orders:
            number = hl(top, "O")
            out.append(
                segment(
                    "PRF",
                    order["po_number"],
                    None,
                    None,
                    _date_text(order.get("po_date"), what="po_date"),
                )
            )
            for ref in order.get("references") or []:
                out.append(segment("REF", ref["qualifier"], ref["value"]))
            for pack in order.get("packs") or []:
                pack_number = hl(number, "P")
                if pack.get("marks"):
                    out.append(segment("MAN", "GM", pack["marks"]))
                if pack.get("tracking_number"):
                    out.append(segment("REF", TRACKING, pack["tracking_number"]))
                items(pack_number, pack.get("items") or [])
            items(number, order.get("items") or [])
        out.append(segment("CTT", str(counter["hl"])))
        return out

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        issues: list[EdiIssue] = []
        segments = numbered(transaction.segments)
        bsns = [(i, s) for i, s in segments if s.id == "BSN"]
        if not bsns:
            issues.append(
                segment_issue(segment_id="BSN", index=2, code="3", message="BSN is missing")
            )
        seen: set[str] = set()
        for index, seg in segments:
            if seg.id == "BSN":
                issues += _missing(seg, index, ((1, "353"), (2, "396"), (3, "373"))) + _bad_date(
                    seg, index, 3
                )
            elif seg.id == "HL":
                issues += _missing(seg, index, ((1, "628"), (3, "735")))
                parent = seg.text(2)
                if parent and parent not in seen:
                    issues.append(
                        element_issue(
                            segment=seg,
                            index=index,
                            element=2,
                            reference="734",
                            code="7",
                            message=f"parent {parent!r} is not an earlier HL",
                        )
                    )
                seen.add(seg.text(1))
            elif seg.id == "PRF":
                issues += _missing(seg, index, ((1, "324"),))
            elif seg.id == "SN1":
                issues += _missing(seg, index, ((2, "382"), (3, "355")))
        if not any(s.id == "HL" and s.text(3) == "S" for _, s in segments):
            issues.append(
                segment_issue(
                    segment_id="HL",
                    index=len(segments),
                    code="3",
                    message="no shipment level (HL03 S)",
                )
            )
        return issues


# 214 --------------------------------------------------------------------------------

# AT701 (1650) shipment status codes, by what they mean for a shipment's milestones.
STATUS_NAMES: dict[str, str] = {
    "AF": "picked_up",  # carrier departed pick-up location with shipment
    "CP": "picked_up",  # completed loading at pick-up location
    "X3": "picked_up",  # arrived at pick-up location (loading)
    "P1": "departed",
    "X6": "en_route",
    "X1": "arrived",  # arrived at delivery location
    "AG": "estimated_delivery",
    "D1": "delivered",  # completed unloading at delivery location
    "X4": "arrived_at_terminal",
    "A3": "returned",  # shipment returned to shipper
    "A7": "refused",  # refused by consignee
    "A9": "damaged",
    "AP": "delivery_not_completed",
    "SD": "delayed",
    "OO": "other",
}
NORMAL_REASON = "NS"  # AT702 (1651): normal status


@register_mapping("x12", "214")
class ShipmentStatusMapping(TransactionMapping):
    """214 transportation carrier shipment status message, both ways.

    Domain payload::

        {"set_id": "214", "carrier_reference": B1001, "shipment_id": B1002, "scac": B1003,
         "references": [{"qualifier", "value"}],   # L11 anywhere: PO (order), BM (bill of lading)
         "statuses": [{"code": AT701, "status": name | None, "reason": AT702 | None,
                       "date": date | None, "time": AT706 | None, "city", "state", "country",
                       "references": [{"qualifier", "value"}]}]}
    """

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        segments = transaction.segments
        rep = _repetition(transaction)
        b10 = next((s for s in segments if s.id == "B10"), None)
        if b10 is None:
            raise MappingError("214 without B10")
        message: dict[str, Any] = {
            "set_id": "214",
            "carrier_reference": _or_none(_whole(b10, 1, rep)),
            "shipment_id": _or_none(_whole(b10, 2, rep)),
            "scac": _or_none(b10.text(3)),
            "references": [],
            "statuses": [],
        }
        status: dict[str, Any] | None = None
        for seg in segments:
            if seg.id == "LX":
                status = None
            elif seg.id == "AT7":
                code = seg.text(1) or seg.text(
                    3
                )  # AT703: appointment status, when no shipment status
                status = {
                    "code": code,
                    "status": STATUS_NAMES.get(code),
                    "reason": _or_none(seg.text(2) or seg.text(4)),
                    "date": _date(seg.text(5), what="AT705 date") if seg.text(5) else None,
                    "time": _or_none(seg.text(6)),
                    "city": None,
                    "state": None,
                    "country": None,
                    "references": [],
                }
                message["statuses"].append(status)
            elif seg.id == "MS1" and status is not None:
                status.update(
                    city=_or_none(seg.text(1)),
                    state=_or_none(seg.text(2)),
                    country=_or_none(seg.text(3)),
                )
            elif seg.id in ("L11", "N9"):
                value, qualifier = (
                    (_whole(seg, 1, rep), seg.text(2))
                    if seg.id == "L11"
                    else (_whole(seg, 2, rep), seg.text(1))
                )
                ref = {"qualifier": qualifier, "value": value}
                (status["references"] if status is not None else message["references"]).append(ref)
        if not message["statuses"]:
            raise MappingError("214 without a status (AT7)")
        return message

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        out = [
            segment(
                "B10",
                payload.get("carrier_reference"),
                payload.get("shipment_id"),
                payload.get("scac"),
            )
        ]
        for ref in payload.get("references") or []:
            out.append(segment("L11", ref["value"], ref["qualifier"]))
        for number, status in enumerate(payload.get("statuses") or [], start=1):
            out.append(segment("LX", str(number)))
            out.append(
                segment(
                    "AT7",
                    status["code"],
                    status.get("reason") or NORMAL_REASON,
                    None,
                    None,
                    _date_text(status.get("date"), what="status date"),
                    status.get("time"),
                    "LT",
                )
            )
            if status.get("city"):
                out.append(
                    segment("MS1", status["city"], status.get("state"), status.get("country"))
                )
            for ref in status.get("references") or []:
                out.append(segment("L11", ref["value"], ref["qualifier"]))
        return out

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        issues: list[EdiIssue] = []
        segments = numbered(transaction.segments)
        if not any(s.id == "B10" for _, s in segments):
            issues.append(
                segment_issue(segment_id="B10", index=2, code="3", message="B10 is missing")
            )
        for index, seg in segments:
            if seg.id == "AT7":
                if not seg.text(1) and not seg.text(3):
                    issues.append(
                        element_issue(
                            segment=seg,
                            index=index,
                            element=1,
                            reference="1650",
                            code="1",
                            message="a status (AT701 or AT703) is required",
                        )
                    )
                issues += _bad_date(seg, index, 5)
        return issues
