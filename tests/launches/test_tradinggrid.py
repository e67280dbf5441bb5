"""Checklists over Trading Grid (collaboration 1.1), both ways, through the real mailbox poll.

The invitation leaves as case.created with the partner's SKUs as lines; the partner's system
ticks items and flags constraints with case.transitioned documents carrying a payload, which
the same forms check as on the page; a payload they refuse is answered with errors and
changes nothing.
"""

import json
import zlib

import pytest

from apps.launches.models import Constraint, ItemStatus
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace.choices import Channel
from tests.tradinggrid.test_inbound import our_ack
from tests.tradinggrid.test_ledger import (
    drain_outbox,
    folder_mailbox,
    partner_document,
    sent_document,
    tg_partner,
)

from .helpers import make_launch

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


def step(partner, case, transition, to_status, payload, start):
    return partner_document(
        partner,
        case,
        event_type="case.transitioned",
        start=start,
        event_data={"transition": transition, "to_status": to_status, "payload": payload},
    )


def test_partner_system_ticks_and_flags_through_the_mailbox(mailbox, merchandiser):
    partner = tg_partner()
    launch = make_launch(merchandiser, [partner])
    share = launch.shares.get()
    drain_outbox()
    invitation = json.loads(mailbox.read(sent_document(share.case).file_name))
    assert invitation["case"]["kind"] == "launch"
    assert [line["sku"] for line in invitation["event"]["data"]["lines"]] == [
        f"SKU-{partner.code}-1",
        f"SKU-{partner.code}-2",
    ]

    mailbox.arrive(
        "tick.json",
        step(
            partner,
            share.case,
            "update_checklist",
            "preparing",
            {"item": "inventory", "status": "done", "note": "In DC"},
            600,
        ),
    )
    mailbox.arrive(
        "flag.json",
        step(
            partner,
            share.case,
            "flag_constraint",
            "constrained",
            {"sku": f"SKU-{partner.code}-2", "quantity_at_risk": 80, "date": "2027-02-01"},
            700,
        ),
    )
    mailbox.arrive(
        "bad.json",
        step(
            partner,
            share.case,
            "update_checklist",
            "preparing",
            {"item": "spaceship", "status": "done"},
            800,
        ),
    )
    poll_mailbox()

    item = share.items.get(code="inventory")
    assert (item.status, item.updated_label != "") == (ItemStatus.DONE, True)
    constraint = Constraint.objects.get(share=share)
    assert (constraint.sku, constraint.quantity_at_risk, constraint.channel) == (
        f"SKU-{partner.code}-2",
        80,
        Channel.TRADING_GRID,
    )
    share.case.refresh_from_db()
    assert share.case.status == "constrained"
    rows = {row.file_name: row for row in Interchange.objects.filter(direction=Direction.INBOUND)}
    assert (
        rows["tick.json"].status == Status.ACCEPTED and rows["flag.json"].status == Status.ACCEPTED
    )
    assert rows["bad.json"].status != Status.ACCEPTED
    status, _ = our_ack(rows["bad.json"], mailbox)
    assert status == "E"
    assert share.items.exclude(code="inventory").filter(status=ItemStatus.DONE).count() == 0


def test_the_simulators_partner_bot_ticks_the_checklist_and_sometimes_flags_a_constraint(
    mailbox, merchandiser
):
    from tests.tradinggrid.test_bots import answer_from_the_bot

    partners = [tg_partner(name=f"Bot partner {n}", tg_id=f"SUP00{n}") for n in range(1, 4)]
    launch = make_launch(merchandiser, partners, skus_per_partner=3)
    flagged = 0
    for number, partner in enumerate(partners):
        share = launch.shares.get(partner=partner)
        opening = [
            d for d in _sent(mailbox) if d["case"]["public_id"] == str(share.case.public_id)
        ][0]
        answer_from_the_bot(partner, mailbox, opening, start=1000 + 100 * number)
        refused = Interchange.objects.filter(direction=Direction.INBOUND).exclude(
            status=Status.ACCEPTED
        )
        assert not refused.exists(), [r.status_detail for r in refused]
        done = set(share.items.filter(status=ItemStatus.DONE).values_list("code", flat=True))
        if Constraint.objects.filter(share=share).exists():
            flagged += 1
            assert done == {"packaging", "fulfilment"}
        else:
            assert done == {"inventory", "packaging", "fulfilment"}
    expected = sum(
        1
        for p in partners
        if zlib.crc32(str(launch.shares.get(partner=p).case.public_id).encode()) % 3 == 0
    )
    assert flagged == expected


def test_the_bot_flags_a_constraint_for_about_one_case_in_three():
    from datetime import date

    from simulators.tradinggrid import answers

    def opening(public_id):
        return {
            "case": {"public_id": public_id, "kind": "launch"},
            "event": {
                "type": "case.created",
                "data": {"lines": [{"sku": "SKU-9", "quantity": "100"}]},
            },
        }

    ids = [f"case-{n}" for n in range(30)]
    flagging = [i for i in ids if zlib.crc32(i.encode()) % 3 == 0]
    assert 0 < len(flagging) < len(ids)
    [first] = answers.answers_for(opening(flagging[0]), partner_name="P", today=date(2027, 1, 1))
    assert first.transition == "flag_constraint" and first.payload["sku"] == "SKU-9"
    assert first.payload["quantity_at_risk"] == "30"
    assert [a.payload["item"] for a in first.then] == ["packaging", "fulfilment"]
    calm = next(i for i in ids if i not in flagging)
    [first] = answers.answers_for(opening(calm), partner_name="P", today=date(2027, 1, 1))
    assert [first.payload["item"], *(a.payload["item"] for a in first.then)] == [
        "inventory",
        "packaging",
        "fulfilment",
    ]


def _sent(mailbox) -> list[dict]:
    drain_outbox()
    return [
        json.loads(mailbox.read(n))
        for n in mailbox.sent()
        if n.endswith(".json") and json.loads(mailbox.read(n))["event"]["type"] == "case.created"
    ]
