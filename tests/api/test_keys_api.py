"""`/v1/keys` and service.keys: a token shown once and stored only as its hash, revocation and expiry effective on
the next request, admins confined to their own organisation, and an audit event for every creation and revocation
with the creating key (or "cli") as the actor."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from service import keys
from service.access import Principal, Role
from service.api.app import create_app
from service.db.models import ApiKeyRow, AuditEvent, Organisation
from service.db.session import session_scope
from service.settings import Settings
from tests.support.auth import bearer, make_key


def _admin(settings: Settings, org_id: str = "acme") -> TestClient:
    return TestClient(
        create_app(settings), raise_server_exceptions=False, headers=bearer(make_key(settings.database_url, org_id))
    )


def test_create_shows_the_token_once_and_stores_only_its_hash(settings: Settings) -> None:
    admin = _admin(settings)
    response = admin.post("/v1/keys", json={"role": "analyst", "name": "case team", "expires_in_days": 30})
    assert response.status_code == 201, response.text
    created = response.json()
    token = created["token"]
    assert token.startswith("sk_") and len(token) == 46 and created["prefix"] == token[:10]
    assert (created["role"], created["org_id"], created["name"], created["active"]) == (
        "analyst",
        "acme",
        "case team",
        True,
    )
    expires = datetime.fromisoformat(created["expires_at"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)

    with session_scope(settings.database_url) as session:
        row = session.get(ApiKeyRow, created["key_id"])
        assert row is not None and row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
        stored = [str(v) for v in vars(row).values()]
        assert not any(token in value for value in stored), "the plaintext token must not be stored"

    listed = admin.get("/v1/keys").json()["keys"]
    assert created["key_id"] in [k["key_id"] for k in listed]
    assert all("token" not in k and "token_sha256" not in k for k in listed)
    assert token not in admin.get("/v1/keys").text

    analyst = TestClient(create_app(settings), headers=bearer(token))
    assert analyst.get("/v1/alerts").status_code == 200
    assert analyst.get("/v1/keys").status_code == 403


def test_revocation_is_effective_at_once_and_audited(settings: Settings) -> None:
    admin = _admin(settings)
    created = admin.post("/v1/keys", json={"role": "submitter"}).json()
    user = TestClient(create_app(settings), raise_server_exceptions=False, headers=bearer(created["token"]))
    assert user.get("/v1/lists").status_code == 200
    revoked = admin.delete(f"/v1/keys/{created['key_id']}")
    assert revoked.status_code == 200 and revoked.json()["active"] is False and revoked.json()["revoked_at"]
    assert user.get("/v1/lists").status_code == 401
    again = admin.delete(f"/v1/keys/{created['key_id']}")  # idempotent: no second event
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked.json()["revoked_at"]

    with session_scope(settings.database_url) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.org_id == "acme").order_by(AuditEvent.seq)).all()
        admin_key_id = events[0].object_id
        assert [(e.action, e.object_id, e.actor, e.actor_role) for e in events] == [
            ("api_key.created", admin_key_id, "cli", None),  # tests make their first key as the CLI does
            ("api_key.created", created["key_id"], admin_key_id, "admin"),
            ("api_key.revoked", created["key_id"], admin_key_id, "admin"),
        ]
        assert events[1].payload == {"role": "submitter", "name": "", "prefix": created["prefix"], "expires_at": None}


def test_admins_manage_only_their_own_organisation(settings: Settings) -> None:
    acme, globex = _admin(settings, "acme"), _admin(settings, "globex")
    victim = acme.post("/v1/keys", json={"role": "submitter"}).json()
    # Another organisation's key id is "not found", exactly like an id that never existed.
    foreign = globex.delete(f"/v1/keys/{victim['key_id']}")
    unknown = globex.delete("/v1/keys/key_0000000000000000")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["code"] == unknown.json()["code"] == "not_found"
    assert victim["key_id"] not in [k["key_id"] for k in globex.get("/v1/keys").json()["keys"]]
    assert {k["org_id"] for k in globex.get("/v1/keys").json()["keys"]} == {"globex"}
    # The body cannot name another organisation.
    smuggled = globex.post("/v1/keys", json={"role": "admin", "org_id": "acme"})
    assert smuggled.status_code == 422 and smuggled.json()["field"] == "body.org_id"
    user = TestClient(create_app(settings), headers=bearer(victim["token"]))
    assert user.get("/v1/lists").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "superuser"}, "body.role"),
        ({}, "body.role"),
        ({"role": "analyst", "expires_in_days": 0}, "body.expires_in_days"),
        ({"role": "analyst", "expires_in_days": 100_000}, "body.expires_in_days"),
        ({"role": "analyst", "name": "x" * 201}, "body.name"),
        ({"role": "analyst", "name": "bell\u0007"}, "name"),
    ],
)
def test_bad_key_requests_are_422_naming_the_field(settings: Settings, body: dict[str, object], field: str) -> None:
    response = _admin(settings).post("/v1/keys", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error" and response.json()["field"] == field


def test_expired_keys_are_refused_and_listed_as_inactive(settings: Settings) -> None:
    url = settings.database_url
    with session_scope(url) as session:
        row, token = keys.create_key(
            session, org_id="acme", role=Role.AUDITOR, expires_at=datetime.now(UTC) + timedelta(hours=1)
        )
        key_id = row.id
    assert keys.authenticate(url, token) == Principal(key_id, "acme", Role.AUDITOR)
    assert keys.authenticate(url, token, now=datetime.now(UTC) + timedelta(hours=2)) is None
    with session_scope(url) as session:
        session.execute(
            update(ApiKeyRow).where(ApiKeyRow.id == key_id).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert keys.authenticate(url, token) is None
    assert keys.authenticate(url, token + "x") is None and keys.authenticate(url, "") is None
    with session_scope(url) as session:
        [info] = [keys.key_dict(r) for r in keys.list_keys(session, "acme")]
    assert info["active"] is False and info["revoked_at"] is None


def test_create_key_validates_and_creates_the_organisation(settings: Settings) -> None:
    url = settings.database_url
    with session_scope(url) as session:
        with pytest.raises(keys.KeyInputError) as bad_org:
            keys.create_key(session, org_id="Acme Corp", role=Role.ADMIN)
        assert bad_org.value.field == "org"
        with pytest.raises(keys.KeyInputError) as past:
            keys.create_key(session, org_id="acme", role=Role.ADMIN, expires_at=datetime.now(UTC) - timedelta(days=1))
        assert past.value.field == "expires_at"
    with session_scope(url) as session:
        keys.create_key(session, org_id="initech", role=Role.SUBMITTER)
        keys.create_key(session, org_id="initech", role=Role.ANALYST)
    with session_scope(url) as session:
        assert [o.id for o in session.scalars(select(Organisation))] == ["initech"]


def test_bootstrap_only_on_an_empty_key_table(settings: Settings) -> None:
    url = settings.database_url
    first = keys.bootstrap(url)
    assert first is not None
    row, token = first
    assert (row.org_id, row.role) == ("default", "admin")
    assert keys.bootstrap(url) is None
    admin = TestClient(create_app(settings), headers=bearer(token))
    assert admin.get("/v1/keys").json()["keys"][0]["key_id"] == row.id


def test_concurrent_bootstraps_make_one_key(db_url: str) -> None:
    """Several first starts at once (API replicas on PostgreSQL) create exactly one admin key."""
    if db_url.startswith("sqlite"):
        pytest.skip("embedded SQLite bootstraps once, from `make run`")
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(keys.bootstrap(db_url))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result is not None for result in results) == 1 and len(results) == 6
    with session_scope(db_url) as session:
        assert keys.key_count(session) == 1
