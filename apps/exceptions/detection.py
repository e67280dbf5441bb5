"""Order exceptions detected from the mirror: which exceptions an applied order reports, for
which partners, and the cases they open, update, reopen and resolve.

The orders app announces every applied order (apps.orders.events); `on_order_applied` is
subscribed from this app's `AppConfig.ready()`. It runs inside the apply's transaction, reads
the source document the announcement carries (status fields and `c_` attributes), and acts as
the source the announcement names (SFCC, on the retailer's side). It never imports a
connector: SFCC hears about the cases through the flow registry and the case events.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from apps.orders.events import OrderApplied
from apps.orders.routing import Router, line_partner, partners_for_party
from apps.partners.actors import SystemActor
from apps.partners.models import Organization
from apps.workspace.choices import Side, Visibility
from apps.workspace.models import Case
from apps.workspace.services import (
    CaseDraft,
    LineDraft,
    case_create,
    case_transition,
    message_post,
)
from apps.workspace.states import workflow_for

from .models import DetailSource, ExceptionDetail, ExceptionRule, ExceptionType

logger = logging.getLogger("apps.exceptions")

# Line attributes a stock shortage reads, and the carrier's own code for a carrier exception.
QUANTITY_SHORT = "c_quantityShort"
EARLIEST_AVAILABLE = "c_earliestAvailable"
CARRIER_EXCEPTION_CODE = "c_carrierExceptionCode"
READ_ATTRIBUTES = frozenset({QUANTITY_SHORT, EARLIEST_AVAILABLE, CARRIER_EXCEPTION_CODE})
# What a partner needs to know of a failed payment: nothing about the payment itself.
PAYMENT_NOTE = "Payment not confirmed: hold the shipment until the retailer confirms it here."
RULE_FIELDS_TTL_SECONDS = 30.0


# --- rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    code: str
    partner: Organization
    rule: ExceptionRule
    detail: str


@dataclass(frozen=True)
class Unrouted:
    code: str
    rule: ExceptionRule


def active_rules() -> list[ExceptionRule]:
    return list(ExceptionRule.objects.filter(is_active=True).order_by("rank", "id"))


def detect(
    *, order: dict[str, Any], router: Router, rules: list[ExceptionRule] | None = None
) -> tuple[dict[tuple[str, int], Detection], list[Unrouted]]:
    """The exceptions the order reports now, keyed by (code, partner id), and those nobody takes.

    Per field the first matching rule wins, so a catch-all "is present" rule ranked after the
    specific codes only catches the codes nobody described.
    """
    found: dict[tuple[str, int], Detection] = {}
    unrouted: list[Unrouted] = []
    decided: set[str] = set()
    for rule in rules if rules is not None else active_rules():
        if rule.field in decided:
            continue
        value = order.get(rule.field)
        if not rule.matches(value):
            continue
        decided.add(rule.field)
        code = rule.code_for(value)
        partners = partners_for_party(router=router, order=order, party=rule.party)
        if not partners and rule.fallback_party:
            partners = partners_for_party(router=router, order=order, party=rule.fallback_party)
        if not partners:
            logger.warning(
                "Order %s reports %s but no partner matches rule %r",
                order.get("orderNo"),
                code,
                rule.name,
            )
            unrouted.append(Unrouted(code=code, rule=rule))
            continue
        detail = "; ".join(
            str(order[name]).strip() for name in rule.detail_field_names if order.get(name)
        )
        for partner in partners:
            found.setdefault((code, partner.pk), Detection(code, partner, rule, detail[:2000]))
    return found, unrouted


class _RuleFields:
    """The attributes active rules look at, re-read at most every 30 s.

    A connector keeps them when it reduces an incoming order (apps.orders.events.subscribe's
    `attributes`): it asks on every push, and a query per request for a list that changes
    when an administrator edits a rule would cost more than the rest of the request.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fields: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    def get(self) -> frozenset[str]:
        now = time.monotonic()
        if now - self._read_at < RULE_FIELDS_TTL_SECONDS:
            return self._fields
        names: set[str] = set()
        for field, details in ExceptionRule.objects.filter(is_active=True).values_list(
            "field", "detail_fields"
        ):
            names.add(field)
            names.update(d.strip() for d in details.split(",") if d.strip())
        with self._lock:
            self._fields = frozenset(names)
            self._read_at = now
        return self._fields

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")


