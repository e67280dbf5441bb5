"""Domain errors: raised by services, mapped once to form errors and to API 4xx answers."""


class DomainError(Exception):
    """A request the domain refuses; the message is safe to show to the user."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, fields: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.fields = fields or {}
        if code:
            self.code = code


class NotAllowed(DomainError):
    """The actor may see the object but not do this to it."""

    code = "forbidden"
    http_status = 403


class Conflict(DomainError):
    """The object's current state does not allow the change (e.g. an illegal transition)."""

    code = "conflict"
    http_status = 409
