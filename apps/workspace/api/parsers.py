"""Body parsers of the workspace API: every body is bounded before it is read.

JSON bodies are bounded by Django itself (DRF reads them through `request.body`, which refuses
a declared length over DATA_UPLOAD_MAX_MEMORY_SIZE unread); the views answer that with 413.
"""

from django.core.files.uploadhandler import StopUpload
from rest_framework import exceptions, parsers, status

from ..uploads import SizeLimitedUploadHandler, install_upload_limit


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def refuse_oversized_upload(django_request) -> None:
    """Raise 413 if the size limit refused this request's upload, declared or while streaming.

    Reads only what the limit recorded: parsing here would bypass the view's parsers.
    """
    if refusal := getattr(django_request, "upload_refused", None):
        raise PayloadTooLarge(refusal)


class LimitedMultiPartParser(parsers.MultiPartParser):
    """Multipart with the upload size limit in front of Django's own handlers.

    The limit refuses a declared Content-Length over it before reading a byte, and stops a
    body at the first chunk past it; either way the answer is a 413 with a reason.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        django_request = (parser_context or {})["request"]._request
        if not any(isinstance(h, SizeLimitedUploadHandler) for h in django_request.upload_handlers):
            install_upload_limit(django_request)
        try:
            result = super().parse(stream, media_type, parser_context)
        except StopUpload as exc:
            refuse_oversized_upload(django_request)
            raise PayloadTooLarge() from exc
        refuse_oversized_upload(django_request)
        return result