rule_fields = _RuleFields()


def read_attributes() -> frozenset[str]:
    """Every order and line attribute detection reads: the rules' fields and the structured ones."""
    return rule_fields.get() | READ_ATTRIBUTES


# --- reconciliation -------------------------------------------------------------------------


def on_order_applied(applied: OrderApplied) -> None:
    """Open, update, reopen or clear the order's detected exceptions to match this version."""
    document = applied.attributes
    detections, _unrouted = detect(order=document, router=applied.router)
    if applied.created and not detections:
        return  # the common case: a new order without exceptions has nothing to reconcile
    order = applied.order
    source = _Source(actor=SystemActor(applied.actor_label), channel=applied.channel)
    # No row locks here: the apply holds the order's mirror row, so applies of one order run
    # one at a time, and each case is locked before its detail row is written (see below).
    existing = {
        (link.code, link.partner_id): link
        for link in ExceptionDetail.objects.filter(
            order_number=order.order_no, site_id=order.site_id, source=DetailSource.RULE
        ).select_related("case", "partner")
    }
    for key, detection in detections.items():
        link = existing.get(key)
        if link is None:
            applied.opened.append(
                _open(
                    applied=applied, document=document, detection=detection, source=source
                )
            )
        elif not link.active:
            applied.updated.append(
                _reactivate(link=link, document=document, detection=detection, source=source)
            )
        elif detection.detail != link.detail:
            applied.updated.append(
                _detail_changed(link=link, document=document, detection=detection, source=source)
            )
        else:
            _shipment_refreshed(link=link, document=document)
    for key, link in existing.items():
        if link.active and key not in detections:
            applied.cleared.append(_clear(link=link, source=source))


@dataclass(frozen=True)
class _Source:
    actor: SystemActor
    channel: str


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _number(value: Decimal) -> int | float:
    """A JSON number for a quantity: 2, not "2.000"."""
    return int(value) if value == value.to_integral_value() else float(value)


def _iso_date(value: Any) -> str | None:
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat() if value else None
    except ValueError:
        return None


def _partner_items(document: dict[str, Any], *, partner_id: int, router: Router) -> list[dict]:
    """The partner's own lines (all lines when none is theirs, e.g. for a carrier)."""
    items = [i for i in document.get("productItems") or [] if isinstance(i, dict)]
    mine = [
        item
        for item in items
        if (p := line_partner(router=router, order=document, item=item)) and p.pk == partner_id
    ]
    return mine or items


def _lines_text(items: list[dict]) -> str:
    """The lines as the opening message lists them; no prices."""
    lines = []
    for item in items:
        quantity = _decimal(item.get("quantity")) or Decimal(1)
        quantity_text = f"{quantity.normalize():f}"
        name = item.get("productName") or ""
        lines.append(f"- {item.get('productId', '')} {name} × {quantity_text}".rstrip())
    return "\n".join(lines)


def _short_lines(items: list[dict], *, order_no: str) -> tuple[LineDraft, ...]:
    """A stock shortage's case lines: the lines SFCC marks short, else all the partner's lines."""
    marked = [item for item in items if _decimal(item.get(QUANTITY_SHORT))]
    drafts = []
    for item in marked or items:
        sku = _text(item.get("productId"), 100)
        quantity = _decimal(item.get("quantity")) or Decimal(1)
        if not sku or quantity <= 0:
            continue
        short = _decimal(item.get(QUANTITY_SHORT)) or quantity
        drafts.append(
            LineDraft(
                sku=sku,
                quantity=quantity,
                description=_text(item.get("productName"), 200),
                unit="EA",
                order_number=order_no,
                line_ref=_text(item.get("itemId"), 64),
                data={
                    "quantity_short": _number(min(short, quantity)),
                    "earliest_available": _iso_date(item.get(EARLIEST_AVAILABLE)),
                },
            )
        )
    return tuple(drafts)


