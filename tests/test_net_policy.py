"""The webhook SSRF guard: callback URLs must reach public addresses unless the deployment allows private ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.batches import parse_json_submission
from service.core.errors import ScreeningError
from service.net_policy import forbidden_reason, resolved_forbidden_reason
from service.settings import Settings


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://api.localhost/hook",
        "http://169.254.169.254/latest/meta-data",  # cloud metadata
        "http://10.1.2.3/x",
        "http://192.168.0.10/x",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",  # IPv4-mapped loopback
        "http://0.0.0.0/x",
        "https://db.internal/x",
    ],
)
def test_private_and_local_targets_are_refused(url: str) -> None:
    assert forbidden_reason(url) is not None
    assert resolved_forbidden_reason(url) is not None


def test_public_literal_address_is_allowed() -> None:
    assert forbidden_reason("https://93.184.215.14/hook") is None
    assert forbidden_reason("https://hooks.example.com/hook") is None  # names are judged when resolved


def test_unresolvable_name_is_refused_at_delivery() -> None:
    reason = resolved_forbidden_reason("https://no-such-host.invalid/hook")
    assert reason is not None and "does not resolve" in reason


def _settings(tmp_path: Path, allow: bool) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        webhook_allow_private_networks=allow,
        _env_file=None,
    )


def test_batch_submission_names_the_field_and_code(tmp_path: Path) -> None:
    body = b'{"items": [{"name": "Acme"}], "callback_url": "http://169.254.169.254/hook"}'
    with pytest.raises(ScreeningError) as info:
        parse_json_submission(body, _settings(tmp_path, allow=False))
    assert info.value.code == "callback_url_forbidden"
    assert info.value.field == "callback_url"
    assert "169.254.169.254" in info.value.message
    allowed = parse_json_submission(body, _settings(tmp_path, allow=True))
    assert allowed.callback_url == "http://169.254.169.254/hook"
