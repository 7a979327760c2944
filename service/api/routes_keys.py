"""`/v1/keys`: an admin creates, lists and revokes the API keys of its own organisation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from service import keys
from service.access import Principal, Role
from service.api.deps import SessionDep, allow

router = APIRouter(prefix="/v1/keys", tags=["keys"])

Admin = Annotated[Principal, Depends(allow(Role.ADMIN))]


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    role: Role
    name: str = Field("", max_length=keys.MAX_NAME_LENGTH, description="what the key is for, e.g. 'SAP production'")
    expires_in_days: int | None = Field(None, ge=1, le=keys.MAX_EXPIRY_DAYS, description="default: never expires")


class KeyRead(BaseModel):
    key_id: str
    org_id: str
    role: str
    name: str
    prefix: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool


class KeyCreated(KeyRead):
    token: str = Field(description="the secret: shown this once, never again (only its hash is kept)")


@router.post("", status_code=201, response_model=KeyCreated)
def create_key(body: KeyCreate, principal: Admin, session: SessionDep) -> dict[str, Any]:
    """Create a key in the caller's organisation; the answer is the only time the token is shown."""
    row, token = keys.create_key(
        session,
        org_id=principal.org_id,
        role=body.role,
        name=body.name,
        expires_at=keys.expiry_in_days(body.expires_in_days),
        created_by=principal,
    )
    return {**keys.key_dict(row), "token": token}


@router.get("", response_model=dict[str, list[KeyRead]])
def list_keys(principal: Admin, session: SessionDep) -> dict[str, Any]:
    """The organisation's keys, oldest first, revoked and expired ones included (never a token or its hash)."""
    return {"keys": [keys.key_dict(row) for row in keys.list_keys(session, principal.org_id)]}


@router.delete("/{key_id}", response_model=KeyRead)
def revoke_key(key_id: Annotated[str, Path(max_length=64)], principal: Admin, session: SessionDep) -> dict[str, Any]:
    """Revoke a key at once (its next request is a 401); revoking a revoked key changes nothing."""
    return keys.key_dict(keys.revoke_key(session, key_id, revoked_by=principal))
