"""Reads of flow 8: an order's shipments and milestones as a progress line, scoped to the reader."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from apps.workspace.choices import CaseKind
from apps.workspace.models import Case

from .models import STEP_ORDER, Milestone, Step, TrackedShipment


@dataclass
class StepView:
    step: str
    label: str
    reached: bool
    milestone: Milestone | None = None  # the latest report of this step
    exception: bool = False


@dataclass
class ShipmentProgress:
    shipment: TrackedShipment
    case: Case
    steps: list[StepView] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def late(self) -> bool:
        return self.shipment.is_late

    @property
    def percent(self) -> int:
        return int(100 * self.shipment.rank / len(STEP_ORDER))


def shipments_for_actor(*, actor):
    return (
        TrackedShipment.objects.for_actor(actor)
        .select_related("case", "case__partner")
        .prefetch_related(
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("reporter_organization").prefetch_related(
                    "proofs__attachment"
                ),
            ),
            "items",
        )
    )


def progress(shipment: TrackedShipment) -> ShipmentProgress:
    milestones = list(shipment.milestones.all())
    view = ShipmentProgress(shipment=shipment, case=shipment.case, milestones=milestones)
    for step in Step:
        reported = [m for m in milestones if m.step == step]
        latest = reported[-1] if reported else None
        view.steps.append(
            StepView(
                step=step.value,
                label=step.label,
                reached=STEP_ORDER[step] <= shipment.rank,
                milestone=latest,
                exception=any(m.exception_code for m in reported),
            )
        )
    return view


def order_progress(*, actor, order_number: str) -> list[ShipmentProgress]:
    """Every shipment of the order the reader may see, across the partners' milestone cases."""
    shipments = (
        shipments_for_actor(actor=actor)
        .filter(case__kind=CaseKind.MILESTONE, order_number=order_number)
        .order_by("case__partner__name", "reference", "id")
    )
    return [progress(s) for s in shipments]


def case_progress(*, actor, case: Case) -> list[ShipmentProgress]:
    return [
        progress(s)
        for s in shipments_for_actor(actor=actor).filter(case=case).order_by("reference", "id")
    ]
