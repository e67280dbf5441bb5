"""seed_demo's drop-ship orders: every state the workflow reaches, walked by real steps, once."""

import pytest
from django.core.management import call_command

from apps.fulfillment.models import Dispatch, PartnerAgreement
from apps.fulfillment.states import DROPSHIP
from apps.workspace.models import Case, TimelineEvent

pytestmark = pytest.mark.django_db


def test_demo_dispatches_reach_every_state_and_a_second_run_changes_nothing(settings):
    settings.SFCC_ENABLED = False
    call_command("seed_demo")
    cases = Case.objects.filter(kind="dropship")
    before = list(cases.order_by("pk").values_list("pk", "status", "last_activity_at"))
    # "Not sent yet" lasts only inside the dispatch's own transaction.
    assert set(cases.values_list("status", flat=True)) == {s.name for s in DROPSHIP.states} - {
        "new"
    }
    assert PartnerAgreement.objects.count() == 4
    rejected = Dispatch.objects.get(case__status="rejected")
    assert Case.objects.get(pk=rejected.reroute_case_id).kind == "order_exception"
    for case in cases:
        assert TimelineEvent.objects.filter(case=case, verb="transitioned").exists()
    call_command("seed_demo")
    assert list(cases.order_by("pk").values_list("pk", "status", "last_activity_at")) == before
