"""Launches made through the services, as a merchandiser would make them."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.launches import services
from apps.workspace.choices import Channel


def make_launch(merchandiser, partners, *, days: int = 30, skus_per_partner: int = 2, **draft):
    skus = tuple(
        services.SkuDraft(
            sku=f"SKU-{p.code}-{n}",
            forecast_quantity=Decimal(100 + n),
            partner=p,
            description=f"Item {n}",
        )
        for p in partners
        for n in range(1, skus_per_partner + 1)
    )
    return services.launch_create(
        actor=merchandiser,
        channel=Channel.WEB,
        draft=services.LaunchDraft(
            name=draft.pop("name", "Spring drop"),
            go_live_at=draft.pop("go_live_at", timezone.now() + timedelta(days=days)),
            skus=skus,
            partners=tuple(draft.pop("partners", ())),
            **draft,
        ),
    )


def tick(actor, share, code, status="done", channel=Channel.WEB):
    from apps.workspace import services as workspace

    return workspace.case_transition(
        actor=actor,
        channel=channel,
        case=share.case,
        transition="update_checklist",
        payload={"item": code, "status": status},
    )


def flag(actor, share, sku, quantity="40", date="2026-12-20", channel=Channel.WEB):
    from apps.workspace import services as workspace

    return workspace.case_transition(
        actor=actor,
        channel=channel,
        case=share.case,
        transition="flag_constraint",
        payload={"sku": sku, "quantity_at_risk": quantity, "date": date, "note": "Port congestion"},
    )
