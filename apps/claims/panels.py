"""What the case page shows above the conversation for a claim: what is claimed, for how much,
the supplier's decision, the dispute, and the evidence-pack download."""

from django.urls import reverse

from apps.workspace.models import CaseLine

from .models import Claim, Decision


def claim_panel(*, request, case) -> dict:
    claim = Claim.objects.filter(case=case).first()
    lines = list(CaseLine.objects.filter(case=case))
    for line in lines:
        price = line.data.get("unit_price")
        line.unit_price = price
        try:
            line.line_value = (
                f"{float(price) * float(line.quantity):.2f}" if price is not None else ""
            )
        except (TypeError, ValueError):
            line.line_value = ""
    return {
        "claim": claim,
        "lines": lines,
        "decided": claim is not None and claim.decision != Decision.NONE,
        "pack_url": reverse("claims:evidence_pack", args=[case.pk]),
    }
