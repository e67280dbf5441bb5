"""Reads of the connector: partners by Trading Grid identity, the ledger page, alert counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.partners.models import Organization

from . import conf
from .edi import PARTNER_EVENT_TYPES, Party, registered_mappings
from .models import (
    Alert,
    Direction,
    Encoding,
    Interchange,
    PartnerProfile,
    Standard,
    Status,
)

PAGE_SIZE = 50


def partner_by_identity(party: Party) -> Organization | None:
    """The partner a Trading Grid address names, or None.

    By qualifier and id; by id alone when only one partner has it, because EDIFACT writes
    ZZZ where X12 writes ZZ (or leaves the qualifier out), as the network itself does.
    """
    if not party.id:
        return None
    partners = Organization.objects.partners().filter(tg_id=party.id)
    exact = partners.filter(tg_qualifier=party.qualifier).first()
    if exact is not None:
        return exact
    found = list(partners[:2])
    return found[0] if len(found) == 1 else None


def partner_profile(organization: Organization) -> PartnerProfile:
    """The partner's settings, or the defaults (unsaved) when none were chosen yet."""
    profile = PartnerProfile.objects.filter(organization=organization).first()
    return profile or PartnerProfile(organization=organization)


def encoding_for(organization: Organization | None) -> str:
    """The character set a partner's EDI files are read and written in (UTF-8 by default)."""
    if organization is None:
        return Encoding.UTF8
    found = (
        PartnerProfile.objects.filter(organization=organization)
        .values_list("encoding", flat=True)
        .first()
    )
    return found or Encoding.UTF8


def ack_deadline_minutes_for(organization: Organization | None) -> int:
    if organization is not None:
        minutes = (
            PartnerProfile.objects.filter(organization=organization)
            .values_list("ack_deadline_minutes", flat=True)
            .first()
        )
        if minutes:
            return minutes
    return conf.ack_deadline_minutes()


# --- The ledger page -------------------------------------------------------------------------


@dataclass
class LedgerPage:
    rows: list[Interchange]
    next_before: int | None


def ledger_rows(
    *,
    actor,
    partner: int | None = None,
    status: str = "",
    direction: str = "",
    document_type: str = "",
    overdue: bool = False,
    case: int | None = None,
) -> QuerySet[Interchange]:
    rows = Interchange.objects.for_actor(actor).select_related("partner", "case")
    if partner:
        rows = rows.filter(partner_id=partner)
    if status:
        rows = rows.filter(status=status)
    if direction:
        rows = rows.filter(direction=direction)
    if document_type:
        if document_type.startswith("CXD"):
            event = document_type.removeprefix("CXD").strip()
            rows = rows.filter(standard=Standard.COLLAB)
            rows = rows.filter(event_type=event) if event else rows
        else:
            rows = rows.filter(document_type=document_type)
    if overdue:
        rows = rows.overdue()
    if case:
        rows = rows.filter(case_id=case)
    return rows.order_by("-id")


def ledger_page(*, before: int | None = None, **filters) -> LedgerPage:
    """Keyset pages by id, newest first: the ledger only grows, so offsets would drift."""
    rows = ledger_rows(**filters)
    if before:
        rows = rows.filter(id__lt=before)
    found = list(rows[: PAGE_SIZE + 1])
    more = len(found) > PAGE_SIZE
    found = found[:PAGE_SIZE]
    return LedgerPage(rows=found, next_before=found[-1].pk if more and found else None)


def document_type_choices() -> list[tuple[str, str]]:
    """The types the ledger can hold, for the filter (a fixed list: no scan of the ledger)."""
    x12 = sorted({set_id for standard, set_id in registered_mappings() if standard == "x12"})
    events = sorted(set(conf.DOCUMENT_TYPE_NAMES) | set(PARTNER_EVENT_TYPES))
    types = ["997", "999", *x12, "CONTRL", *(f"CXD {event}" for event in events)]
    return [(kind, kind) for kind in types]


def partner_choices() -> list[tuple[int, str]]:
    """(id, name) of the partners with a Trading Grid identity, for the filter."""
    return list(
        Organization.objects.partners().exclude(tg_id="").order_by("name").values_list("pk", "name")
    )


def open_alerts(*, actor, limit: int = 20) -> list[Alert]:
    return list(
        Alert.objects.for_actor(actor)
        .open()
        .select_related("partner", "interchange")
        .order_by("-created_at", "-id")[:limit]
    )


def interchange_detail(*, actor, pk: int) -> Interchange:
    return (
        Interchange.objects.for_actor(actor)
        .select_related("partner", "case", "acknowledgement", "answers")
        .get(pk=pk)
    )


@dataclass(frozen=True)
class AlertSummary:
    """What the operations page shows of Trading Grid: counts and where to look."""

    open_alerts: int
    overdue_acks: int
    quarantined: int
    url: str

    label = "Trading Grid"

    @property
    def needs_attention(self) -> bool:
        return bool(self.open_alerts or self.overdue_acks)

    @property
    def detail(self) -> str:
        return (
            f"{self.open_alerts} open alert(s), {self.overdue_acks} overdue acknowledgement(s), "
            f"{self.quarantined} quarantined file(s)."
        )


def alert_summary() -> AlertSummary:
    counts = Alert.objects.open().aggregate(
        total=Count("id"), quarantined=Count("id", filter=Q(kind="quarantined"))
    )
    return AlertSummary(
        open_alerts=counts["total"],
        overdue_acks=Interchange.objects.overdue(now=timezone.now()).count(),
        quarantined=counts["quarantined"],
        url=reverse("tradinggrid:ledger"),
    )


def partner_settings_rows() -> list[tuple[Organization, PartnerProfile]]:
    partners = list(Organization.objects.partners().order_by("name"))
    profiles = {p.organization_id: p for p in PartnerProfile.objects.all()}
    return [(o, profiles.get(o.pk) or PartnerProfile(organization=o)) for o in partners]


def inbound_for_document(*, partner: Organization, document_id: str) -> Interchange | None:
    """An earlier, applied inbound document with this id from this partner (a replay)."""
    return (
        Interchange.objects.filter(
            direction=Direction.INBOUND, partner=partner, document_id=document_id
        )
        .exclude(status__in=(Status.RECEIVED, Status.QUARANTINED, Status.DUPLICATE))
        .order_by("id")
        .first()
    )


def inbound_for_controls(
    *,
    partner: Organization,
    standard: str,
    interchange_control: str,
    group_control: str,
    transaction_control: str,
    document_type: str,
    before: int,
) -> Interchange | None:
    """An earlier inbound interchange from this partner with the same control numbers that
    was applied (or answered as a test): a resend, not a new document."""
    if not interchange_control:
        return None
    return (
        Interchange.objects.filter(
            direction=Direction.INBOUND,
            partner=partner,
            standard=standard,
            interchange_control=interchange_control,
            group_control=group_control,
            transaction_control=transaction_control,
            document_type=document_type,
            pk__lt=before,
        )
        .exclude(status__in=(Status.RECEIVED, Status.QUARANTINED, Status.DUPLICATE))
        .order_by("id")
        .first()
    )
