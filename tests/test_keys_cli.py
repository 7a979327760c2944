"""`screening keys create/list/revoke/bootstrap` as an operator runs them: the token printed once, usable at once,
revocable, never listed; bootstrap only on an empty key table; bad input exits 2 naming the option."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.api.app import create_app
from service.cli import app
from service.settings import Settings
from tests.support.auth import bearer
from tests.test_cli import cli_env

__all__ = ["cli_env"]  # the fixture, shared with tests/test_cli.py
runner = CliRunner()


def _token(output: str) -> str:
    [token] = [line for line in output.splitlines() if line.startswith("sk_")]
    return token


def test_bootstrap_once_then_create_list_revoke(cli_env: Settings) -> None:
    first = runner.invoke(app, ["keys", "bootstrap"])
    assert first.exit_code == 0, first.output
    admin_token = _token(first.output)
    second = runner.invoke(app, ["keys", "bootstrap"])
    assert second.exit_code == 0 and "already exist" in second.output and "sk_" not in second.output

    created = runner.invoke(
        app, ["keys", "create", "--org", "acme", "--role", "Submitter", "--name", "SAP", "--expires-in-days", "90"]
    )
    assert created.exit_code == 0, created.output
    token = _token(created.output)
    client = TestClient(create_app(cli_env))
    assert client.get("/v1/lists", headers=bearer(token)).status_code == 200
    assert client.get("/v1/keys", headers=bearer(admin_token)).json()["keys"][0]["org_id"] == "default"

    listed = json.loads(runner.invoke(app, ["keys", "list", "--org", "acme", "--json"]).output)
    assert [(k["role"], k["name"], k["active"]) for k in listed] == [("submitter", "SAP", True)]
    assert listed[0]["expires_at"] is not None
    everything = runner.invoke(app, ["keys", "list"]).output
    assert "default" in everything and "acme" in everything and token not in everything

    revoked = runner.invoke(app, ["keys", "revoke", listed[0]["key_id"]])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/v1/lists", headers=bearer(token)).status_code == 401
    assert "revoked" in runner.invoke(app, ["keys", "list", "--org", "acme"]).output


def test_bad_input_exits_2_naming_what_is_wrong(cli_env: Settings) -> None:
    role = runner.invoke(app, ["keys", "create", "--org", "acme", "--role", "boss"])
    assert role.exit_code == 2 and "--role" in role.output and "submitter" in role.output
    org = runner.invoke(app, ["keys", "create", "--org", "ACME Inc", "--role", "admin"])
    assert org.exit_code == 2 and "organisation" in org.output
    days = runner.invoke(app, ["keys", "create", "--org", "acme", "--role", "admin", "--expires-in-days", "0"])
    assert days.exit_code == 2 and "expires_in_days" in days.output
    unknown = runner.invoke(app, ["keys", "revoke", "key_nope"])
    assert unknown.exit_code == 2 and "not_found" in unknown.output
