"""File downloads and previews: only through here, only for those who may see the file."""

from django.http import FileResponse, Http404
from django.views.decorators.clickjacking import xframe_options_sameorigin

from .. import selectors
from ..uploads import safe_filename


def _open(version):
    try:
        return version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing from storage.") from exc


def file_download(request, pk: int):
    version = selectors.file_version_for_actor(actor=request.user, pk=pk)
    response = FileResponse(
        _open(version),
        as_attachment=True,
        filename=safe_filename(version.original_name),
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@xframe_options_sameorigin
def file_preview(request, pk: int):
    """Images and PDFs only, shown inline in a sandbox; anything else is a download."""
    version = selectors.file_version_for_actor(actor=request.user, pk=pk)
    if not version.previewable:
        raise Http404("This file has no preview.")
    response = FileResponse(
        _open(version),
        as_attachment=False,
        filename=safe_filename(version.original_name),
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Chromium's PDF viewer does not run inside a sandboxed document, so PDFs get a plain CSP.
    sandbox = "" if version.content_type == "application/pdf" else "; sandbox"
    response["Content-Security-Policy"] = f"default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'{sandbox}"
    response["Cache-Control"] = "private, no-store"
    return response
