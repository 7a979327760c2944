"""One exception hierarchy: every error has a stable machine `code`, an HTTP status and a message saying what to do."""

from __future__ import annotations


class ScreeningError(Exception):
    code = "error"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class ListFormatError(ScreeningError):
    """A list file is malformed, truncated, empty or not in the declared format; nothing is imported."""

    code = "list_format_invalid"
    status = 422


class UnknownFormatError(ScreeningError):
    code = "list_format_unknown"
    status = 422


class SourceUnavailableError(ScreeningError):
    """A list source could not be fetched (offline, timeout, HTTP error); the last good version stays active."""

    code = "list_source_unavailable"
    status = 503


class NotFoundError(ScreeningError):
    code = "not_found"
    status = 404


class ConfigError(ScreeningError):
    code = "config_invalid"
    status = 500


class UnauthorizedError(ScreeningError):
    code = "unauthorized"
    status = 401


class ForbiddenError(ScreeningError):
    """A valid API key whose role may not do this."""

    code = "forbidden"
    status = 403