def _address_text(document: dict[str, Any]) -> str:
    shipments = document.get("shipments") or []
    address = (shipments[0].get("shippingAddress") if shipments else None) or {}
    name = address.get("fullName") or " ".join(
        p for p in (address.get("firstName"), address.get("lastName")) if p
    )
    place = " ".join(p for p in (address.get("stateCode"), address.get("postalCode")) if p)
    parts = [
        name,
        address.get("address1"),
        address.get("address2"),
        address.get("city"),
        place,
        address.get("countryCode"),
    ]
    return ", ".join(p for p in parts if p)


def _first_shipment(document: dict[str, Any]) -> dict[str, Any]:
    shipments = document.get("shipments") or []
    return shipments[0] if shipments and isinstance(shipments[0], dict) else {}


def _shipment_values(document: dict[str, Any]) -> dict[str, str]:
    """Carrier and tracking number of the first shipment, kept on every exception."""
    shipment = _first_shipment(document)
    carrier = (
        shipment.get("c_carrierId")
        or shipment.get("c_carrierCode")
        or document.get("c_carrierId")
        or document.get("c_carrierCode")
    )
    tracking = shipment.get("trackingNumber") or document.get("trackingNumber")
    return {"carrier": _text(carrier, 64), "tracking_number": _text(tracking, 100)}


def _detail_values(
    exception_type: str, detection: Detection, document: dict[str, Any]
) -> dict[str, str]:
    """The structured fields SFCC's report fills for this type of exception."""
    if exception_type == ExceptionType.ADDRESS_ISSUE:
        problem = detection.detail or f"SFCC reports {detection.code}."
        return {"address_problem": _text(problem, 300)}
    if exception_type == ExceptionType.CARRIER_EXCEPTION:
        code = _first_shipment(document).get(CARRIER_EXCEPTION_CODE) or document.get(
            CARRIER_EXCEPTION_CODE
        )
        return {"carrier_exception_code": _text(code, 40), "carrier_notes": detection.detail}
    if exception_type == ExceptionType.PAYMENT_FAILURE:
        return {"payment_note": PAYMENT_NOTE}
    return {}


def _open(
    *, applied: OrderApplied, document: dict[str, Any], detection: Detection, source: _Source
) -> Case:
    order = applied.order
    rule = detection.rule
    subject = rule.subject.replace("{order_no}", order.order_no).replace("{code}", detection.code)
    paragraphs = [f"SFCC reports {rule.name.lower()} ({detection.code}) on order {order.order_no}."]
    if rule.instructions.strip():
        paragraphs.append(rule.instructions.strip())
    if detection.detail:
        paragraphs.append(f"Detail from SFCC: {detection.detail}")
    items = _partner_items(document, partner_id=detection.partner.pk, router=applied.router)
    lines = _lines_text(items)
    if lines:
        paragraphs.append(f"Lines:\n{lines}")
    if rule.share_address:
        address = _address_text(document)
        if address:
            paragraphs.append(f"Ship to: {address}")
    first_item = (document.get("productItems") or [{}])[0]
    first_shipment = _first_shipment(document)
    short_lines = (
        _short_lines(items, order_no=order.order_no)
        if rule.exception_type == ExceptionType.STOCK_SHORTAGE
        else ()
    )
    case = case_create(
        actor=source.actor,
        channel=source.channel,
        draft=CaseDraft(
            kind=rule.case_kind,
            partner=detection.partner,
            subject=subject[:200],
            order_number=order.order_no,
            sku=_text(first_item.get("productId"), 100),
            shipment_ref=_text(first_shipment.get("shipmentNo"), 100),
            priority=rule.case_priority,
            body="\n\n".join(paragraphs),
            lines=short_lines,
        ),
    )
    ExceptionDetail.objects.create(
        case=case,
        partner=detection.partner,
        order_number=order.order_no,
        site_id=order.site_id,
        code=detection.code,
        rule=rule,
        source=DetailSource.RULE,
        exception_type=rule.exception_type,
        detail=detection.detail,
        **_shipment_values(document),
        **_detail_values(rule.exception_type, detection, document),
    )
    return case


