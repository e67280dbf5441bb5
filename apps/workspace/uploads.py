"""Upload rules: a size limit enforced while the body streams, and a type check by content."""

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from apps.core.errors import DomainError

SNIFF_BYTES = 8192
# Binary types we accept, as filetype names them.
BINARY_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/tiff": "tif",
}
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt
# Markup a browser would run: never accepted, whatever the file is called.
ACTIVE_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|style|a\s)|xmlns\s*=\s*[\"']http://www\.w3\.org/(1999/xhtml|2000/svg)",
    re.IGNORECASE,
)


class UploadRefused(DomainError):
    code = "upload_refused"


class UploadTooLarge(UploadRefused):
    code = "too_large"
    http_status = 413


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str


def detect_type(fh: IO[bytes]) -> Detected:
    """What the bytes are, ignoring the name and the client's claim; refuse anything else."""
    fh.seek(0)
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    if not head:
        raise UploadRefused("The file is empty.")
    if head.startswith(OLE_MAGIC):
        return Detected("application/vnd.ms-office", "doc")
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in BINARY_TYPES:
            return Detected(kind.mime, BINARY_TYPES[kind.mime])
        if kind.mime == "application/zip" or kind.extension in {"docx", "xlsx", "pptx"}:
            return _office_from_zip(fh)
        raise UploadRefused(f"Files of type {kind.mime} are not accepted.")
    return _text_type(head)


def _office_from_zip(fh: IO[bytes]) -> Detected:
    try:
        with zipfile.ZipFile(fh) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise UploadRefused("The file looks like an archive but cannot be read.") from exc
    finally:
        fh.seek(0)
    if "[Content_Types].xml" in names:
        for prefix, (mime, ext) in OOXML.items():
            if any(name.startswith(prefix) for name in names):
                return Detected(mime, ext)
    raise UploadRefused("ZIP archives are not accepted; upload the documents themselves.")


def _text_type(head: bytes) -> Detected:
    if b"\x00" in head:
        raise UploadRefused("This kind of file is not accepted.")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    if ACTIVE_MARKUP.search(head):
        raise UploadRefused("HTML and SVG files are not accepted.")
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("ISA") or stripped.startswith(("UNA", "UNB")):
        return Detected("application/edi-x12" if stripped.startswith("ISA") else "application/edifact", "edi")
    if stripped.startswith("<"):
        return Detected("application/xml", "xml")
    if stripped.startswith("{") or stripped.startswith("["):
        raise UploadRefused("JSON files are not accepted here.")
    lines = [line for line in stripped.splitlines()[:5] if line.strip()]
    if lines and all(("," in line or ";" in line or "\t" in line) for line in lines):
        return Detected("text/csv", "csv")
    return Detected("text/plain", "txt")


def checksum(fh: IO[bytes]) -> tuple[str, int]:
    fh.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: fh.read(1024 * 1024), b""):
        digest.update(chunk)
        size += len(chunk)
    fh.seek(0)
    return digest.hexdigest(), size


FILENAME_LIMIT = 150
_FORBIDDEN_IN_NAMES = re.compile(r'[<>:"|?*]+')  # Windows refuses them; "/" and "\\" end the path
ZERO_WIDTH_JOINER = "\u200d"  # holds emoji sequences together; it cannot reorder text


def _shown(ch: str) -> bool:
    """Control and format characters go: they hide or reorder text (RTL overrides, zero width)."""
    return not unicodedata.category(ch).startswith("C") or ch == ZERO_WIDTH_JOINER


def safe_filename(name: str) -> str:
    """A name safe in a Content-Disposition header (Django adds `filename*` for non-ASCII)
    and on any file system. Letters of any script and emoji stay; a long name is cut in its
    stem, so the extension survives."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _FORBIDDEN_IN_NAMES.sub("_", "".join(ch for ch in name if _shown(ch)))
    name = re.sub(r"\s+", " ", name).strip(" ._") or "file"
    if len(name) <= FILENAME_LIMIT:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not 0 < len(extension) <= 16:
        return name[:FILENAME_LIMIT].rstrip(" ._")
    return f"{stem[: FILENAME_LIMIT - len(extension) - 1].rstrip(' ._')}.{extension}"


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops an upload as soon as it passes the limit, before the body has been read whole.

    A declared Content-Length over the limit is refused before any byte of the body is
    read; a body that lies about its length is stopped at the first chunk past the limit.
    """

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = limit or settings.FILE_UPLOAD_MAX_BYTES
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if declared_too_large(content_length, self.limit):
            self._record_refusal()
            # Returning a result skips parsing altogether: not one byte of the body is read.
            return QueryDict(), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _record_refusal(self):
        if self.request is not None:
            self.request.upload_refused = too_large_message(self.limit)

    def _refuse(self):
        self._record_refusal()
        raise StopUpload(connection_reset=True)


def too_large_message(limit: int) -> str:
    return f"The file is larger than the {limit // (1024 * 1024) or 1} MB limit."


def declared_too_large(content_length, limit: int | None = None) -> bool:
    # Multipart overhead is small; allow a little room for the form's other fields.
    limit = limit or settings.FILE_UPLOAD_MAX_BYTES
    try:
        return int(content_length or 0) > limit + 64 * 1024
    except ValueError:
        return False


def install_upload_limit(request) -> None:
    """Put the size limit in front of Django's own handlers; call before touching FILES."""
    request.upload_handlers.insert(0, SizeLimitedUploadHandler(request))


def upload_refusal(request) -> str | None:
    """Parse the body (through the limit) and say why it was refused, if it was."""
    if declared_too_large(request.META.get("CONTENT_LENGTH")):
        return too_large_message(settings.FILE_UPLOAD_MAX_BYTES)
    request.POST  # noqa: B018 - parsing runs the size-limited handlers
    return getattr(request, "upload_refused", None)
