"""seed_demo's launches: two launches with partners' answers, the board telling the story."""

import pytest
from django.core.management import call_command

from apps.launches.models import Launch
from apps.launches.selectors import launch_board

pytestmark = pytest.mark.django_db


def test_seed_demo_makes_two_launches_with_realistic_answers(settings):
    settings.SFCC_ENABLED = False
    call_command("seed_demo")
    spring = Launch.objects.get(name="Spring Outdoor 2027")
    board = launch_board(launch=spring)
    states = {row.share.partner.code: row.state_label for row in board.rows}
    assert states == {
        "SUP-001": "Constraint flagged",
        "SUP-002": "Preparing",
        "WH-001": "Preparing",
        "CAR-001": "Confirmed ready",
    }
    assert board.summary.verdict == "no_go" and board.summary.open_constraints == 1
    assert any(cell.state == "review" for row in board.rows for cell in row.cells)
    holiday = Launch.objects.get(name="Holiday Home Collection")
    assert holiday.share_totals and holiday.shares.count() == 2
    call_command("seed_demo")
    assert Launch.objects.count() == 2
