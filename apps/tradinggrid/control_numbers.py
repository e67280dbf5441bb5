"""Control numbers from the database: one sequence per (sender, receiver, kind), safe across processes."""

from django.db import transaction

from .edi.control_numbers import CONTROL_NUMBER_KINDS, MAX_CONTROL_NUMBER, ControlNumberKind
from .models import ControlNumberSequence


class DatabaseControlNumberSource:
    """A ``ControlNumberSource`` whose counters are rows locked while they advance.

    The row lock (PostgreSQL ``SELECT … FOR UPDATE``; SQLite's IMMEDIATE transaction takes
    the write lock) serialises every process that draws from one sequence, and the number
    commits with the caller's transaction: a document whose transaction rolls back gives its
    number back, one that commits can never share it.
    """

    def next(self, *, sender: str, receiver: str, kind: ControlNumberKind) -> int:
        if kind not in CONTROL_NUMBER_KINDS:
            raise ValueError(f"control number kind {kind!r} is not one of {CONTROL_NUMBER_KINDS}")
        with transaction.atomic():
            # Insert-or-nothing first, so two processes creating the sequence at once do not
            # race (get_or_create would raise in one of them on PostgreSQL).
            ControlNumberSequence.objects.bulk_create(
                [ControlNumberSequence(sender=sender, receiver=receiver, kind=kind)],
                ignore_conflicts=True,
            )
            sequence = ControlNumberSequence.objects.select_for_update().get(
                sender=sender, receiver=receiver, kind=kind
            )
            sequence.last = 1 if sequence.last >= MAX_CONTROL_NUMBER else sequence.last + 1
            sequence.save(update_fields=["last"])
            return sequence.last
