"""Request dependencies: settings, a database session per request, API-key check."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from service.core.errors import UnauthorizedError
from service.db.session import session_scope
from service.settings import Settings


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    """One unit of work per request: committed after the handler returns, rolled back on error."""
    with session_scope(settings.database_url) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def require_api_key(
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> None:
    """Accept `Authorization: Bearer KEY` or `X-API-Key: KEY` when keys are configured (SCREENING_API_KEYS)."""
    keys = [k.strip() for k in settings.api_keys.split(",") if k.strip()]
    if not keys:
        return
    presented = x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        presented = authorization[7:].strip()
    if not presented or not any(hmac.compare_digest(presented, k) for k in keys):
        raise UnauthorizedError("missing or invalid API key: send `Authorization: Bearer <key>`", field="authorization")