def _settled(case: Case) -> bool:
    """Resolved or closed: new information should not hand the turn back by itself."""
    return workflow_for(case.kind).settled(case.status)


def _system_step(case: Case, flag: str):
    """The retailer-side step with this flag that SFCC can take: one that carries no data."""
    steps = workflow_for(case.kind).available(status=case.status, side=Side.RETAILER)
    return next((t for t in steps if getattr(t, flag) and t.payload_form is None), None)


def _say(*, case: Case, text: str, hand_over: bool, source: _Source) -> None:
    """A system message; shared with the partner unless it would move a settled case."""
    reply = workflow_for(case.kind).reply_transition(status=case.status, side=Side.RETAILER)
    visibility = Visibility.PARTNER if hand_over or reply is None else Visibility.INTERNAL
    message_post(
        actor=source.actor, channel=source.channel, case=case, body=text, visibility=visibility
    )


def _save_detail(
    link: ExceptionDetail, detection: Detection, document: dict[str, Any], *also: str
) -> None:
    """Store the new detail text and what it fills, with the shipment's current carrier."""
    link.detail = detection.detail
    values = {
        **_shipment_values(document),
        **_detail_values(link.exception_type, detection, document),
    }
    for name, value in values.items():
        setattr(link, name, value)
    link.save(update_fields=["detail", *values, *also])


# Lock order: the case before its detail row, as the flow's own services do (case_lock, then
# the detail), so an apply and an agent's step on the same case cannot wait on each other.


def _reactivate(
    *, link: ExceptionDetail, document: dict[str, Any], detection: Detection, source: _Source
) -> Case:
    case = link.case
    text = f"SFCC reports {link.code} on order {link.order_number} again."
    if detection.detail:
        text += f" Detail: {detection.detail}"
    reopen = _system_step(case, "reopens")
    if reopen is not None:
        case = case_transition(
            actor=source.actor,
            channel=source.channel,
            case=case,
            transition=reopen.name,
            comment=text,
        )
    else:
        _say(case=case, text=text, hand_over=True, source=source)
    link.active = True
    link.cleared_at = None
    link.detected_at = timezone.now()
    _save_detail(link, detection, document, "active", "cleared_at", "detected_at")
    return case


def _detail_changed(
    *, link: ExceptionDetail, document: dict[str, Any], detection: Detection, source: _Source
) -> Case:
    text = (
        f"SFCC updated {link.code} on order {link.order_number}: {detection.detail}"
        if detection.detail
        else f"SFCC no longer gives a detail for {link.code} on order {link.order_number}."
    )
    _say(case=link.case, text=text, hand_over=not _settled(link.case), source=source)
    _save_detail(link, detection, document)
    return link.case


def _shipment_refreshed(*, link: ExceptionDetail, document: dict[str, Any]) -> None:
    """A tracking number SFCC learns after the exception is kept without a message."""
    values = _shipment_values(document)
    changed = [name for name, value in values.items() if getattr(link, name) != value]
    if changed:
        Case.objects.select_for_update().filter(pk=link.case_id).exists()
        for name in changed:
            setattr(link, name, values[name])
        link.save(update_fields=changed)


def _clear(*, link: ExceptionDetail, source: _Source) -> Case:
    case = link.case
    text = f"SFCC no longer reports {link.code} on order {link.order_number}."
    resolve = _system_step(case, "resolves")
    if resolve is not None:
        case = case_transition(
            actor=source.actor,
            channel=source.channel,
            case=case,
            transition=resolve.name,
            comment=f"{text} Resolved automatically.",
        )
    else:
        _say(case=case, text=text, hand_over=False, source=source)
    link.active = False
    link.cleared_at = timezone.now()
    link.save(update_fields=["active", "cleared_at"])
    return case
