"""Flow 4 over Trading Grid X12: the 850 and 860 we send, the 855, 865 and 870 partners send.

The connector runs for real: documents leave through the outbox and the deliverer into a
folder mailbox, and arrive through `poll_mailbox`, as in tests/tradinggrid.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from apps.fulfillment.edi import order_terms
from apps.fulfillment.models import ChangeRequest, Dispatch
from apps.partners.roles import Role
from apps.tradinggrid.edi import (
    get_mapping,
    parse_interchange,
    validate_interchanges,
    validate_x12_transaction,
)
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from apps.workspace.models import Case, LineAnswer, Message
from tests.factories import PASSWORD, member
from tests.tradinggrid.test_business import ack, partner_855, po_line, x12_from
from tests.tradinggrid.test_ledger import drain_outbox, folder_mailbox, tg_partner

from .conftest import dispatch_case, dropship_order, line

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "edi-samples" / "x12"


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner(code="SUP-TG1", name="Kestrel Drop-ship", tg_id="SUPTG1")


def dispatched(order_no: str, partner_code: str = "SUP-TG1") -> Case:
    dropship_order(
        order_no,
        line("SKU-1", 2, supplier=partner_code),
        line("SKU-2", 2, supplier=partner_code),
        c_requestedDeliveryDate="2026-12-24",
    )
    return dispatch_case(order_no)


def sent(mailbox, set_id: str) -> list:
    drain_outbox()
    rows = Interchange.objects.filter(direction=Direction.OUTBOUND, document_type=set_id).order_by(
        "id"
    )
    return [parse_interchange(mailbox.read(row.file_name)) for row in rows]


def body(interchange) -> tuple:
    [group] = interchange.groups
    [transaction] = group.transactions
    return transaction


# --- 850 out ---------------------------------------------------------------------------------


def test_our_850_passes_our_reader_and_reads_back_into_the_dispatch(partner, mailbox):
    case = dispatched("DS-3001")
    dispatch = Dispatch.objects.get(case=case)
    [interchange] = sent(mailbox, "850")
    raw = mailbox.read(Interchange.objects.get(document_type="850").file_name)
    [checked] = validate_interchanges(raw, validate=validate_x12_transaction)
    assert not checked.errors and not [i for g in checked.groups for i in g.errors]
    transaction = body(interchange)
    assert not validate_x12_transaction(transaction)
    order = get_mapping(standard="x12", set_id="850").to_domain(transaction)
    assert (order["order_type"], order["po_number"]) == ("DS", dispatch.po_number)

    terms = order_terms(order)
    assert terms["order_number"] == "DS-3001"
    assert terms["ship_to"] == dispatch.ship_to
    assert terms["ship_by"] == dispatch.ship_by and terms["deliver_by"] == date(2026, 12, 24)
    assert [(li["position"], li["sku"], li["quantity"]) for li in terms["lines"]] == [
        (li.position, li.sku, li.quantity) for li in case.lines.order_by("position")
    ]
    references = {(r["description"] or "").upper(): r["value"] for r in order["references"]}
    assert references["SHIPPING METHOD"] == "Express" and references["SERVICE LEVEL"] == "NEXT_DAY"
    assert any(r["value"] == "SIGNATURE REQUIRED" for r in order["references"])


def test_our_850_has_the_shape_of_the_public_samples(partner, mailbox):
    dispatched("DS-3002")
    ours = {s.id for s in body(sent(mailbox, "850")[0]).segments}
    for name in ("stupidedi-850.edi", "node-x12-850.edi"):
        theirs = {s.id for s in body(parse_interchange((SAMPLES / name).read_bytes())).segments}
        # Every segment we write is one real partners' 850s carry, and the core ones are shared.
        assert {"ST", "BEG", "PO1", "CTT", "SE"} <= ours & theirs
    assert ours <= {"ST", "BEG", "REF", "DTM", "N1", "N2", "N3", "N4", "PO1", "PID", "CTT", "SE"}


def test_the_public_850_samples_map_into_dispatch_terms():
    mapping = get_mapping(standard="x12", set_id="850")
    vics = order_terms(
        mapping.to_domain(body(parse_interchange((SAMPLES / "node-x12-850.edi").read_bytes())))
    )
    assert vics["po_number"] == "08292233294" and vics["deliver_by"] == date(2010, 12, 14)
    assert vics["ship_to"] == {
        "name": "XYZ RETAIL",
        "address1": "31875 SOLON RD",
        "city": "SOLON",
        "state_code": "OH",
        "postal_code": "44139",
    }
    assert [
        (li["position"], li["sku"], li["quantity"], li["description"]) for li in vics["lines"][:2]
    ] == [
        (1, "AB3542", Decimal(120), "SMALL WIDGET"),
        (2, "RD5322", Decimal(220), "MEDIUM WIDGET"),
    ]
    minimal = order_terms(
        mapping.to_domain(body(parse_interchange((SAMPLES / "stupidedi-850.edi").read_bytes())))
    )
    assert minimal["lines"] == [
        {"position": 1, "sku": "VENDORSKU", "quantity": Decimal(1), "unit": "EA", "description": ""}
    ]


# --- 855 in ----------------------------------------------------------------------------------


def state_of(case: Case) -> dict:
    """What a dispatch stores once answered, whoever answered it and however."""
    case.refresh_from_db()
    dispatch = Dispatch.objects.get(case=case)
    answers = [
        (
            a.line.position,
            a.status,
            a.quantity,
            a.date,
            a.substitute_sku,
            a.substitute_quantity,
            a.reason_code,
        )
        for a in LineAnswer.objects.filter(line__case=case).order_by("line__position", "id")
    ]
    return {
        "status": case.status,
        "turn": case.turn,
        "answer": dispatch.answer,
        "committed": dispatch.committed_ship_date,
        "answers": answers,
    }


def test_an_855_reaches_the_same_stored_state_as_an_answer_in_the_browser(partner, mailbox):
    by_page, by_edi = dispatched("DS-3003"), dispatched("DS-3004")
    client = Client()
    client.login(email=member(partner, Role.PARTNER_MEMBER).email, password=PASSWORD)
    response = client.post(
        f"/cases/{by_page.pk}/transition/",
        {
            "transition": "accept_in_part",
            "ship_date": "2026-12-08",
            "lines-1-status": "accepted",
            "lines-2-status": "backordered",
            "lines-2-quantity": "1",
            "lines-2-date": "2026-12-20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    po = Dispatch.objects.get(case=by_edi).po_number
    mailbox.arrive(
        "855.x12",
        partner_855(
            partner,
            po_line("1", "SKU-1", 2, ack("accepted", 2, date(2026, 12, 8))),
            po_line(
                "2",
                "SKU-2",
                2,
                ack("accepted", 1, date(2026, 12, 8)),
                ack("backordered", 1, date(2026, 12, 20)),
            ),
            po_number=po,
        ),
    )
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND, document_type="855")
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    assert inbound.case_id == by_edi.pk

    assert state_of(by_edi) == state_of(by_page)
    assert state_of(by_edi)["status"] == "partially_accepted"


@pytest.mark.parametrize(
    ("acks", "expected"),
    [
        ([ack("accepted", 2)], ("accepted", None, None, "")),
        (
            [ack("backordered", 2, date(2026, 12, 20))],
            ("backordered", Decimal(2), date(2026, 12, 20), ""),
        ),
        (
            [ack("partially_backordered", 1, date(2026, 12, 21))],
            ("backordered", Decimal(1), date(2026, 12, 21), ""),
        ),
        (
            [ack("date_rescheduled", 2, date(2026, 12, 22))],
            ("backordered", Decimal(2), date(2026, 12, 22), ""),
        ),
        (
            [ack("substituted", 2, None, product_ids=[{"qualifier": "SK", "id": "SKU-1B"}])],
            ("substituted", None, None, "SKU-1B"),
        ),
        ([ack("rejected", 2)], ("rejected", None, None, "")),
    ],
    ids=["IA", "IB", "BP", "DR", "IS", "IR"],
)
def test_each_855_line_status_becomes_a_line_answer(partner, mailbox, acks, expected):
    case = dispatched("DS-3005")
    po = Dispatch.objects.get(case=case).po_number
    mailbox.arrive(
        "855.x12",
        partner_855(
            partner,
            po_line("1", "SKU-1", 2, *acks),
            po_line("2", "SKU-2", 2, ack("accepted", 2)),
            po_number=po,
        ),
    )
    poll_mailbox()
    first = LineAnswer.objects.get(line__case=case, line__position=1)
    assert (first.status, first.quantity, first.date, first.substitute_sku) == expected
    case.refresh_from_db()
    assert case.status == ("accepted" if expected[0] == "accepted" else "partially_accepted")


def test_an_855_rejecting_the_order_opens_the_reroute(partner, mailbox):
    case = dispatched("DS-3006")
    po = Dispatch.objects.get(case=case).po_number
    mailbox.arrive(
        "855.x12",
        partner_855(
            partner,
            po_line("1", "SKU-1", 2, ack("rejected", 2)),
            po_line("2", "SKU-2", 2, ack("rejected", 2)),
            po_number=po,
        ),
    )
    poll_mailbox()
    dispatch = Dispatch.objects.get(case=case)
    assert Case.objects.get(pk=case.pk).status == "rejected"
    assert Case.objects.get(pk=dispatch.reroute_case_id).kind == "order_exception"


def test_an_855_for_a_shortage_still_reaches_the_order_exception(partner, mailbox):
    """The two flows share the 855: an order number that is no dispatch PO goes to flow 1."""
    exception = workspace.case_create(
        actor=_agent(),
        channel=Channel.WEB,
        draft=workspace.CaseDraft(
            kind="order_exception",
            partner=partner,
            subject="Short",
            order_number="PO-4711",
            lines=(workspace.LineDraft(sku="SKU-1", quantity=Decimal(10), order_number="PO-4711"),),
        ),
    )
    mailbox.arrive(
        "855.x12",
        partner_855(partner, po_line("1", "SKU-1", 10, ack("backordered", 4, date(2026, 3, 20)))),
    )
    poll_mailbox()
    exception.refresh_from_db()
    assert exception.status == "proposed"


def _agent():
    from tests.factories import internal_user

    return internal_user(Role.AGENT)


def test_the_public_855_sample_answers_the_dispatch_it_names(partner, mailbox):
    dropship_order("DS-3007", line("C000900237", 72, supplier="SUP-TG1"))
    case = dispatch_case("DS-3007")
    Dispatch.objects.filter(case=case).update(po_number="1D711419")  # the sample's BAK03
    transaction = body(parse_interchange((SAMPLES / "stupidedi-855.edi").read_bytes()))
    payload = get_mapping(standard="x12", set_id="855").to_domain(transaction)
    from apps.partners.actors import PartnerSystemActor
    from apps.workspace.flows import inbound_handler

    handler = inbound_handler("tradinggrid", ("x12", "855"))
    found, summary = handler(
        actor=PartnerSystemActor(partner, "Kestrel via Trading Grid"),
        partner=partner,
        payload=payload,
        channel=Channel.TRADING_GRID,
    )
    assert found == case and "accept" in summary
    dispatch = Dispatch.objects.get(case=case)
    assert (Case.objects.get(pk=case.pk).status, dispatch.answer) == ("accepted", "accepted")
    assert dispatch.committed_ship_date == dispatch.ship_by  # AT without dates: the agreed target
    assert LineAnswer.objects.get(line__case=case).status == "accepted"


# --- 860 out, 865 and 870 in -----------------------------------------------------------------


def test_a_change_goes_out_as_860_and_the_865_accepts_it(partner, mailbox):
    case = dispatched("DS-3008")
    agent = _agent()
    workspace.case_transition(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        transition="request_change",
        payload={"change": "cancel_lines", "positions": "2", "detail": "Customer removed it."},
    )
    [interchange] = sent(mailbox, "860")
    change = get_mapping(standard="x12", set_id="860").to_domain(body(interchange))
    dispatch = Dispatch.objects.get(case=case)
    assert (change["purpose"], change["po_number"], change["change_number"]) == (
        "change",
        dispatch.po_number,
        "1",
    )
    assert [(li["line_number"], li["change"]) for li in change["lines"]] == [("2", "delete_item")]

    answer = get_mapping(standard="x12", set_id="865").from_domain(
        {
            "acknowledgment_type": "AC",
            "po_number": dispatch.po_number,
            "change_number": "1",
            "po_date": dispatch.dispatched_at.date(),
            "messages": ["Line 2 removed."],
            "lines": [
                {
                    "line_number": "1",
                    "acknowledgments": [
                        {
                            "status": "accepted",
                            "quantity": 2,
                            "promised_ship_date": date(2026, 12, 9),
                        }
                    ],
                }
            ],
        }
    )
    mailbox.arrive("865.x12", x12_from(partner, "865", "CA", answer))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND, document_type="865")
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    case.refresh_from_db()
    assert case.status == "accepted"
    assert ChangeRequest.objects.get(case=case).outcome == "accepted"
    assert [
        (a.line.position, a.status)
        for a in LineAnswer.objects.filter(line__case=case).order_by("line__position")
    ] == [(1, "accepted"), (2, "rejected")]
    assert Dispatch.objects.get(case=case).committed_ship_date == date(2026, 12, 9)


def test_an_865_refusing_a_cancellation(partner, mailbox):
    case = dispatched("DS-3009")
    workspace.case_transition(
        actor=_agent(),
        channel=Channel.WEB,
        case=case,
        transition="request_change",
        payload={"change": "cancel"},
    )
    po = Dispatch.objects.get(case=case).po_number
    answer = get_mapping(standard="x12", set_id="865").from_domain(
        {
            "acknowledgment_type": "RJ",
            "po_number": po,
            "po_date": "2026-12-01",
            "messages": ["Already shipped."],
        }
    )
    mailbox.arrive("865.x12", x12_from(partner, "865", "CA", answer))
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "change_refused"
    assert ChangeRequest.objects.get(case=case).outcome_note == "Already shipped."


def test_an_870_status_report_is_kept_and_posted(partner, mailbox):
    case = dispatched("DS-3010")
    po = Dispatch.objects.get(case=case).po_number
    report = get_mapping(standard="x12", set_id="870").from_domain(
        {
            "report_type": "2",
            "selection": "PP",
            "report_number": "R-77",
            "report_date": "2026-12-06",
            "orders": [
                {
                    "po_number": po,
                    "status": "in_process",
                    "status_date": "2026-12-06",
                    "lines": [
                        {
                            "line_number": "1",
                            "quantity": 2,
                            "unit": "EA",
                            "status": "shipped",
                            "status_date": "2026-12-06",
                        },
                        {
                            "line_number": "2",
                            "quantity": 2,
                            "unit": "EA",
                            "status": "backordered",
                            "status_date": "2026-12-20",
                        },
                    ],
                }
            ],
        }
    )
    mailbox.arrive("870.x12", x12_from(partner, "870", "RS", report))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND, document_type="870")
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    kept = Dispatch.objects.get(case=case).last_status_report
    assert kept["status"] == "in_process" and kept["lines"][1]["date"] == "2026-12-20"
    message = Message.objects.get(case=case, channel=Channel.TRADING_GRID)
    assert "line 2: backordered (2026-12-20)" in message.body


@pytest.mark.parametrize("set_id", ["860", "865", "870"])
def test_change_mappings_read_back_what_they_write(set_id):
    payloads = {
        "860": {
            "purpose": "change",
            "order_type": "DS",
            "po_number": "DS00000001",
            "release_number": None,
            "change_number": "2",
            "po_date": date(2026, 12, 1),
            "change_date": date(2026, 12, 2),
            "messages": ["Change quantities"],
            "parties": [],
            "line_count": 1,
            "lines": [
                {
                    "line_number": "1",
                    "change": "quantity_decrease",
                    "quantity": Decimal(1),
                    "quantity_left": Decimal(1),
                    "unit": "EA",
                    "unit_price": None,
                    "product_ids": [{"qualifier": "SK", "id": "SKU-1"}],
                }
            ],
        },
        "865": {
            "purpose": "original",
            "acknowledgment_type": "AC",
            "po_number": "DS00000001",
            "release_number": None,
            "change_number": "2",
            "po_date": date(2026, 12, 1),
            "messages": [],
            "line_count": None,
            "lines": [
                {
                    "line_number": "1",
                    "change": None,
                    "quantity": None,
                    "quantity_left": None,
                    "unit": None,
                    "unit_price": None,
                    "product_ids": [],
                    "acknowledgments": [
                        {
                            "status": "backordered",
                            "quantity": Decimal(1),
                            "unit": "EA",
                            "promised_ship_date": date(2026, 12, 20),
                            "product_ids": [],
                        }
                    ],
                }
            ],
        },
        "870": {
            "report_type": "2",
            "selection": "PP",
            "report_number": "R-1",
            "report_date": date(2026, 12, 6),
            "messages": [],
            "orders": [
                {
                    "po_number": "DS00000001",
                    "po_date": None,
                    "status": "shipped",
                    "status_code": "SH",
                    "status_date": date(2026, 12, 6),
                    "lines": [],
                }
            ],
        },
    }
    mapping = get_mapping(standard="x12", set_id=set_id)
    body_segments = mapping.from_domain(payloads[set_id])
    interchange = parse_interchange(
        x12_from(
            tg_partner(), set_id, {"860": "PC", "865": "CA", "870": "RS"}[set_id], body_segments
        )
    )
    transaction = body(interchange)
    assert not validate_x12_transaction(transaction)
    assert mapping.to_domain(transaction) == {"set_id": set_id, **payloads[set_id]}
