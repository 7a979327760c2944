"""Who may call what: every route of the app has a row in ACCESS (a new route without one fails here), each route
declares exactly those roles with `allow(...)`, and each is called with a key of every role: 403 exactly for the
roles left out, 401 without a key or with an unknown, revoked or expired one. GET /health is the one open route."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import update

from service.access import Role
from service.api.app import create_app
from service.api.deps import Allow
from service.db.models import ApiKeyRow
from service.db.session import session_scope
from service.settings import Settings
from tests.support.auth import bearer, make_key

S, AN, AU, AD = Role.SUBMITTER, Role.ANALYST, Role.AUDITOR, Role.ADMIN
EVERYONE = frozenset(Role)

# (method, path) → the roles allowed. A helper adding a route adds its row here.
ACCESS: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/v1/lists"): EVERYONE,
    ("GET", "/v1/lists/{list_id}/entities/{entity_id}"): EVERYONE,
    ("POST", "/v1/screen"): frozenset({S, AN, AD}),
    ("POST", "/v1/shipments/screen"): frozenset({S, AN, AD}),
    ("GET", "/v1/screenings"): EVERYONE,
    ("GET", "/v1/screenings/{screening_id}"): EVERYONE,
    ("POST", "/v1/batches"): frozenset({S, AD}),
    ("GET", "/v1/batches/{batch_id}"): EVERYONE,
    ("GET", "/v1/batches/{batch_id}/results"): EVERYONE,
    ("GET", "/v1/batches/{batch_id}/deliveries"): EVERYONE,
    ("GET", "/v1/audit/events"): frozenset({AU, AD}),
    ("GET", "/v1/audit/events/export"): frozenset({AU, AD}),
    ("GET", "/v1/audit/verify"): frozenset({AU, AD}),
    ("POST", "/v1/keys"): frozenset({AD}),
    ("GET", "/v1/keys"): frozenset({AD}),
    ("DELETE", "/v1/keys/{key_id}"): frozenset({AD}),
    ("GET", "/v1/alerts"): frozenset({AN, AU, AD}),
    ("GET", "/v1/alerts/{alert_id}"): frozenset({AN, AU, AD}),
    ("POST", "/v1/alerts/{alert_id}/decisions"): frozenset({AN, AD}),
    ("POST", "/v1/ownership"): frozenset({S, AD}),
    ("GET", "/v1/ownership"): EVERYONE,
    ("GET", "/v1/settings/decision"): frozenset({AU, AD}),
    ("PUT", "/v1/settings/decision"): frozenset({AD}),
}
OPEN = {("GET", "/health")}

# Values for path parameters: well-formed, naming nothing that exists (the handlers answer 404 or 422 after auth).
PATH_VALUES = {
    "batch_id": "00000000-0000-0000-0000-000000000000",
    "alert_id": "1",
    "key_id": "key_0000000000000000",
    "screening_id": "00000000-0000-0000-0000-000000000000",
}


def _routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    """Every (method, path) the app serves through FastAPI, included routers flattened."""
    for context in iter_route_contexts(app.routes):
        if not isinstance(context.original_route, APIRoute):
            continue  # /docs, /openapi.json: FastAPI's own pages
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                yield method, str(context.path), context


def _declared_roles(route: APIRoute) -> list[frozenset[Role]]:
    found: list[frozenset[Role]] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if isinstance(dependency.call, Allow):
            found.append(dependency.call.allowed_roles)
        stack.extend(dependency.dependencies)
    return found


def _url(path: str) -> str:
    url = path
    for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
        url = url.replace("{" + name + "}", PATH_VALUES.get(name, "x1"))
    return url


@pytest.fixture(scope="module")
def app() -> FastAPI:
    return create_app(Settings(_env_file=None))  # type: ignore[call-arg]


def test_every_route_has_a_rule_and_every_rule_a_route(app: FastAPI) -> None:
    served = {(method, path) for method, path, _ in _routes(app)}
    missing = sorted(served - set(ACCESS) - OPEN)
    assert not missing, f"routes without a row in ACCESS (add one: who may call it?): {missing}"
    stale = sorted(set(ACCESS) - served)
    assert not stale, f"rows in ACCESS for routes the app no longer serves: {stale}"


def test_each_route_declares_exactly_its_rule(app: FastAPI) -> None:
    for method, path, route in _routes(app):
        declared = _declared_roles(route)
        if (method, path) in OPEN:
            assert declared == [], f"{method} {path} is meant to be open"
            continue
        assert declared, f"{method} {path} has no Depends(allow(...))"
        effective = frozenset.intersection(*declared)
        assert effective == ACCESS[(method, path)], f"{method} {path}: allow{sorted(effective)} in the code"


def test_roles_get_403_exactly_where_not_allowed(settings: Settings) -> None:
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    tokens = {role: make_key(settings.database_url, "acme", role) for role in Role}
    for method, path, _ in _routes(client.app):  # type: ignore[arg-type]
        if (method, path) in OPEN:
            continue
        for role, token in tokens.items():
            response = client.request(method, _url(path), headers=bearer(token))
            where = f"{method} {path} as {role.value}: {response.status_code} {response.text[:200]}"
            assert response.status_code < 500, where
            if role in ACCESS[(method, path)]:
                assert response.status_code not in (401, 403), where
            else:
                assert response.status_code == 403, where
                assert response.json()["code"] == "forbidden", where


def test_missing_unknown_revoked_and_expired_keys_are_401_everywhere(settings: Settings) -> None:
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    url = settings.database_url
    revoked, expired = make_key(url, "acme", "admin"), make_key(url, "acme", "admin")
    with session_scope(url) as session:
        now = datetime.now(UTC)
        session.execute(update(ApiKeyRow).where(ApiKeyRow.prefix == revoked[:10]).values(revoked_at=now))
        session.execute(
            update(ApiKeyRow).where(ApiKeyRow.prefix == expired[:10]).values(expires_at=now - timedelta(seconds=1))
        )
    presented: list[dict[str, str]] = [
        {},
        bearer("sk_" + "A" * 43),
        {"X-API-Key": "not-a-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        bearer(revoked),
        {"X-API-Key": expired},
    ]
    for method, path, _ in _routes(client.app):  # type: ignore[arg-type]
        if (method, path) in OPEN:
            assert client.request(method, _url(path)).status_code in (200, 503)
            continue
        for headers in presented:
            response = client.request(method, _url(path), headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.json()["code"] == "unauthorized"
            assert response.headers["www-authenticate"] == "Bearer"


def test_both_headers_carry_a_key(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    token = make_key(settings.database_url, "acme", "auditor")
    assert client.get("/v1/lists", headers=bearer(token)).status_code == 200
    assert client.get("/v1/lists", headers={"X-API-Key": token}).status_code == 200
    assert client.get("/v1/lists", headers={"Authorization": f"bearer   {token}  "}).status_code == 200
