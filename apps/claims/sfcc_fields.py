"""The `c_` attributes a claim writes on its SFCC order, read by the SFCC connector through the
flow registry. None clears an attribute (a disputed denial no longer stands as the answer).

The names are listed in docs/claims.md and docs/sfcc-integration.md; the storefront defines
them on Order (and Basket) as SFCC requires of custom attributes.
"""

from apps.workspace.models import CaseLine

from .models import Claim, Decision

TEXT_MAX = 2000


def replacement_text(replacement: list[dict]) -> str | None:
    """ "TENT-2P × 1; MAT-1 × 2": what SFCC's service agents read."""
    return "; ".join(f"{r['sku']} × {r['quantity']}" for r in replacement)[:TEXT_MAX] or None


def claim_attributes(*, case, event_payload: dict) -> dict:
    claim = Claim.objects.filter(case=case).first()
    if claim is None:
        # case.created is announced before the claim row is written; its lines know the type.
        line = CaseLine.objects.filter(case=case).order_by("position").first()
        claim_type = line.data.get("claim_type") if line is not None else None
        return {"c_crossdockClaimType": claim_type} if claim_type else {}
    return {
        "c_crossdockClaimType": claim.claim_type,
        "c_crossdockClaimDecision": claim.decision or None,
        "c_crossdockClaimCreditAmount": (
            float(claim.credit_amount)
            if claim.decision == Decision.CREDIT and claim.credit_amount
            else None
        ),
        "c_crossdockClaimCreditCurrency": (
            claim.credit_currency or None if claim.decision == Decision.CREDIT else None
        ),
        "c_crossdockClaimReplacement": (
            replacement_text(claim.replacement) if claim.decision == Decision.REPLACEMENT else None
        ),
        "c_crossdockClaimDenialReason": (
            f"{claim.get_denial_reason_code_display()}: {claim.denial_reason}"[:TEXT_MAX]
            if claim.decision == Decision.DENIED
            else None
        ),
        "c_crossdockClaimDisputed": claim.disputed_at is not None,
    }
