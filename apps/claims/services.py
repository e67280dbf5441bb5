"""Writes of flow 5: open a claim, and the guards and effects of its workflow's steps.

Opening goes through the workspace's `case_create` and adds the claim row, its priced lines
and the customer's evidence in the same transaction. Guards refuse what the table alone
cannot (a credit above the claimed value, a second dispute, a dispute without new evidence);
effects keep the claim row's decision in step with the case, inside the step's transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils import timezone

from apps.core.errors import DomainError, NotAllowed
from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Side, Visibility
from apps.workspace.models import Case, CaseLine, FileVersion, TimelineEvent
from apps.workspace.services import CaseDraft, LineDraft
from apps.workspace.sides import side_of

from .forms import REPLACED
from .models import Claim, ClaimReason, ClaimSource, ClaimType, Decision

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class ClaimLineDraft:
    """A claimed line: the product, how many, and the unit price the customer paid."""

    sku: str
    quantity: Decimal
    unit_price: Decimal
    description: str = ""
    line_ref: str = ""  # SFCC's itemId


@dataclass(frozen=True)
class ClaimDraft:
    partner: Organization
    order_number: str
    claim_type: str
    reason_code: str
    description: str
    currency: str
    lines: tuple[ClaimLineDraft, ...]
    site_id: str = ""
    external_ref: str = ""
    priority: str = "normal"


def _check(draft: ClaimDraft) -> None:
    errors: dict[str, list[str]] = {}
    if draft.claim_type not in ClaimType.values:
        errors["claim_type"] = ["Choose return, damage or warranty."]
    if draft.reason_code not in ClaimReason.values:
        errors["reason_code"] = ["Choose a reason."]
    if not draft.description.strip():
        errors["description"] = ["Write what the customer told you."]
    if not draft.order_number.strip():
        errors["order_number"] = ["Name the order."]
    if len(draft.currency or "") != 3 or not draft.currency.isalpha():
        errors["currency"] = ["Give a three-letter currency code."]
    if not draft.lines:
        errors["lines"] = ["Claim at least one line."]
    for position, line in enumerate(draft.lines, start=1):
        if line.quantity is None or line.quantity <= 0:
            errors.setdefault("lines", []).append(
                f"Line {position}: the quantity must be above zero."
            )
        if line.unit_price is None or line.unit_price < 0:
            errors.setdefault("lines", []).append(f"Line {position}: give the unit price paid.")
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)


def claim_open(
    *,
    actor,
    channel: str,
    draft: ClaimDraft,
    evidence: Iterable[tuple[str, IO[bytes]]] = (),
    source: str | None = None,
) -> Case:
    """Open a claim with the supplier of the claimed lines; the customer's evidence is attached.

    The retailer opens claims (its agents, its API clients, SFCC); the supplier decides them.
    """
    if side_of(actor) != Side.RETAILER:
        raise NotAllowed("Only the retailer opens claims; the supplier decides them.")
    _check(draft)
    value = sum((line.quantity * line.unit_price for line in draft.lines), Decimal(0)).quantize(
        CENTS
    )
    claim_type = ClaimType(draft.claim_type)
    currency = draft.currency.upper()
    with transaction.atomic():
        case = workspace.case_create(
            actor=actor,
            channel=channel,
            draft=CaseDraft(
                kind=CaseKind.CLAIM,
                partner=draft.partner,
                subject=f"{claim_type.label} claim on order {draft.order_number}",
                order_number=draft.order_number,
                sku=draft.lines[0].sku,
                priority=draft.priority,
                body=(
                    f"{claim_type.label} claim: {ClaimReason(draft.reason_code).label}. "
                    f"Claimed value {value} {currency}. The customer says:\n\n{draft.description.strip()}"
                ),
                lines=tuple(
                    LineDraft(
                        sku=line.sku,
                        quantity=line.quantity,
                        description=line.description,
                        order_number=draft.order_number,
                        line_ref=line.line_ref,
                        # The claim's type and reason ride on each line too: a line is what an
                        # X12 180 carries (BLI with its own RDR), and it exists when case.created
                        # is announced, before the claim row does.
                        data={
                            "unit_price": str(line.unit_price.quantize(CENTS)),
                            "currency": currency,
                            "claim_type": draft.claim_type,
                            "reason_code": draft.reason_code,
                        },
                    )
                    for line in draft.lines
                ),
            ),
        )
        Claim.objects.create(
            case=case,
            partner=draft.partner,
            order_number=draft.order_number,
            site_id=draft.site_id,
            external_ref=draft.external_ref,
            source=source or _source_for(channel),
            claim_type=draft.claim_type,
            reason_code=draft.reason_code,
            description=draft.description.strip(),
            currency=currency,
            claimed_value=value,
        )
        for name, content in evidence:
            workspace.file_upload(
                actor=actor,
                channel=channel,
                case=case,
                name=name,
                content=content,
                note="Customer's evidence",
            )
    return case


def _source_for(channel: str) -> str:
    return {Channel.API: ClaimSource.API, Channel.SFCC: ClaimSource.SFCC}.get(
        channel, ClaimSource.AGENT
    )


# --- value of the claimed lines -------------------------------------------------------------


def _price(line: CaseLine) -> Decimal | None:
    try:
        return Decimal(str(line.data.get("unit_price")))
    except (InvalidOperation, TypeError, AttributeError):
        return None


def claimed_value(case: Case) -> Decimal | None:
    """The claimed lines' value at the prices paid; None for a claim whose lines carry no
    price (a plain conversation of this kind opened through the generic cases API)."""
    claim = Claim.objects.filter(case=case).first()
    if claim is not None:
        return claim.claimed_value
    lines = list(CaseLine.objects.filter(case=case))
    prices = [_price(line) for line in lines]
    if not lines or any(p is None for p in prices):
        return None
    return sum(
        (line.quantity * p for line, p in zip(lines, prices, strict=True)), Decimal(0)
    ).quantize(CENTS)


# --- guards (the workspace calls them after the payload form validated) ----------------------


def credit_refusal(case: Case, data: dict) -> str | None:
    claim = Claim.objects.filter(case=case).first()
    value = claimed_value(case)
    if value is None:
        return None
    currency = claim.currency if claim else ""
    if data.get("currency") and currency and data["currency"] != currency:
        return f"The claim is in {currency}: a credit in {data['currency']} is refused."
    amount = Decimal(str(data["amount"])) if data.get("amount") else value
    if amount > value:
        return (
            f"A credit of {amount} is more than the claimed lines' value of {value} {currency}".strip()
            + "."
        )
    return None


def dispute_refusal(case: Case, data: dict) -> str | None:
    claim = Claim.objects.filter(case=case).first()
    if claim is None:  # a plain conversation of this kind: only the once-only rule applies
        disputed = TimelineEvent.objects.filter(
            case=case, verb="transitioned", data__has_key="dispute_statement"
        )
        return "The denial was disputed once already." if disputed.exists() else None
    if claim.disputed_at is not None:
        return "The denial was disputed once already; a claim is disputed only once."
    since = claim.decided_at
    new_files = FileVersion.objects.filter(
        attachment__case=case,
        attachment__visibility=Visibility.PARTNER,
        **({"created_at__gt": since} if since else {}),
    ).select_related("uploaded_by")
    if not any(_retailer_upload(version) for version in new_files):
        return "Add new evidence (upload a file to the claim) before disputing the denial."
    return None


def _retailer_upload(version: FileVersion) -> bool:
    if version.uploaded_by is not None:
        return scope_of(version.uploaded_by).internal
    return version.channel == Channel.SFCC


# --- effects (inside the step's transaction, after the case moved) ----------------------------


def _decided(case: Case, **fields) -> None:
    Claim.objects.filter(case=case).update(decided_at=timezone.now(), **fields)


def replacement_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    lines = {line.position: line for line in CaseLine.objects.filter(case=case)}
    answers = {int(a["line"]): a for a in data.get("lines") or []}
    replaced = []
    for position, line in sorted(lines.items()):
        answer = answers.get(position)
        if answers and (answer is None or answer["status"] not in REPLACED):
            continue
        quantity = answer.get("quantity") if answer else None
        replaced.append(
            {
                "line": position,
                "sku": line.sku,
                "quantity": str(quantity or line.quantity.normalize()),
            }
        )
    _decided(
        case,
        decision=Decision.REPLACEMENT,
        replacement=replaced,
        credit_amount=None,
        credit_currency="",
        denial_reason_code="",
        denial_reason="",
    )


def credit_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    claim = Claim.objects.filter(case=case).first()
    amount = data.get("amount") or (claim.claimed_value if claim else None)
    _decided(
        case,
        decision=Decision.CREDIT,
        credit_amount=amount,
        credit_currency=data.get("currency") or (claim.currency if claim else ""),
        replacement=[],
        denial_reason_code="",
        denial_reason="",
    )


def denial_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    _decided(
        case,
        decision=Decision.DENIED,
        denial_reason_code=data.get("denial_reason_code", ""),
        denial_reason=data.get("denial_reason", ""),
        replacement=[],
        credit_amount=None,
        credit_currency="",
    )


def dispute_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    Claim.objects.filter(case=case).update(
        disputed_at=timezone.now(), dispute_statement=data.get("dispute_statement", "")
    )
