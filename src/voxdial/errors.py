"""The voxdial error tree.

    VoxdialError                 base; carries an HTTP status and a stable code
    ├── BadRequest (400)         malformed input: a file, a row, a field
    │   └── InvalidSchedule      an impossible date or daily window
    ├── Unauthorized (401)       missing, unknown or revoked token
    ├── Forbidden (403)          the user's role does not allow it; a bad CSRF token
    ├── NotFound (404)           unknown id, or another workspace's id
    ├── Conflict (409)           impossible state transition, duplicate
    ├── PayloadTooLarge (413)    upload over the size or row limit, XLSX bomb
    ├── UnsupportedMediaType (415)
    ├── Unprocessable (422)      well-formed but invalid values
    │   └── ScheduleOutOfRange   a date outside the years a task may use
    ├── RateLimited (429)        over the token's rate limit
    └── ServiceUnavailable (503) busy for now (file parsing full, database locked):
                                 retry after `retry_after` seconds

Every error renders as `{"error": {"code", "message", "details"}}`. Messages name the
field, row or value at fault, but never a phone number or token in the clear.
"""

from __future__ import annotations

from typing import Any


class VoxdialError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: list[Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(VoxdialError):
    status = 400
    code = "bad_request"


class InvalidSchedule(BadRequest):
    code = "invalid_schedule"


class Unauthorized(VoxdialError):
    status = 401
    code = "unauthorized"


class Forbidden(VoxdialError):
    status = 403
    code = "forbidden"


class NotFound(VoxdialError):
    status = 404
    code = "not_found"


class Conflict(VoxdialError):
    status = 409
    code = "conflict"


class PayloadTooLarge(VoxdialError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(VoxdialError):
    status = 415
    code = "unsupported_media_type"


class Unprocessable(VoxdialError):
    status = 422
    code = "unprocessable"


class ScheduleOutOfRange(Unprocessable):
    code = "invalid_schedule"


class RateLimited(VoxdialError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(VoxdialError):
    status = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
