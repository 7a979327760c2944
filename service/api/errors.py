"""One error-to-status map (habit 3): every error is JSON `{code, message, field?}`, never an HTML 500."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.core.errors import ScreeningError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}


def error_body(code: str, message: str, field: str | None = None, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    body.update(extra)
    return body


def install_error_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors, HTTP errors and anything unexpected to JSON bodies."""

    @app.exception_handler(ScreeningError)
    async def _domain(_: Request, exc: ScreeningError) -> JSONResponse:
        # A 401 names the scheme to use (RFC 9110), so generic HTTP clients know to send a bearer token.
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in err.get("loc", ())), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        return JSONResponse(
            error_body("validation_error", f"{first['field']}: {first['message']}", first["field"], errors=errors),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    async def _database_down(_: Request, exc: Exception) -> JSONResponse:
        # The database refused, dropped or timed out the connection, or aborted a transaction that conflicted (a
        # deadlock, a serialization failure): the open transaction rolled back; a later retry may succeed.
        log.warning("database unavailable: %s: %s", type(exc).__name__, exc)
        body = error_body("database_unavailable", "the database is unavailable or busy; try again later")
        return JSONResponse(body, status_code=503, headers={"Retry-After": "30"})

    for unavailable in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(unavailable, _database_down)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(error_body("internal_error", "unexpected server error; it has been logged"), 500)
