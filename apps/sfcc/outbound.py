"""What SFCC hears about cases linked to its orders: outbox rows written in the case's transaction.

A case is linked to a mirrored order when its `order_number` names an order of the
configured site and its kind's flow declares `writes_to_order` (the flow registry): a case
SFCC's rules opened and one an agent opened by hand are written back alike. The connector
hears nothing from the flows except through the registry and the workspace's case events.

For each change of a linked case the order gets up to three writes, in this order under one
key per order number: the partner-facing state as `external-status` (only when it changed),
a PATCH of the `c_crossdock*` attributes, and an OCAPI note for the human-readable history.
Internal notes and internal events never leave; neither do partner messages (only the
comment a transition carries, which the partner saw).
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.orders.models import Order
from apps.sync.services import outbox_enqueue
from apps.workspace.choices import Visibility
from apps.workspace.events import CaseEvent
from apps.workspace.flows import flow_for, order_kinds
from apps.workspace.models import Case
from apps.workspace.states import workflow_for

from . import conf
from .models import OrderWriteback

TARGET = "sfcc"
TOPIC_EXTERNAL_STATUS = "order.external_status"
TOPIC_ATTRIBUTES = "order.attributes"
TOPIC_NOTE = "order.note"
TOPIC_SHIPPING_STATUS = "order.shipping_status"
ANNOUNCED_EVENTS = frozenset({"case.created", "case.transitioned"})

EXTERNAL_STATUS_MAX = 256  # SCAPI's limit for external-status
RESOLUTION_MAX = 2000
NOTE_TEXT_MAX = 4000


def order_key(order_no: str) -> str:
    return f"sfcc:order:{order_no}"


def linked_order(case: Any) -> Order | None:
    """The mirrored order a case is about, if its flow writes back to orders."""
    order_no = getattr(case, "order_number", "")
    if not order_no or getattr(case, "kind", None) not in order_kinds():
        return None
    return Order.objects.filter(site_id=conf.site_id(), order_no=order_no).first()


def on_case_event(event: CaseEvent) -> None:
    """Workspace subscriber: runs inside the service's transaction, writes rows, calls nothing."""
    if event.type not in ANNOUNCED_EVENTS or event.visibility == Visibility.INTERNAL:
        return
    # Cases without an order number, or of a flow that writes nothing, cost no query.
    order = linked_order(event.case)
    if order is None:
        return  # not a case about an SFCC order we mirror
    case_state_enqueue(
        order=order,
        case=event.case,
        event_type=event.type,
        actor_label=event.actor_label,
        payload=event.payload,
    )


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def external_status_for(*, order: Order, case: Any) -> str:
    """The order's partner-facing state: every linked case's state, open ones first."""
    linked = Case.objects.filter(order_number=order.order_no, kind__in=order_kinds()).order_by("id")
    cases = [case if c.pk == case.pk else c for c in linked]
    if case.pk not in {c.pk for c in cases}:
        cases.append(case)
    states = [(c, workflow_for(c.kind).state(c.status)) for c in cases]
    if len(states) == 1:
        c, state = states[0]
        return _truncate(f"{state.label} · Crossdock {c.reference}", EXTERNAL_STATUS_MAX)
    # Cases still being worked first: that is what a service agent in SFCC looks for.
    states.sort(key=lambda pair: (pair[1].resolved or not pair[1].open, pair[0].pk))
    text = "Crossdock: " + "; ".join(f"{c.reference} {state.label}" for c, state in states)
    return _truncate(text, EXTERNAL_STATUS_MAX)


def _lock_writeback(order: Order) -> OrderWriteback:
    """Lock the order's write-back row, creating it on the order's first write."""
    writeback = OrderWriteback.objects.select_for_update().filter(order=order).first()
    if writeback is not None:
        return writeback
    try:
        with transaction.atomic():
            return OrderWriteback.objects.create(order=order)
    except IntegrityError:
        # Another writer created it first (PostgreSQL made us wait for its commit): queue
        # behind it like every later writer does.
        return OrderWriteback.objects.select_for_update().get(order=order)


def case_state_enqueue(
    *,
    order: Order,
    case: Any,
    event_type: str,
    actor_label: str,
    payload: dict[str, Any],
) -> list[Any]:
    """Write the outbox rows that tell SFCC about one change of a linked case."""
    if not conf.enabled():
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("SFCC write-back rows are written in the transaction of the change.")
    # Serialises every writer of this order's key, so the id order is the commit order.
    writeback = _lock_writeback(order)
    order_no = order.order_no
    key = order_key(order_no)
    workflow = workflow_for(case.kind)
    state = workflow.state(case.status)
    url = f"{conf.site_url()}{case.get_absolute_url()}"
    rows = []

    external = external_status_for(order=order, case=case)
    if external != writeback.external_status:
        writeback.external_status = external
        writeback.updated_at = timezone.now()
        writeback.save(update_fields=["external_status", "updated_at"])
        rows.append(
            outbox_enqueue(
                target=TARGET,
                topic=TOPIC_EXTERNAL_STATUS,
                key=key,
                case=case,
                payload={"order_no": order_no, "status": external},
            )
        )

    # A flow that tracks shipments (milestones) says what the order's shipping status is now.
    flow = flow_for(case.kind)
    if flow.order_shipping_status is not None:
        shipping = flow.order_shipping_status(case=case, event_payload=payload)
        if shipping and shipping != order.shipping_status:
            rows.append(
                outbox_enqueue(
                    target=TARGET,
                    topic=TOPIC_SHIPPING_STATUS,
                    key=key,
                    case=case,
                    payload={"order_no": order_no, "status": shipping},
                )
            )

    comment = str(payload.get("comment") or "").strip()
    from_status = payload.get("from_status")
    attributes: dict[str, Any] = {
        "c_crossdockCaseId": case.reference,
        "c_crossdockCaseStatus": state.label,
        "c_crossdockCaseUrl": url,
    }
    if payload.get("resolves"):
        attributes["c_crossdockResolution"] = _truncate(comment or state.label, RESOLUTION_MAX)
    elif state.open and not state.resolved and from_status and workflow.settled(from_status):
        attributes["c_crossdockResolution"] = None  # reopened: the old answer no longer holds
    # The flow's own c_ attributes (the accepted resolution, its dates…); the flow knows its
    # outcome better than the generic fields, so its values win.
    if flow.order_attributes is not None:
        attributes.update(flow.order_attributes(case=case, event_payload=payload))
    rows.append(
        outbox_enqueue(
            target=TARGET,
            topic=TOPIC_ATTRIBUTES,
            key=key,
            case=case,
            payload={"order_no": order_no, "attributes": attributes},
        )
    )

    if event_type == "case.created":
        subject = f"Crossdock case {case.reference} opened"
        text = (
            f"{case.reference} opened with {case.partner} ({case.get_kind_display()}): "
            f"{case.subject}. Status: {state.label}."
        )
    else:
        before = workflow.state(from_status).label if from_status else "?"
        subject = f"Crossdock case {case.reference}: {state.label}"
        text = f"{actor_label} moved {case.reference} from {before} to {state.label}."
        if comment:
            text += f"\nComment: {comment}"
    rows.append(
        outbox_enqueue(
            target=TARGET,
            topic=TOPIC_NOTE,
            key=key,
            case=case,
            payload={
                "order_no": order_no,
                "subject": _truncate(subject, 200),
                "text": _truncate(f"{text}\n{url}", NOTE_TEXT_MAX),
            },
        )
    )
    return rows
