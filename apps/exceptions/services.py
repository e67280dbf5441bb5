"""Writes of flows 1 and 7: open an exception or an escalation by hand, and the transitions' effects.

Opening goes through the workspace's `case_create` and adds the flow's detail row in the same
transaction. The effects run inside `transition_take`, after the case moved, so a stored
proposal or plan commits with the step that carried it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError
from apps.partners.models import Organization
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind
from apps.workspace.models import Case, TimelineEvent
from apps.workspace.services import CaseDraft, LineDraft

from .models import DetailSource, Escalation, EscalationReason, ExceptionDetail, ExceptionType

# How long an agent has to tell the customer what the partner found.
CUSTOMER_UPDATE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class EscalationDraft:
    partner: Organization
    order_number: str
    reason: str
    customer_words: str
    lines: tuple[LineDraft, ...] = ()
    shipment_id: str = ""
    carrier: str = ""
    tracking_number: str = ""
    priority: str = "high"


def escalation_open(
    *, actor, channel: str, draft: EscalationDraft, photos: Iterable[tuple[str, IO[bytes]]] = ()
) -> Case:
    """An agent escalates a customer's problem with an order to the partner who can fix it."""
    if draft.reason not in EscalationReason.values:
        raise DomainError("Choose what went wrong.", fields={"reason": ["Choose a reason."]})
    if not draft.customer_words.strip():
        raise DomainError(
            "Write what the customer told you.", fields={"customer_words": ["Required."]}
        )
    if draft.reason == EscalationReason.MISSING_ITEM and not draft.lines:
        raise DomainError("Say which items are missing.", fields={"lines": ["Choose a line."]})
    label = EscalationReason(draft.reason).label
    with transaction.atomic():
        case = workspace.case_create(
            actor=actor,
            channel=channel,
            draft=CaseDraft(
                kind=CaseKind.ESCALATION,
                partner=draft.partner,
                subject=f"{label} on order {draft.order_number}",
                order_number=draft.order_number,
                sku=draft.lines[0].sku if draft.lines else "",
                shipment_ref=draft.shipment_id,
                priority=draft.priority,
                body=f"{label}. The customer says:\n\n{draft.customer_words.strip()}",
                lines=draft.lines,
            ),
        )
        Escalation.objects.create(
            case=case,
            order_number=draft.order_number,
            reason=draft.reason,
            customer_words=draft.customer_words.strip(),
            shipment_id=draft.shipment_id,
            carrier=draft.carrier,
            tracking_number=draft.tracking_number,
        )
        for name, content in photos:
            workspace.file_upload(
                actor=actor, channel=channel, case=case, name=name, content=content,
                note="From the customer",
            )
    return case


@dataclass(frozen=True)
class ExceptionDraft:
    partner: Organization
    order_number: str
    exception_type: str
    subject: str
    body: str = ""
    lines: tuple[LineDraft, ...] = ()
    priority: str = "normal"
    # The type's structured fields (see ExceptionDetail); never payment data.
    address_problem: str = ""
    address_correction: str = ""
    payment_note: str = ""
    carrier: str = ""
    tracking_number: str = ""
    carrier_exception_code: str = ""
    carrier_notes: str = ""


STRUCTURED_FIELDS = (
    "address_problem", "address_correction", "payment_note", "carrier", "tracking_number",
    "carrier_exception_code", "carrier_notes",
)


def exception_open(*, actor, channel: str, draft: ExceptionDraft) -> Case:
    """An agent posts an exception on an order to a partner by hand (rules open the rest)."""
    if draft.exception_type not in ExceptionType.values:
        raise DomainError("Choose the kind of exception.", fields={"exception_type": ["Unknown."]})
    with transaction.atomic():
        case = workspace.case_create(
            actor=actor,
            channel=channel,
            draft=CaseDraft(
                kind=CaseKind.ORDER_EXCEPTION,
                partner=draft.partner,
                subject=draft.subject,
                order_number=draft.order_number,
                sku=draft.lines[0].sku if draft.lines else "",
                priority=draft.priority,
                body=draft.body,
                lines=draft.lines,
            ),
        )
        ExceptionDetail.objects.create(
            case=case,
            partner=draft.partner,
            order_number=draft.order_number,
            code=draft.exception_type.upper(),
            exception_type=draft.exception_type,
            source=DetailSource.MANUAL,
            **{name: getattr(draft, name).strip() for name in STRUCTURED_FIELDS},
        )
    return case


# --- transition effects (called by the workspace inside the step's transaction) --------------


def latest_proposal(case: Case) -> dict:
    """The partner's most recent proposal on the case, as validated when it was made."""
    for data in (
        TimelineEvent.objects.filter(case=case, verb="transitioned")
        .order_by("-id")
        .values_list("data", flat=True)[:50]
    ):
        if data and "resolution" in data:
            return data
    return {}


def proposal_accepted(*, case: Case, data: dict, actor, channel: str) -> None:
    proposal = latest_proposal(case)
    code = data.get("resolution_code") or proposal.get("resolution", "")
    if code and not case.resolution_code:
        Case.objects.filter(pk=case.pk).update(resolution_code=code[:40])
        case.resolution_code = code[:40]
    detail, _ = ExceptionDetail.objects.get_or_create(
        case=case,
        defaults={
            "partner_id": case.partner_id,
            "order_number": case.order_number,
            "code": "MANUAL",
            "source": DetailSource.MANUAL,
        },
    )
    detail.accepted_resolution = {**proposal, "resolution_code": code}
    detail.accepted_at = timezone.now()
    detail.save(update_fields=["accepted_resolution", "accepted_at"])


def outcome_withdrawn(*, case: Case, data: dict, actor, channel: str) -> None:
    """Reopened: the agreed resolution no longer holds, here or in SFCC."""
    ExceptionDetail.objects.filter(case=case).update(accepted_resolution={}, accepted_at=None)
    Case.objects.filter(pk=case.pk).update(resolution_code="")
    case.resolution_code = ""


def plan_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    escalation, _ = Escalation.objects.get_or_create(
        case=case, defaults={"order_number": case.order_number, "reason": EscalationReason.DELIVERY_DELAY}
    )
    escalation.root_cause_code = data.get("root_cause_code", "")
    escalation.root_cause_detail = data.get("root_cause_detail", "")
    escalation.plan_type = data.get("plan_type", "")
    escalation.plan = data.get("plan", "")
    escalation.plan_due = data.get("plan_due")
    escalation.customer_update_due = timezone.now() + CUSTOMER_UPDATE_WINDOW
    escalation.save(
        update_fields=[
            "root_cause_code", "root_cause_detail", "plan_type", "plan", "plan_due", "customer_update_due",
        ]
    )
