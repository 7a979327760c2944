"""API keys: created with a role inside one organisation, stored as a SHA-256 hash, shown once, revocable, expiring.

A token is "sk_" + 43 URL-safe characters (256 random bits), so a fast unsalted hash is enough: nothing short or
guessable is ever hashed. Authentication looks the hash up and re-compares it in constant time; expiry and
revocation are checked on every request, so revoking a key takes effect at once. Creating and revoking a key are
audit events of the key's organisation, in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from service import audit
from service.access import Principal, Role
from service.core.errors import NotFoundError, ScreeningError
from service.db import audit_repo
from service.db.models import ApiKeyRow, Organisation
from service.db.session import read_on_loop, session_scope

TOKEN_PREFIX = "sk_"
PREFIX_LENGTH = 10  # "sk_" and the first 7 random characters: enough to tell keys apart, useless to guess
MAX_NAME_LENGTH = 200
MAX_EXPIRY_DAYS = 3650
ORG_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEFAULT_ORG = audit.DEFAULT_ORG


class KeyInputError(ScreeningError):
    code = "validation_error"
    status = 422


@dataclass(frozen=True, slots=True)
class KeyState:
    """What authentication needs from a key row, read in a session of its own."""

    key_id: str
    org_id: str
    role: str
    expires_at: datetime | None
    revoked_at: datetime | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def check_org_id(value: str) -> str:
    org_id = value.strip()
    if not ORG_ID_PATTERN.match(org_id):
        raise KeyInputError(
            f"organisation {value[:70]!r} must be 1-64 lowercase letters, digits, '-' or '_' (e.g. acme)", field="org"
        )
    return org_id


def check_name(value: str) -> str:
    name = value.strip()
    if len(name) > MAX_NAME_LENGTH or any(not ch.isprintable() for ch in name):
        raise KeyInputError(f"name must be at most {MAX_NAME_LENGTH} printable characters", field="name")
    return name


def expiry_in_days(days: int | None, now: datetime | None = None) -> datetime | None:
    """The expiry `days` from now (None: the key does not expire)."""
    if days is None:
        return None
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise KeyInputError(f"expires_in_days must be between 1 and {MAX_EXPIRY_DAYS}", field="expires_in_days")
    return (now or datetime.now(UTC)) + timedelta(days=days)


def ensure_org(session: Session, org_id: str, now: datetime) -> Organisation:
    """The organisation, created on first use (a key is what brings an organisation into being)."""
    org = session.get(Organisation, org_id)
    if org is None:
        org = Organisation(id=org_id, name=org_id, created_at=now)
        session.add(org)
        session.flush()
    return org


def _actor(created_by: Principal | None) -> audit.Actor:
    return created_by.audit_actor() if created_by is not None else audit.CLI


def create_key(
    session: Session,
    *,
    org_id: str,
    role: Role,
    name: str = "",
    expires_at: datetime | None = None,
    created_by: Principal | None = None,
) -> tuple[ApiKeyRow, str]:
    """Create a key in the caller's transaction; the row and the plaintext token (returned this once only)."""
    org_id = check_org_id(org_id)
    name = check_name(name)
    now = datetime.now(UTC)
    if expires_at is not None and _utc(expires_at) <= now:
        raise KeyInputError("expires_at must be in the future", field="expires_at")
    ensure_org(session, org_id, now)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiKeyRow(
        id="key_" + secrets.token_hex(8),
        org_id=org_id,
        role=Role(role).value,
        name=name,
        prefix=token[:PREFIX_LENGTH],
        token_sha256=token_hash(token),
        created_at=now,
        created_by=created_by.key_id if created_by is not None else "cli",
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.append_event(
        session,
        action="api_key.created",
        object_type="api_key",
        object_id=row.id,
        payload={"role": row.role, "name": row.name, "prefix": row.prefix, "expires_at": expires_at},
        actor=_actor(created_by),
        org_id=org_id,
        now=now,
    )
    return row, token


def revoke_key(session: Session, key_id: str, *, revoked_by: Principal | None = None) -> ApiKeyRow:
    """Revoke a key (idempotent: a revoked key stays revoked, with its first revocation's time and actor).

    An admin key revokes only keys of its own organisation: another organisation's key id is "not found"."""
    row = session.get(ApiKeyRow, key_id, with_for_update=True) if len(key_id) <= 32 else None
    if row is None or (revoked_by is not None and row.org_id != revoked_by.org_id):
        raise NotFoundError(f"no API key {key_id[:40]!r}; list keys to find its id", field="key_id")
    if row.revoked_at is None:
        now = datetime.now(UTC)
        row.revoked_at = now
        row.revoked_by = revoked_by.key_id if revoked_by is not None else "cli"
        session.flush()
        audit.append_event(
            session,
            action="api_key.revoked",
            object_type="api_key",
            object_id=row.id,
            payload={"role": row.role, "name": row.name, "prefix": row.prefix},
            actor=_actor(revoked_by),
            org_id=row.org_id,
            now=now,
        )
    return row


def list_keys(session: Session, org_id: str | None = None) -> list[ApiKeyRow]:
    """Keys oldest first, of one organisation or of all."""
    query = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
    if org_id is not None:
        query = query.where(ApiKeyRow.org_id == org_id)
    return list(session.scalars(query))


def key_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(ApiKeyRow)) or 0)


