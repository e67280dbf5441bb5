"""seed_demo brings milestone cases in every state and shipments at every step, once."""

import pytest
from django.core.management import call_command

from apps.milestones import demo
from apps.milestones.models import Milestone, Step, TrackedShipment
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.models import Case

pytestmark = pytest.mark.django_db


def test_seed_demo_walks_every_state_and_every_step(settings):
    settings.SFCC_ENABLED = False
    call_command("seed_demo")
    for workflow in demo.WORKFLOWS:
        states = set(Case.objects.filter(kind=workflow.kind).values_list("status", flat=True))
        assert states == {state.name for state in workflow.states}
    steps = set(TrackedShipment.objects.values_list("status", flat=True))
    assert steps == {"", *Step.values}
    assert Milestone.objects.filter(
        channel=Channel.TRADING_GRID, document_ref__startswith="856"
    ).exists()
    assert Milestone.objects.filter(step="delivered", proofs__isnull=False).exists()
    assert Milestone.objects.exclude(exception_code="").exists()
    count = Milestone.objects.count()
    call_command("seed_demo")
    assert Milestone.objects.count() == count
    assert Case.objects.filter(kind=CaseKind.MILESTONE).count() == len(demo.SCENARIOS)
