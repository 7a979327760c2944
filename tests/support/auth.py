"""API keys for tests: a real key made through service.keys (hashed, in the test database), and its header."""

from __future__ import annotations

from service.access import Role
from service.db.session import session_scope
from service.keys import create_key


def make_key(db_url: str, org_id: str = "acme", role: Role | str = "admin") -> str:
    """Create a key of `role` in `org_id` and return its token."""
    with session_scope(db_url) as session:
        _, token = create_key(session, org_id=org_id, role=Role(role), name=f"test {role}")
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
