"""Claims made as the agent makes them: through the claim service, with priced lines and photos."""

import io
from decimal import Decimal

from apps.claims import services
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from tests.workspace.helpers import PNG_BYTES


def photo(name="damage.png"):
    fh = io.BytesIO(PNG_BYTES)
    fh.name = name
    return fh


def open_claim(
    agent, partner, *, claim_type="damage", photos=1, lines=None, order_number="00004711"
):
    lines = lines or (
        services.ClaimLineDraft(
            sku="TENT-2P", quantity=Decimal(2), unit_price=Decimal("249.00"), description="Tent"
        ),
        services.ClaimLineDraft(
            sku="MAT-1", quantity=Decimal(1), unit_price=Decimal("59.00"), description="Mat"
        ),
    )
    return services.claim_open(
        actor=agent,
        channel=Channel.WEB,
        draft=services.ClaimDraft(
            partner=partner,
            order_number=order_number,
            claim_type=claim_type,
            reason_code="damaged_in_transit",
            description="The box was crushed and the tent pole snapped.",
            currency="USD",
            lines=lines,
        ),
        evidence=[(f"photo-{i}.png", photo()) for i in range(photos)],
    )


def step(actor, case, transition, *, payload=None, comment="", channel=Channel.WEB):
    return workspace.case_transition(
        actor=actor,
        channel=channel,
        case=case,
        transition=transition,
        payload=payload,
        comment=comment,
    )


DENIAL = {"denial_reason_code": "misuse", "denial_reason": "The pole was bent by force."}
