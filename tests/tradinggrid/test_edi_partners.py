"""What partners and the ledger see of our EDI: the 997 and the ledger agree, and each partner's
files are read and written in its own character set."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from apps.core.errors import DomainError
from apps.partners.roles import Role
from apps.tradinggrid import services
from apps.tradinggrid.edi import get_mapping, parse_interchange, read_acknowledgement, segment
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, PartnerProfile, Status
from tests.factories import internal_user
from tests.tradinggrid.test_business import (
    ack,
    order_exception,
    po_line,
    x12_from,
)
from tests.tradinggrid.test_inbound import our_ack
from tests.tradinggrid.test_ledger import drain_outbox, folder_mailbox, tg_partner

BUILT = Path(__file__).resolve().parents[1] / "data" / "edi-built"


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


def an_855_with(partner, *extra) -> bytes:
    """A valid 855 for the PO-4711 case, with `extra` segments after its BAK."""
    body = get_mapping(standard="x12", set_id="855").from_domain(
        {
            "purpose": "00",
            "acknowledgment_type": "AC",
            "po_number": "PO-4711",
            "po_date": date(2026, 3, 1),
            "lines": [po_line("1", "SKU-1", 10, ack("accepted", 10, date(2026, 3, 5)))],
            "line_count": 1,
        }
    )
    return x12_from(partner, "855", "PR", [body[0], *extra, *body[1:]])


def ledger_answer(client, inbound: Interchange) -> str:
    client.force_login(internal_user(Role.OPERATIONS))
    page = client.get(reverse("tradinggrid:interchange_detail", args=[inbound.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index("We answered")
    return html[start : html.index("</dd>", start)]


# --- The ledger says what the 997 says --------------------------------------------------------


def test_the_ledger_answer_is_the_status_our_997_carries(client, partner, mailbox, test_order_flow):
    # BEG belongs to the 850: our 997 reports it (AK3 code 6) and says E, and so does the row,
    # although the flow applied the 855 without complaint.
    order_exception(partner)
    mailbox.arrive("855.x12", an_855_with(partner, segment("BEG", "00", "NE", "X", "", "20260301")))

    poll_mailbox()

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.ack_status == "E"
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "BEG is not a segment of the 855" in inbound.status_detail
    status, data = our_ack(inbound, mailbox)
    [group] = read_acknowledgement(data).groups
    [acked] = group.transactions
    assert (status, group.status) == ("E", "E")
    assert [(s.segment_id, s.index, s.code) for s in acked.segment_errors] == [("BEG", 3, "6")]
    inbound.refresh_from_db()
    assert inbound.ack_status == "E"
    assert "E" in ledger_answer(client, inbound)


def test_a_valid_855_with_csh_is_answered_a_in_the_997_and_the_ledger(
    client, partner, mailbox, test_order_flow
):
    order_exception(partner)
    mailbox.arrive("855.x12", (BUILT / "855-csh.edi").read_bytes())

    poll_mailbox()

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    status, _ = our_ack(inbound, mailbox)
    inbound.refresh_from_db()
    assert status == inbound.ack_status == "A"
    assert "A" in ledger_answer(client, inbound)


# --- Each partner's character set -------------------------------------------------------------


def test_a_latin1_partners_855_is_read_in_latin1(partner, mailbox, test_order_flow):
    PartnerProfile.objects.create(organization=partner, encoding="iso8859-1")
    order_exception(partner)
    mailbox.arrive("855.x12", (BUILT / "855-latin1.edi").read_bytes())

    poll_mailbox()

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    status, _ = our_ack(inbound, mailbox)
    assert status == "A"


def test_a_latin1_855_from_a_utf8_partner_is_refused_naming_the_setting(partner, mailbox):
    mailbox.arrive("855.x12", (BUILT / "855-latin1.edi").read_bytes())

    poll_mailbox()

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.QUARANTINED
    assert "not utf-8" in inbound.status_detail
    assert "character set" in inbound.status_detail


def test_a_latin1_partner_gets_our_850_in_latin1(partner, mailbox):
    from tests.tradinggrid.test_business import ORDER_850

    PartnerProfile.objects.create(organization=partner, encoding="iso8859-1")
    order = {**ORDER_850, "parties": [{**ORDER_850["parties"][0], "name": "CAFÉ MÜLLER"}]}
    services.business_document_enqueue(partner=partner, standard="x12", set_id="850", body=order)

    drain_outbox()

    [name] = mailbox.sent()
    data = mailbox.read(name)
    assert b"N1*ST*CAF\xc9 M\xdcLLER" in data
    [transaction] = list(parse_interchange(data, encoding="latin-1").transactions)
    assert (
        get_mapping(standard="x12", set_id="850").to_domain(transaction)["parties"][0]["name"]
        == "CAFÉ MÜLLER"
    )


def test_what_the_partners_character_set_cannot_carry_is_refused_before_queueing(partner):
    from tests.tradinggrid.test_business import ORDER_850

    PartnerProfile.objects.create(organization=partner, encoding="iso8859-1")
    order = {**ORDER_850, "parties": [{**ORDER_850["parties"][0], "name": "ŁÓDŹ STORE"}]}
    with pytest.raises(DomainError, match=r"cannot carry"):
        services.business_document_enqueue(
            partner=partner, standard="x12", set_id="850", body=order
        )


def test_operations_choose_a_partners_character_set(client, partner):
    client.force_login(internal_user(Role.OPERATIONS))
    url = reverse("tradinggrid:partner_settings", args=[partner.pk])
    assert "Character set" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "channel": partner.channel,
            "edi_standard": "x12",
            "edi_version": "004010",
            "encoding": "iso8859-1",
        },
    )
    assert response.status_code == 302
    assert PartnerProfile.objects.get(organization=partner).encoding == "iso8859-1"
