"""``manage.py edi inspect|ack FILE``: an X12, EDIFACT or collab document as the connector reads it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.tradinggrid.edi.cli import run


class Command(BaseCommand):
    help = (
        "inspect FILE: print the parsed document as JSON (envelopes, named segments, control "
        "numbers, issues); ack FILE: print the 997 or CONTRL we would send. The format is "
        "detected from the content. Exits 1 with a one-line message on malformed input."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["inspect", "ack"])
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--control-dir",
            type=Path,
            default=None,
            help="draw the acknowledgement's control numbers from counter files here "
            "(default: a preview numbered from 1)",
        )

    def handle(self, *args: object, **options: object) -> None:
        failure = run(
            action=str(options["action"]),
            path=options["file"],  # type: ignore[arg-type]
            out=self.stdout,  # type: ignore[arg-type]
            control_dir=options["control_dir"],  # type: ignore[arg-type]
        )
        if failure:
            raise CommandError(failure)
