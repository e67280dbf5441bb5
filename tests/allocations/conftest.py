"""Fixtures of flow 2: the SFCC simulator serving the catalog and inventory, planners, partners."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.allocations import services
from apps.partners.roles import Role
from apps.workspace.choices import Channel
from tests.factories import OrganizationFactory, internal_user, member
from tests.sfcc.conftest import launch, shared_sim  # noqa: F401  (the simulator, started once)

SKUS = ("TENT-2P", "MAT-1", "HDPN-BT", "HDPN-BT2", "DUVET-KING", "KETTLE-GOOSE")


@pytest.fixture
def sfcc(shared_sim, settings):  # noqa: F811
    """The simulator, reset to its demo catalog, and the portal pointed at it."""
    shared_sim.ctl("POST", "/reset")
    settings.SFCC_ENABLED = True
    settings.SFCC_BASE_URL = shared_sim.url
    settings.SFCC_AUTH_URL = f"{shared_sim.url}/dwsso/oauth2/access_token"
    settings.SFCC_OCAPI_BASE_URL = shared_sim.url
    settings.SFCC_WRITE_ALLOCATIONS = True
    return shared_sim


@pytest.fixture
def merch(db):
    return internal_user(Role.MERCHANDISER)


@pytest.fixture
def north(db):
    return OrganizationFactory(name="Northwind", code="SUP-N")


@pytest.fixture
def alpine(db):
    return OrganizationFactory(name="Alpine", code="SUP-A")


def need_by(days: int = 30) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def csv_file(text: str, name: str = "plan.csv") -> io.BytesIO:
    fh = io.BytesIO(text.encode())
    fh.name = name
    return fh


def plan_csv(*rows: tuple) -> str:
    lines = ["partner,sku,product_name,location,forecast_qty,need_by,priority"]
    lines += [",".join(str(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def draft_plan(merch, title="Black Friday outdoor", **extra):
    extra.setdefault("answer_by", timezone.now() + timedelta(days=3))
    return services.plan_create(
        actor=merch, draft=services.PlanDraft(title=title, kind="promotion", **extra)
    )


def published_plan(merch, north, alpine):
    """Two partners: Northwind three lines, Alpine two; published."""
    plan = draft_plan(merch)
    services.plan_lines_import(
        actor=merch, plan=plan, name="plan.csv",
        content=csv_file(plan_csv(
            (north.code, "TENT-2P", "", "", 100, need_by(), "high"),
            (north.code, "MAT-1", "", "", 50, need_by(), "normal"),
            (north.code, "HDPN-BT", "", "", 80, need_by(), "normal"),
            (alpine.code, "TENT-2P", "", "", 40, need_by(), "normal"),
            (alpine.code, "KETTLE-GOOSE", "", "", 20, need_by(), "low"),
        )),
    )  # fmt: skip
    services.plan_publish(actor=merch, channel=Channel.WEB, plan=plan)
    return plan


Q = Decimal
__all__ = ["Q", "SKUS", "csv_file", "draft_plan", "member", "need_by", "plan_csv", "published_plan"]
