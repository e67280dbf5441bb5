"""All accepted documents of an order or a shipment as one ZIP, streamed as it is written.

The same rule as one file's download (`workspace.selectors.file_version_for_actor`): each
version is reached through `FileVersion.objects.for_actor`, so the ZIP holds exactly the
files the caller could download one by one, and nothing is held in memory.
"""

from collections.abc import Iterator

from zipstream import ZipStream

from apps.workspace.models import FileVersion
from apps.workspace.uploads import safe_filename

from .selectors import accepted_submissions

CHUNK = 64 * 1024


def _chunks(version: FileVersion) -> Iterator[bytes]:
    with version.file.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def documents_zip(*, actor, order_number: str, shipment_ref: str = "") -> tuple[ZipStream, int]:
    """The ZIP stream and how many documents it holds (0: nothing accepted that you may see)."""
    requests = accepted_submissions(
        actor=actor, order_number=order_number, shipment_ref=shipment_ref
    )
    visible = FileVersion.objects.for_actor(actor).in_bulk(
        [r.accepted_submission.file_version_id for r in requests]
    )
    stream = ZipStream(sized=False)
    count = 0
    names: set[str] = set()
    for request in requests:
        version = visible.get(request.accepted_submission.file_version_id)
        if version is None:
            continue
        where = f"{request.shipment_ref}-" if request.shipment_ref else ""
        name = safe_filename(
            f"{order_number}-{where}{request.document_type}-{version.original_name}"
        )
        while name in names:
            name = f"{request.pk}-{name}"
        names.add(name)
        stream.add(_chunks(version), name)
        count += 1
    return stream, count
