"""seed_demo's demand plan: answered as suppliers would, in part, with a substitute and a decline."""

import pytest
from django.core.management import call_command

from apps.allocations import demo, selectors
from apps.allocations.models import DemandPlan

pytestmark = pytest.mark.django_db


def test_the_demo_plan_holds_realistic_answers(settings):
    settings.SFCC_ENABLED = False
    call_command("seed_demo")
    plan = DemandPlan.objects.get(title=demo.TITLE)
    statuses = {
        row["partner__code"]: row["state_label"] for row in selectors.partner_summary(plan=plan)
    }
    assert statuses == {
        "SUP-001": "Answered: to review", "SUP-002": "Allocation confirmed",
        "SUP-003": "Waiting on partner's answer", "SUP-004": "Answered: to review",
    }  # fmt: skip
    totals = selectors.plan_totals(plan=plan)
    assert totals.substitutes_pending == 1 and totals.shortfall > 0
    assert DemandPlan.objects.filter(kind="priority").count() == 1