def key_dict(row: ApiKeyRow, now: datetime | None = None) -> dict[str, Any]:
    """A key as the API and CLI show it: never its hash, never its token."""
    now = now or datetime.now(UTC)
    expired = row.expires_at is not None and _utc(row.expires_at) <= now
    return {
        "key_id": row.id,
        "org_id": row.org_id,
        "role": row.role,
        "name": row.name,
        "prefix": row.prefix,
        "created_at": _utc(row.created_at).isoformat(),
        "created_by": row.created_by,
        "expires_at": _utc(row.expires_at).isoformat() if row.expires_at is not None else None,
        "revoked_at": _utc(row.revoked_at).isoformat() if row.revoked_at is not None else None,
        "active": row.revoked_at is None and not expired,
    }


# Built once (a statement built per request costs more than running it).
_KEY_STATE = select(
    ApiKeyRow.id, ApiKeyRow.org_id, ApiKeyRow.role, ApiKeyRow.token_sha256, ApiKeyRow.expires_at, ApiKeyRow.revoked_at
).where(ApiKeyRow.token_sha256 == bindparam("digest"))


def _lookup(url: str, digest: str) -> KeyState | None:
    # Every request reads its key afresh (a revocation counts from the next request): one indexed read, without an
    # ORM session around it, on the event loop's own connection (`allow` runs on the loop).
    row = read_on_loop(url, _KEY_STATE, {"digest": digest})
    if row is None or not hmac.compare_digest(row.token_sha256, digest):
        return None
    return KeyState(row.id, row.org_id, row.role, row.expires_at, row.revoked_at)


def authenticate(url: str, token: str, now: datetime | None = None) -> Principal | None:
    """The principal of a live key, or None for an unknown, revoked or expired one (the caller says which is which
    to nobody: all three are the same 401)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    state = _lookup(url, token_hash(token))
    if state is None or state.revoked_at is not None:
        return None
    if state.expires_at is not None and _utc(state.expires_at) <= (now or datetime.now(UTC)):
        return None
    return Principal(key_id=state.key_id, org_id=state.org_id, role=Role(state.role))


def bootstrap(url: str) -> tuple[ApiKeyRow, str] | None:
    """An admin key for the "default" organisation when there is no key at all (first start); None otherwise."""
    with session_scope(url) as session:
        # Two first starts at once (API replicas on PostgreSQL) must not both make a key: the default chain's lock,
        # which the key's audit event takes anyway, serialises them. Embedded SQLite runs it once, from `make run`.
        audit_repo.lock_chain(session, DEFAULT_ORG)
        if key_count(session):
            return None
        return create_key(session, org_id=DEFAULT_ORG, role=Role.ADMIN, name="bootstrap admin")
