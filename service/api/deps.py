"""Request dependencies: settings, a database session per request, and `allow(...)`: the API key and its role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from service import keys
from service.access import Principal, Role
from service.core.errors import ForbiddenError, UnauthorizedError
from service.db.session import session_scope
from service.settings import Settings


async def get_app_settings(request: Request) -> Settings:
    # Asynchronous because it does no I/O: FastAPI runs a synchronous dependency in its thread pool, a thread hop
    # per request for reading an attribute.
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    """One unit of work per request: committed after the handler returns, rolled back on error."""
    with session_scope(settings.database_url) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


# Declared as security schemes so /docs offers "Authorize"; neither raises by itself: `Allow` answers 401 the
# project's way (JSON with a code) when neither carries a key.
_BEARER = HTTPBearer(auto_error=False, description="`Authorization: Bearer sk_…`")
_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="`X-API-Key: sk_…` (same keys)")


def presented_token(bearer: HTTPAuthorizationCredentials | None, x_api_key: str | None) -> str | None:
    """The key from `Authorization: Bearer KEY`, else from `X-API-Key: KEY`."""
    if bearer is not None and bearer.credentials.strip():
        return bearer.credentials.strip()
    if x_api_key and x_api_key.strip():
        return x_api_key.strip()
    return None


class Allow:
    """The dependency `allow(...)` returns; it keeps its roles so the access-matrix test can read them."""

    def __init__(self, roles: frozenset[Role]) -> None:
        self.allowed_roles = roles

    async def __call__(
        self,
        settings: SettingsDep,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
        x_api_key: Annotated[str | None, Depends(_API_KEY)],
    ) -> Principal:
        # On the event loop, key lookup included: one indexed read on the loop's own connection costs less than a
        # thread hop, which under load waits for the interpreter lock behind every other request's thread.
        token = presented_token(bearer, x_api_key)
        if token is None:
            raise UnauthorizedError(
                "no API key: send `Authorization: Bearer <key>` (or `X-API-Key: <key>`)", field="authorization"
            )
        principal = keys.authenticate(settings.database_url, token)
        if principal is None:
            raise UnauthorizedError("the API key is unknown, revoked or expired", field="authorization")
        if principal.role not in self.allowed_roles:
            needed = ", ".join(sorted(r.value for r in self.allowed_roles))
            raise ForbiddenError(f"a {principal.role.value} key may not do this; it needs one of: {needed}")
        return principal


def allow(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only live API keys whose role is one of `roles`; it returns their Principal.

    401 (code "unauthorized") for a missing, unknown, revoked or expired key; 403 (code "forbidden") for a role not
    allowed here. Usage: `principal: Annotated[Principal, Depends(allow(Role.ANALYST, Role.ADMIN))]`."""
    if not roles:
        raise ValueError("allow() needs at least one role")
    return Allow(frozenset(roles))
