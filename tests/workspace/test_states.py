"""The state machine: every transition in the table works for its side, nothing else does."""

import pytest

from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.workspace import services
from apps.workspace.choices import CaseKind, Channel, Side
from apps.workspace.flows import flow_for, flows
from apps.workspace.models import Case, TimelineEvent
from apps.workspace.states import workflow_for
from tests.support.payloads import sample_payload

from .helpers import open_case

pytestmark = pytest.mark.django_db


def _force_status(case, status):
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()


@pytest.mark.parametrize("kind", [f.kind for f in flows()])
def test_every_pair_of_state_and_transition_follows_the_table(kind, retail_admin, user_a, partner_a):
    agent = retail_admin  # works every kind, whichever roles the flow names
    workflow = workflow_for(kind)
    case = open_case(agent, partner_a, kind=kind)
    for state in workflow.states:
        for step in workflow.transitions:
            for actor, side in ((agent, Side.RETAILER), (user_a, Side.PARTNER)):
                _force_status(case, state.name)
                allowed = state.name in step.sources and side in step.sides
                try:
                    services.case_transition(
                        actor=actor, channel=Channel.WEB, case=case, transition=step.name, comment="because",
                        payload=sample_payload(step),
                    )
                except (Conflict, NotAllowed):
                    assert not allowed, f"{side} {step.name} from {state.name} should be allowed"
                    case.refresh_from_db()
                    assert case.status == state.name
                else:
                    assert allowed, f"{side} {step.name} from {state.name} should be refused"
                    case.refresh_from_db()
                    assert case.status == step.target


def test_transition_records_timeline_and_moves_the_turn(agent, user_a, partner_a):
    case = open_case(agent, partner_a)
    assert case.turn == Side.PARTNER
    services.case_transition(actor=user_a, channel=Channel.WEB, case=case, transition="respond")
    case.refresh_from_db()
    assert (case.status, case.turn) == ("awaiting_retailer", Side.RETAILER)
    event = TimelineEvent.objects.filter(case=case, verb="transitioned").get()
    assert event.changes == [{"field": "status", "from": "Open", "to": "Waiting on retailer"}]
    assert event.actor == user_a and event.channel == Channel.WEB


def test_unknown_transition_and_missing_comment_are_refused(agent, partner_a):
    case = open_case(agent, partner_a)
    with pytest.raises(DomainError, match="Unknown transition"):
        services.case_transition(actor=agent, channel=Channel.WEB, case=case, transition="teleport")
    with pytest.raises(DomainError, match="comment"):
        services.case_transition(actor=agent, channel=Channel.WEB, case=case, transition="resolve")


def test_other_partner_cannot_transition(agent, partner_a, user_b):
    case = open_case(agent, partner_a)
    with pytest.raises(Case.DoesNotExist):
        services.case_transition(actor=user_b, channel=Channel.WEB, case=case, transition="respond")


def test_every_kind_has_a_registered_flow_with_a_consistent_workflow():
    for kind in CaseKind:
        workflow = flow_for(kind).workflow  # FlowNotRegistered names the kind without a flow
        names = {s.name for s in workflow.states}
        assert workflow.initial in names
        assert all(t.sources <= names and t.target in names for t in workflow.transitions)
