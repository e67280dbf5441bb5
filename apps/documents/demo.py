"""seed_demo: requirements for the demo partners, and document requests in every review state.

Each request is walked to its state by real steps (submit, review, reject, correct, renew),
so its timeline and versions tell the story. Requests a partner must still act on are with
the portal-only partner (SUP-002): the Trading Grid simulator's bots answer the others'.
A second run finds each scenario's case and changes nothing.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.partners.demo import register_seeder
from apps.partners.models import Membership, Organization
from apps.partners.roles import Role
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.models import Case

from . import services
from .models import DocumentRequest, DocumentRequirement
from .states import TRADE_DOCUMENT

AGENT_EMAIL = "agent@crossdock.test"
WORKFLOWS = (TRADE_DOCUMENT,)  # every state has a scenario (tests/documents)


def pdf(title: str) -> io.BytesIO:
    """A one-page PDF that says what it is (readable in the browser's viewer)."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("Helvetica", size=14)
    document.multi_cell(0, 10, title)
    return io.BytesIO(bytes(document.output()))


def _today():
    return timezone.localdate()


REQUIREMENTS = (
    # partner, type, origin, destination, order type, needed before shipping, per shipment, instructions
    (
        "SUP-004",
        "certificate_of_origin",
        "",
        "",
        "",
        True,
        False,
        "Kestrel ships from Shanghai: a certificate of origin signed by CCPIT, valid on the ship date.",
    ),
    (
        "SUP-004",
        "commercial_invoice",
        "",
        "",
        "",
        True,
        False,
        "Values per line in USD, HS codes included.",
    ),
    (
        "SUP-003",
        "packing_list",
        "",
        "",
        "",
        False,
        True,
        "One packing list per shipment, cartons numbered.",
    ),
    (
        "SUP-002",
        "compliance_approval",
        "",
        "",
        "b2b",
        True,
        False,
        "Product safety approval for B2B orders.",
    ),
)


def requirements_seed() -> None:
    for (
        code,
        doc_type,
        origin,
        destination,
        order_type,
        blocking,
        per_shipment,
        text,
    ) in REQUIREMENTS:
        DocumentRequirement.objects.get_or_create(
            partner=Organization.objects.get(code=code),
            document_type=doc_type,
            origin_country=origin,
            destination_country=destination,
            order_type=order_type,
            defaults={
                "needed_before_shipping": blocking,
                "per_shipment": per_shipment,
                "instructions": text,
            },
        )


class Cast:
    def __init__(self) -> None:
        self.agent = get_user_model().objects.get(email=AGENT_EMAIL)

    @staticmethod
    def person(code: str):
        memberships = Membership.objects.filter(
            organization__code=code,
            is_active=True,
            role__in=[Role.PARTNER_MEMBER, Role.PARTNER_ADMIN],
        ).select_related("user")
        return sorted(memberships, key=lambda m: m.role != Role.PARTNER_MEMBER)[0].user


@dataclass(frozen=True)
class Scenario:
    order: str
    partner: str
    document_type: str
    ends_in: str
    walk: Callable[[Cast, Case, "Scenario"], None]


def _open(cast: Cast, sc: Scenario) -> Case:
    return services.request_open(
        actor=cast.agent,
        channel=Channel.WEB,
        draft=services.RequestDraft(
            partner=Organization.objects.get(code=sc.partner),
            order_number=sc.order,
            document_type=sc.document_type,
            dated=sc.document_type in {"certificate_of_origin", "compliance_approval"},
        ),
    )


def _submit(cast: Cast, case: Case, sc: Scenario, title: str, *, valid_days: int = 365) -> Case:
    dated = DocumentRequest.objects.get(case=case).dated
    return services.document_submit(
        actor=cast.person(sc.partner),
        channel=Channel.WEB,
        case=case,
        name=f"{sc.document_type}-{sc.order}.pdf",
        content=pdf(title),
        issue_date=_today() - timedelta(days=5) if dated else None,
        expiry_date=_today() + timedelta(days=valid_days) if dated else None,
    )


def _step(
    cast: Cast, case: Case, name: str, *, comment: str = "", payload: dict | None = None
) -> None:
    workspace.case_transition(
        actor=cast.agent,
        channel=Channel.WEB,
        case=case,
        transition=name,
        comment=comment,
        payload=payload,
    )


def requested(cast, case, sc):
    pass


def submitted(cast, case, sc):
    _submit(cast, case, sc, f"Commercial invoice for order {sc.order}")


def under_review(cast, case, sc):
    _submit(cast, case, sc, f"Certificate of origin, People's Republic of China, order {sc.order}")
    _step(cast, case, "start_review")


def rejected(cast, case, sc):
    _submit(cast, case, sc, f"Packing list for order DEMO1001 (sent for {sc.order} by mistake)")
    _step(
        cast,
        case,
        "reject",
        payload={"reason": "wrong_order"},
        comment="This packing list is for DEMO1001. Please send the one for this order.",
    )


def accepted(cast, case, sc):
    rejected(cast, case, sc)
    _submit(cast, case, sc, f"Packing list for order {sc.order}, 1 carton")
    _step(cast, case, "start_review")
    _step(cast, case, "accept", payload={})


def renewal_requested(cast, case, sc):
    _submit(cast, case, sc, f"Compliance approval for order {sc.order}", valid_days=20)
    _step(cast, case, "accept", payload={})
    services.renewals_sweep()


def expired(cast, case, sc):
    _submit(cast, case, sc, f"Certificate of origin for order {sc.order}", valid_days=1)
    _step(cast, case, "accept", payload={})
    # Time passes in the demo: the certificate ran out yesterday, and the sweep sees it.
    request = DocumentRequest.objects.get(case=case)
    yesterday = _today() - timedelta(days=1)
    DocumentRequest.objects.filter(pk=request.pk).update(expiry_date=yesterday)
    type(request.accepted_submission).objects.filter(pk=request.accepted_submission_id).update(
        expiry_date=yesterday
    )
    services.renewals_sweep()


def waived(cast, case, sc):
    _step(cast, case, "waive", comment="Domestic shipment: no customs declaration needed.")


SCENARIOS = (
    Scenario("DEMO1001", "SUP-002", "certificate_of_origin", "requested", requested),
    Scenario("DEMO1002", "SUP-001", "commercial_invoice", "submitted", submitted),
    Scenario("DEMO1004", "SUP-004", "certificate_of_origin", "under_review", under_review),
    Scenario("DEMO1007", "SUP-002", "packing_list", "rejected", rejected),
    Scenario("DEMO1005", "SUP-003", "packing_list", "accepted", accepted),
    Scenario("DEMO1011", "SUP-002", "compliance_approval", "renewal_requested", renewal_requested),
    Scenario("DEMO1010", "SUP-002", "certificate_of_origin", "expired", expired),
    Scenario("DEMO1013", "SUP-002", "customs_declaration", "waived", waived),
)


def seed() -> str:
    requirements_seed()
    cast = Cast()
    created = 0
    for sc in SCENARIOS:
        known = Case.objects.filter(
            kind=CaseKind.TRADE_DOCUMENT,
            order_number=sc.order,
            partner__code=sc.partner,
            document_request__document_type=sc.document_type,
        ).exists()
        if known:
            continue
        case = _open(cast, sc)
        sc.walk(cast, case, sc)
        case.refresh_from_db(fields=["status"])
        if case.status != sc.ends_in:
            raise RuntimeError(f"{sc.walk.__name__} ended in {case.status}, not {sc.ends_in}.")
        created += 1
    return f"{len(SCENARIOS)} trade document requests, one in every state ({created} new)"


register_seeder("documents", seed)
