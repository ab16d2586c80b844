"""The one error tree every boundary translates into.

    VidflowError                      exit 1, one clear line (plus details)
    ├── SpecError                     a spec problem at file:line:col: field.path
    │   └── SpecErrors                several SpecError at once (validate lists them all)
    ├── LockfileError                 corrupt / newer-version / locked lockfile
    ├── PlanError                     a plan that cannot be made or applied
    ├── MediaError                    FFmpeg / eSpeak / image stage failed
    └── StoryApiError                 the Story API said no (engine in process, or HTTP)
        ├── BadRequest            400
        ├── Unauthorized          401
        ├── InsufficientCredit    402
        ├── NotFound              404
        ├── ValidationFailed      422  (details: [{"loc": [...], "msg": ...}])
        ├── TooManyRequests       429  (retry_after seconds)
        ├── ServerError           5xx
        └── ApiConnectionError    no answer (refused, timeout)

The engine raises StoryApiError subclasses; the server maps `status` to the HTTP code;
the client maps HTTP codes back with `error_for_status`. Messages never carry API keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class VidflowError(Exception):
    """A problem the user can fix; printed as one line, exit code `exit_code`."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


@dataclass(frozen=True)
class Location:
    file: str
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SpecError(VidflowError):
    """One problem in a spec, rendered as `file:line:col: field.path: message`."""

    def __init__(self, message: str, *, location: Location | None = None, field: str = "") -> None:
        self.location = location
        self.field = field
        super().__init__(message)

    def __str__(self) -> str:
        parts = [str(self.location)] if self.location else []
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class SpecErrors(VidflowError):
    """Every problem found, so the user fixes them in one go."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = sorted(errors, key=_error_order)
        super().__init__("\n".join(str(e) for e in self.errors))


def _error_order(err: SpecError) -> tuple[str, int, int, str]:
    loc = err.location
    return (loc.file, loc.line, loc.col, err.field) if loc else ("", 0, 0, err.field)


class LockfileError(VidflowError):
    pass


class PlanError(VidflowError):
    pass


class MediaError(VidflowError):
    pass


class StoryApiError(VidflowError):
    status: int = 500

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.details = details


class BadRequest(StoryApiError):
    status = 400


class Unauthorized(StoryApiError):
    status = 401


class InsufficientCredit(StoryApiError):
    status = 402


class NotFound(StoryApiError):
    status = 404


class ValidationFailed(StoryApiError):
    """422; `details` is a list of {"loc": [...], "msg": str, "type": str}."""

    status = 422


class TooManyRequests(StoryApiError):
    status = 429

    def __init__(self, message: str, *, retry_after: float | None = None, details: Any = None):
        super().__init__(message, details=details)
        self.retry_after = retry_after


class ServerError(StoryApiError):
    status = 500


class ApiConnectionError(StoryApiError):
    status = 0
    sent = True  # False: the request provably never reached the server (refused)


_BY_STATUS: dict[int, type[StoryApiError]] = {
    cls.status: cls
    for cls in (BadRequest, Unauthorized, InsufficientCredit, NotFound, ValidationFailed,
                TooManyRequests)
}


def error_for_status(status: int, message: str, *, details: Any = None,
                     retry_after: float | None = None) -> StoryApiError:
    """The StoryApiError subclass for an HTTP status (5xx and unknown codes: ServerError)."""
    cls = _BY_STATUS.get(status, ServerError)
    if cls is TooManyRequests:
        return TooManyRequests(message, retry_after=retry_after, details=details)
    err = cls(message, details=details)
    if cls is ServerError:
        err.status = status
    return err
