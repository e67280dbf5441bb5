"""Claims over X12: the 180 (return merchandise authorization and notification), both ways.

Outbound: a new claim is sent to a partner on X12 as a 180 request (BGN01 "00"), one BLI per
claimed line with its unit price and its RDR reason; the connector calls `build_180` through
the flow registry and writes it with the mapping in apps.tradinggrid.edi.x12_returns.
Inbound: the partner's 180 response (BGN01 "11") is the supplier's decision, taken as the same
workflow step a supplier takes on the page, with the same payload form and guards: RDR01 "KA"
or "PA" (or an adjusted amount, AMT*A) approves a credit, "RA", "MW" or "RF" a replacement of
the lines it names, "RD" denies (or upholds a denial under dispute), "RP" asks for evidence.
A decision the claim cannot take now is posted on the claim as a message. Nothing here
imports the connector.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Side, Visibility
from apps.workspace.models import Case, CaseLine
from apps.workspace.states import workflow_for

from .models import ClaimReason, DenialReason

# ClaimReason → RDR02 (1293 return request reason) and back.
REQUEST_REASON = {
    ClaimReason.DAMAGED_IN_TRANSIT: "DT",
    ClaimReason.DEFECTIVE: "DM",
    ClaimReason.FAILED_IN_USE: "DR",
    ClaimReason.WRONG_ITEM: "WG",
    ClaimReason.NOT_AS_DESCRIBED: "NA",
    ClaimReason.MISSING_PARTS: "DA",
    ClaimReason.UNWANTED: "CO",
    ClaimReason.OTHER: "NA",
}
# The claim type as the disposition the retailer asks for (RDR01 1292).
REQUESTED_DISPOSITION = {"return": "CR", "warranty": "MW", "damage": "RA"}
# RDR03 (1294 return response reason) ↔ the denial reasons of the claim.
DENIAL_BY_RESPONSE = {
    "RT": DenialReason.OUTSIDE_WARRANTY,
    "EW": DenialReason.MISUSE,
    "IN": DenialReason.INSUFFICIENT_EVIDENCE,
    "FR": DenialReason.CARRIER_LIABLE,
    "NR": DenialReason.NOT_RECEIVED,
}
RESPONSE_BY_DENIAL = {reason: code for code, reason in DENIAL_BY_RESPONSE.items()}
CREDIT = {"KA", "PA"}
REPLACEMENT = {"RA", "MW", "RF"}


# --- outbound -------------------------------------------------------------------------------


def build_180(*, event) -> dict[str, Any] | None:
    """The 180 request for a new claim; other events of the claim travel as collaboration documents."""
    if event.type != "case.created":
        return None
    case = event.case
    lines = list(CaseLine.objects.filter(case=case).order_by("position"))
    if not lines:
        return None
    first = lines[0].data
    claimed = sum(
        (line.quantity * Decimal(line.data.get("unit_price", "0")) for line in lines), Decimal(0)
    )
    return {
        "set_id": "180",
        "purpose": "00",
        "reference": case.reference,
        "date": timezone.localdate().isoformat(),
        "disposition": REQUESTED_DISPOSITION.get(first.get("claim_type", "")),
        "description": (event.payload.get("body") or "")
        .split("The customer says:")[-1]
        .strip()[:80]
        or None,
        "order_number": case.order_number or None,
        "currency": first.get("currency"),
        "claimed_amount": str(claimed.quantize(Decimal("0.01"))),
        "references": [{"qualifier": "RZ", "value": case.reference, "description": None}],
        "parties": [{"role": "SU", "name": case.partner.name[:60]}],
        "lines": [
            {
                "product_qualifier": "SK",
                "sku": line.sku,
                "quantity": str(line.quantity.normalize()),
                "unit": line.unit,
                "unit_price": line.data.get("unit_price"),
                "name": line.description or None,
                "reason": REQUEST_REASON.get(line.data.get("reason_code", ""), "NA"),
            }
            for line in lines
        ],
    }


# --- inbound --------------------------------------------------------------------------------


def _claim_case(actor, payload: dict[str, Any]) -> Case | None:
    claims = Case.objects.for_actor(actor).filter(kind=CaseKind.CLAIM)
    refs = [payload.get("original_reference")] + [
        r["value"] for r in payload.get("references") or [] if r.get("qualifier") == "RZ"
    ]
    for ref in filter(None, refs):
        number = str(ref).upper().removeprefix("CX-")
        if number.isdigit() and (case := claims.filter(pk=int(number)).first()):
            return case
    if payload.get("order_number"):
        return (
            claims.filter(order_number=payload["order_number"])
            .order_by("-is_open", "-created_at", "-id")
            .first()
        )
    return None


def _replacement_lines(payload: dict[str, Any], lines: list[CaseLine]) -> list[dict[str, Any]]:
    by_sku = {line.sku: line for line in lines}
    answers = []
    for bli in payload.get("lines") or []:
        line = by_sku.get(bli.get("sku"))
        if line is None or bli.get("disposition") == "RD":
            continue
        answer = {"line": line.position, "status": "accepted"}
        if bli.get("quantity") is not None:
            answer["quantity"] = f"{Decimal(str(bli['quantity'])).normalize():f}"
        answers.append(answer)
    return answers


def decision_from(
    payload: dict[str, Any], *, status: str, lines: list[CaseLine]
) -> tuple[str, dict, str] | None:
    """(transition, payload, comment) the 180 amounts to, or None when it decides nothing."""
    disposition = payload.get("disposition") or ""
    text = payload.get("description") or ""
    if disposition == "RD":
        reason = DENIAL_BY_RESPONSE.get(payload.get("response") or "", DenialReason.OTHER)
        step = "uphold_denial" if status == "disputed" else "deny"
        return step, {"denial_reason_code": reason, "denial_reason": text or reason.label}, ""
    if disposition in CREDIT or (
        payload.get("credit_amount") is not None and disposition not in REPLACEMENT
    ):
        data: dict[str, Any] = {"credit": "full"}
        if payload.get("credit_amount") is not None:
            data = {"credit": "partial", "amount": str(payload["credit_amount"])}
        if payload.get("currency"):
            data["currency"] = payload["currency"]
        if text:
            data["note"] = text
        return "approve_credit", data, ""
    if disposition in REPLACEMENT:
        data = {"lines": _replacement_lines(payload, lines)} if payload.get("lines") else {}
        if text:
            data["note"] = text
        return "approve_replacement", data, ""
    if disposition == "RP":
        return (
            "request_evidence",
            {},
            text or "More evidence is needed (X12 180, authorization pending).",
        )
    return None


def apply_180(*, actor, partner, payload: dict[str, Any], channel: str) -> tuple[Case, str]:
    """The partner's 180 on the claim it answers (inbound handler)."""
    case = _claim_case(actor, payload)
    if case is None:
        # The same words whether the claim does not exist or is another partner's.
        raise DomainError(f"no claim of {partner} matches this 180 ({payload.get('reference')})")
    with transaction.atomic():
        case = workspace.case_lock(case=case, actor=actor)
        lines = list(CaseLine.objects.filter(case=case).order_by("position"))
        decided = decision_from(payload, status=case.status, lines=lines)
        available = {
            t.name for t in workflow_for(case.kind).available(status=case.status, side=Side.PARTNER)
        }
        if decided is not None and decided[0] in available:
            step, data, comment = decided
            workspace.transition_take(
                case=case,
                actor=actor,
                channel=channel,
                transition=step,
                payload=data if workflow_for(case.kind).transition(step).payload_form else None,
                comment=comment,
            )
            return (
                case,
                f"180 {payload.get('reference')}: {step.replace('_', ' ')} on {case.reference}",
            )
        workspace.message_post(
            actor=actor,
            channel=channel,
            case=case,
            body=describe_180(payload),
            visibility=Visibility.PARTNER,
        )
    return case, f"180 {payload.get('reference')} posted on {case.reference}"


def describe_180(payload: dict[str, Any]) -> str:
    lines = [
        f"Return authorization (X12 180) {payload.get('reference')}: disposition {payload.get('disposition') or '—'}."
    ]
    if payload.get("credit_amount") is not None:
        lines.append(f"Credit {payload['credit_amount']} {payload.get('currency') or ''}".rstrip())
    if payload.get("description"):
        lines.append(str(payload["description"]))
    for bli in payload.get("lines") or []:
        lines.append(
            f"- {bli.get('sku')} × {bli.get('quantity')} {bli.get('disposition') or ''}".rstrip()
        )
    return "\n".join(lines)
