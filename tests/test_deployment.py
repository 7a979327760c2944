"""docker-compose.yml stays valid and runs the same `screening` commands the tests exercise."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml
from typer.testing import CliRunner

from service.cli import app

ROOT = Path(__file__).resolve().parent.parent


def _compose() -> dict[str, dict[str, object]]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services: dict[str, dict[str, object]] = data["services"]
    return services


def test_compose_has_the_five_services_with_healthchecks() -> None:
    """api, worker, beat, postgres and redis exist; the stateful ones and the api have healthchecks."""
    services = _compose()
    assert {"api", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    for name in ("api", "postgres", "redis", "worker"):
        assert "healthcheck" in services[name], name
    # migrations run before the api starts
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"  # type: ignore[index]


def test_compose_commands_are_real_cli_commands() -> None:
    """Every `screening ...` command in the compose file parses with the real CLI (checked via --help)."""
    runner = CliRunner()
    commands = [s["command"] for s in _compose().values() if isinstance(s.get("command"), list)]
    screening = [c for c in commands if c and c[0] == "screening"]
    assert len(screening) == 5
    for command in screening:
        assert isinstance(command, list)
        result = runner.invoke(app, [*command[1:], "--help"])
        assert result.exit_code == 0, (command, result.output)


def test_compose_config_validates_when_a_compose_tool_exists() -> None:
    """`docker compose config` (or docker-compose) accepts the file where the tool is installed."""
    tool = shutil.which("docker-compose")
    if tool is None:
        import pytest

        pytest.skip("no docker-compose binary on this machine")
    subprocess.run([tool, "config", "-q"], cwd=ROOT, check=True)
