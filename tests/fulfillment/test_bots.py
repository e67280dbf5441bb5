"""The simulator's order desk answers our 850 with an 855 the portal applies as the partner's answer."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.fulfillment.models import Dispatch
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace.models import LineAnswer
from simulators.tradinggrid import purchase_orders
from simulators.tradinggrid.participants import Address
from simulators.tradinggrid.x12 import read_segments
from tests.tradinggrid.test_ledger import drain_outbox

from .test_edi import dispatched, mailbox, partner  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def po_number_answered(kind: str) -> str:
    return next(
        f"DS{n:08d}" for n in range(1, 500) if purchase_orders.answer_kind(f"DS{n:08d}") == kind
    )


def test_the_answer_is_fixed_per_po_and_covers_accept_partial_and_late():
    kinds = {purchase_orders.answer_kind(f"DS{n:08d}") for n in range(1, 100)}
    assert kinds == {"accept", "partial", "late"}
    assert purchase_orders.answer_kind("DS00000007") == purchase_orders.answer_kind("DS00000007")


@pytest.mark.parametrize("kind", ["accept", "partial"])
def test_the_bot_reads_our_850_and_its_855_answers_the_dispatch(partner, mailbox, kind):  # noqa: F811
    case = dispatched("DS-5001")
    drain_outbox()
    sent = Interchange.objects.get(direction=Direction.OUTBOUND, document_type="850")
    text = mailbox.read(sent.file_name).decode("latin-1")
    [po] = purchase_orders.purchase_orders(read_segments(text)[1])
    assert po.po_number == Dispatch.objects.get(case=case).po_number and len(po.lines) == 2

    answer = purchase_orders.write_855(
        po=po,
        kind=kind,
        sender=Address("ZZ", partner.tg_id),
        receiver=Address("ZZ", "CROSSDOCK"),
        control_number=4242,
        usage="P",
        now=NOW,
    )
    mailbox.arrive("855.x12", answer.encode("latin-1"))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND, document_type="855")
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    case.refresh_from_db()
    dispatch = Dispatch.objects.get(case=case)
    assert dispatch.committed_ship_date == NOW.date() + timedelta(days=purchase_orders.SHIP_DAYS)
    last = LineAnswer.objects.filter(line__case=case, line__position=2).get()
    if kind == "accept":
        assert case.status == "accepted" and last.status == "accepted"
    else:
        assert case.status == "partially_accepted"
        assert (last.status, last.quantity) == ("backordered", 1)
        assert last.date == NOW.date() + timedelta(days=purchase_orders.BACKORDER_DAYS)


def test_a_collaboration_partners_bot_accepts_the_dispatch_in_full_in_part_or_late(mailbox, db):  # noqa: F811
    from apps.partners.roles import EdiStandard
    from simulators.tradinggrid import answers
    from tests.tradinggrid.test_bots import answer_from_the_bot, sent_to_partner
    from tests.tradinggrid.test_ledger import tg_partner

    # An EDIFACT partner gets no X12 850: it answers the collaboration document of the case.
    desk = tg_partner(
        code="SUP-TG1", name="Meridian Drop-ship", tg_id="SUPTG1", edi_standard=EdiStandard.EDIFACT
    )
    seen = set()
    for number in range(1, 40):  # case ids are random: until every kind of answer came
        if seen == {"accept", "partial", "late"}:
            break
        case = dispatched(f"DS-52{number:02d}")
        document = sent_to_partner(mailbox, "case.created")
        assert (
            document["case"]["kind"] == "dropship" and len(document["event"]["data"]["lines"]) == 2
        )
        choice = answers.dispatch_choice(document)
        answer_from_the_bot(desk, mailbox, document, start=700 + 10 * number)
        case.refresh_from_db()
        expected = {"accept": "accepted", "late": "accepted", "partial": "partially_accepted"}[
            choice
        ]
        assert case.status == expected, (choice, case.status)
        seen.add(choice)
    assert seen == {"accept", "partial", "late"}
