"""The simulator's warehouse bot reports accepted and packed, then sends an 856; the portal takes all three."""

from datetime import UTC, datetime

import pytest

from apps.milestones.models import Milestone, ShipmentItem, TrackedShipment
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace.choices import Channel
from simulators.tradinggrid import ship_notices
from simulators.tradinggrid.participants import Address
from tests.tradinggrid.test_bots import answer_from_the_bot, sent_to_partner
from tests.tradinggrid.test_ledger import folder_mailbox, tg_partner

from .helpers import tracked

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


def test_the_bots_milestones_and_ship_notice_move_the_shipment_to_shipped(agent, mailbox):
    partner = tg_partner()
    case = tracked(agent, partner, shipments=("SHP-1", "SHP-2"))
    opened = sent_to_partner(mailbox, "case.created")
    assert ship_notices.references(opened) == ("00088001", ["SHP-1", "SHP-2"])

    answer_from_the_bot(partner, mailbox, opened)
    steps = list(
        Milestone.objects.order_by("id").values_list("shipment__reference", "step", "channel")
    )
    assert steps == [
        ("SHP-1", "accepted", Channel.TRADING_GRID),
        ("SHP-1", "packed", Channel.TRADING_GRID),
        ("SHP-2", "accepted", Channel.TRADING_GRID),
        ("SHP-2", "packed", Channel.TRADING_GRID),
    ]

    notice = ship_notices.write_856(
        document=opened,
        sender=Address("ZZ", partner.tg_id),
        receiver=Address("ZZ", "CROSSDOCK"),
        control_number=901,
        now=datetime.now(UTC),
    )
    mailbox.arrive("856-bot.x12", notice.encode())
    poll_mailbox()
    inbound = Interchange.objects.filter(direction=Direction.INBOUND).order_by("-id").first()
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    shipments = {s.reference: s for s in TrackedShipment.objects.filter(case=case)}
    assert {ref: s.status for ref, s in shipments.items()} == {
        "SHP-1": "shipped",
        "SHP-2": "shipped",
    }
    assert shipments["SHP-1"].tracking_number == ship_notices.tracking_number("00088001", "SHP-1")
    assert shipments["SHP-1"].carrier == "UPSN"
    assert (
        ShipmentItem.objects.filter(shipment__case=case).exists() is False
    )  # the case has no lines to pack
    case.refresh_from_db()
    assert case.status == "in_progress"
