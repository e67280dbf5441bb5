"""Reads of flow 3: the checklist of an order or a shipment, and the accepted files of one.

Every read goes through `for_actor`, so a partner's checklist holds its own documents only.
SFCC's view (what the order attributes say) is the retailer's: every partner's documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from apps.partners.actors import SYSTEM
from apps.workspace.states import workflow_for

from .models import DocumentRequest, DocumentRequirement, Outcome

BLOCKED, READY, NONE = "blocked", "ready", "none"


@dataclass
class ChecklistItem:
    request: DocumentRequest
    label: str
    state_label: str
    state_tone: str
    required: bool  # needed before the order ships
    satisfied: bool
    waived: bool

    @property
    def missing(self) -> bool:
        return self.required and not self.satisfied and not self.waived

    @property
    def rejected(self) -> bool:
        return self.request.case.status == "rejected"

    @property
    def case(self):
        return self.request.case


@dataclass
class Checklist:
    order_number: str
    shipment_ref: str = ""
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.items:
            return NONE
        return BLOCKED if any(item.missing for item in self.items) else READY

    @property
    def blocked(self) -> bool:
        return self.status == BLOCKED

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.missing]

    @property
    def accepted_count(self) -> int:
        return sum(1 for item in self.items if item.satisfied)

    def summary(self) -> str:
        """ "Certificate of origin (rejected); Packing list (requested)": what SFCC's people read."""
        return "; ".join(
            f"{item.label}{' for ' + item.request.shipment_ref if item.request.shipment_ref else ''}"
            f" ({item.state_label.split(':')[0].lower()})"
            for item in self.missing
        )


def requests_for_actor(*, actor):
    return DocumentRequest.objects.for_actor(actor).select_related(
        "case", "partner", "accepted_submission"
    )


def requirements_for_actor(*, actor):
    return DocumentRequirement.objects.for_actor(actor).select_related("partner")


def checklist_item(request: DocumentRequest) -> ChecklistItem:
    case = request.case
    state = workflow_for(case.kind).state(case.status)
    return ChecklistItem(
        request=request,
        label=request.label,
        state_label=state.label,
        state_tone=state.tone,
        required=request.needed_before_shipping,
        satisfied=request.satisfied(),
        waived=not case.is_open and not state.resolved,
    )


def order_checklist(*, actor, order_number: str, shipment_ref: str = "") -> Checklist:
    """What the order (or one shipment: its own documents and the order's) needs, has and misses."""
    rows = requests_for_actor(actor=actor).filter(order_number=order_number)
    if shipment_ref:
        rows = rows.filter(Q(shipment_ref="") | Q(shipment_ref=shipment_ref))
    items = [checklist_item(r) for r in rows.order_by("shipment_ref", "document_type", "id")]
    return Checklist(order_number=order_number, shipment_ref=shipment_ref, items=items)


def retailer_checklist(order_number: str) -> Checklist:
    return order_checklist(actor=SYSTEM, order_number=order_number)


def accepted_submissions(*, actor, order_number: str, shipment_ref: str = ""):
    """The accepted file of each request the actor may see, for the ZIP."""
    rows = requests_for_actor(actor=actor).filter(
        order_number=order_number, accepted_submission__outcome=Outcome.ACCEPTED
    )
    if shipment_ref:
        rows = rows.filter(Q(shipment_ref="") | Q(shipment_ref=shipment_ref))
    return [
        r
        for r in rows.select_related("accepted_submission__file_version").order_by(
            "shipment_ref", "document_type", "id"
        )
        if r.satisfied()
    ]
