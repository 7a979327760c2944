"""The audit log on SQLite and PostgreSQL: chained hashes, tampering found at the altered row, the append-only trigger,
concurrent appends, events written in the same transaction as the change, verification from the CLI."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from service import audit, batches
from service.cli import app
from service.core.errors import ListFormatError
from service.db.models import AuditEvent, Batch, ListVersion
from service.db.session import engine_for, session_scope
from service.refresh import import_files
from service.settings import Settings, get_settings
from tests.conftest import _truncate
from tests.test_versions import V1, write_sdn


def _append(url: str, count: int, org_id: str = audit.DEFAULT_ORG) -> None:
    for i in range(count):
        with session_scope(url) as session:
            audit.append_event(
                session,
                action="test.event",
                object_type="thing",
                object_id=str(i),
                payload={"n": i, "name": "Žluťoučký kůň", "nested": {"b": 1, "a": [1.5, None]}},
                org_id=org_id,
            )


def _events(url: str, org_id: str = audit.DEFAULT_ORG) -> list[AuditEvent]:
    with session_scope(url) as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.org_id == org_id).order_by(AuditEvent.seq)))


def _verify(url: str, org_id: str = audit.DEFAULT_ORG) -> audit.Verification:
    with session_scope(url) as session:
        return audit.verify(session, org_id)


def _tamper(url: str, sql: str, **params: Any) -> None:
    """Change the table behind the application's back (the trigger switched off for it on PostgreSQL)."""
    postgres = url.startswith("postgresql")
    with engine_for(url).begin() as conn:
        if postgres:
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        conn.execute(text(sql), params)
        if postgres:
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


def test_canonical_json_is_sorted_compact_and_unescaped() -> None:
    assert audit.canonical_json({"b": 1, "a": ["ü", 2.5]}) == '{"a":["ü",2.5],"b":1}'


def test_prepared_events_hash_as_the_verifier_recomputes() -> None:
    """Appending renders an event once (payload text, the string fields before it, the seq appended last); the
    verifier's canonical JSON of the stored fields gives the same hash, whatever the strings hold."""
    payloads: list[dict[str, Any]] = [
        {},
        {
            "name": 'Žluť "quoted" \\ back\nslash\t\x01 \u2028 \U0001f600',
            "nested": {"b": [1.5, None, 1e-05, -0.0, 10**20], "a": True},
            "when": date(2024, 1, 2),
            "amount": Decimal("1.10"),
            "at": datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        },
    ]
    head: tuple[int, str] | None = None
    for actor in (audit.SYSTEM, audit.Actor("key_1", key_id="key_1", role="admin")):
        for payload in payloads:
            for object_id in ("1", 'o"dd\\id', "ünï"):
                row = audit.prepare_event(
                    org_id="acme",
                    occurred_at=datetime(2026, 5, 6, 7, 8, 9, 123, tzinfo=UTC),
                    actor=actor,
                    action="thing.done",
                    object_type="thing",
                    object_id=object_id,
                    payload=payload,
                ).sealed(head)
                stored = {**row, "payload": json.loads(row["payload"])}
                assert audit.event_hash(row["prev_hash"], stored) == row["hash"]
                assert row["payload"] == audit.canonical_json(stored["payload"])
                head = (row["seq"], row["hash"])
    assert head is not None and head[0] == 12


def test_chain_links_and_hashes(db_url: str) -> None:
    """Sequences run 1..n per organisation, each prev_hash is the hash before, each hash recomputes."""
    _append(db_url, 4)
    _append(db_url, 2, org_id="other")
    events = _events(db_url)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].prev_hash == audit.GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    for event in events:
        row = {name: getattr(event, name) for name in audit.HASHED_FIELDS}
        assert audit.event_hash(event.prev_hash, row) == event.hash
    assert events[0].payload["name"] == "Žluťoučký kůň"
    result = _verify(db_url)
    assert result.ok and result.count == 4 and result.head_seq == 4 and result.head_hash == events[-1].hash
    assert [e.seq for e in _events(db_url, "other")] == [1, 2]
    assert all(v.ok for v in audit.verify_all(db_url))


def test_altered_payload_is_found_at_that_event(db_url: str) -> None:
    _append(db_url, 5)
    _tamper(db_url, "UPDATE audit_event SET payload = :p WHERE seq = 3", p='{"n": 99}')
    result = _verify(db_url)
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason) == (3, "hash")
    assert result.count == 2 and result.broken.stored == _events(db_url)[2].hash
    assert result.broken.expected != result.broken.stored


def test_altered_and_rehashed_event_breaks_the_next_link(db_url: str) -> None:
    _append(db_url, 4)
    third = _events(db_url)[2]
    row = {name: getattr(third, name) for name in audit.HASHED_FIELDS}
    row["payload"] = {"n": 99}
    forged = audit.event_hash(third.prev_hash, row)
    _tamper(db_url, "UPDATE audit_event SET payload = :p, hash = :h WHERE seq = 3", p='{"n": 99}', h=forged)
    result = _verify(db_url)
    assert result.broken is not None and (result.broken.seq, result.broken.reason) == (4, "prev_hash")


def test_deleted_event_is_named_as_the_gap(db_url: str) -> None:
    _append(db_url, 5)
    _tamper(db_url, "DELETE FROM audit_event WHERE seq = 2")
    result = _verify(db_url)
    assert result.broken is not None
    assert (result.broken.seq, result.broken.reason, result.broken.stored) == (2, "missing", "3")
    assert "event 2 is missing" in result.broken.message


def test_removed_newest_events_are_caught_by_an_anchored_head(db_url: str) -> None:
    """Deleting the newest events leaves a valid shorter chain; the head kept from an earlier verify exposes it."""
    _append(db_url, 5)
    head = _verify(db_url).to_dict()["head"]
    anchor = audit.parse_anchor(f"{head['seq']}:{head['hash']}")
    _append(db_url, 2)
    [grown] = audit.verify_all(db_url, audit.DEFAULT_ORG, anchor)
    assert grown.ok and grown.count == 7  # a chain that grew past the anchor is fine
    _tamper(db_url, "DELETE FROM audit_event WHERE seq >= 5")
    assert _verify(db_url).ok  # without the anchor, nothing to see
    [cut] = audit.verify_all(db_url, audit.DEFAULT_ORG, anchor)
    assert cut.broken is not None and (cut.broken.seq, cut.broken.reason, cut.broken.stored) == (5, "truncated", "4")
    assert "events were removed" in cut.broken.message
    [other] = audit.verify_all(db_url, audit.DEFAULT_ORG, (3, "0" * 64))
    assert other.broken is not None and (other.broken.seq, other.broken.reason) == (3, "anchor")


@pytest.mark.parametrize("text", ["5", "x:" + "a" * 64, "5:" + "A" * 64, "0:" + "a" * 64, "5:abc"])
def test_malformed_anchor_names_the_field(text: str) -> None:
    with pytest.raises(audit.AuditInputError) as info:
        audit.parse_anchor(text)
    assert info.value.field == "head"


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    """The session's PostgreSQL database, emptied before and after (the trigger and advisory lock are its own)."""
    _truncate(postgres_url)
    yield postgres_url
    _truncate(postgres_url)


@pytest.mark.postgres
def test_trigger_rejects_update_and_delete(pg_url: str) -> None:
    db_url = pg_url
    _append(db_url, 2)
    for sql in ("UPDATE audit_event SET action = 'x' WHERE seq = 1", "DELETE FROM audit_event WHERE seq = 2"):
        with pytest.raises(DBAPIError, match="append-only"), engine_for(db_url).begin() as conn:
            conn.execute(text(sql))
    assert _verify(db_url).count == 2
    # TRUNCATE fires no row trigger: the tests' own clean-up keeps working.
    with engine_for(db_url).begin() as conn:
        conn.execute(text("TRUNCATE audit_event"))
    assert _events(db_url) == []


@pytest.mark.postgres
def test_concurrent_appends_keep_a_gapless_valid_chain(pg_url: str) -> None:
    db_url = pg_url
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer() -> None:
        try:
            start.wait()
            _append(db_url, 25)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [e.seq for e in _events(db_url)] == list(range(1, 201))
    result = _verify(db_url)
    assert result.ok and result.count == 200


def test_import_records_its_version_in_the_same_transaction(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = settings.database_url
    with pytest.raises(ListFormatError):
        import_files(settings, list_id="sdn", name="SDN", fmt="ofac-csv", paths=[tmp_path / "missing.csv"])
    assert _events(url) == []

    def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    # Fails after import_parsed appended its event, inside the same unit of work: nothing may remain.
    monkeypatch.setattr("service.refresh.repo.get_source", broken)
    with pytest.raises(RuntimeError):
        import_files(settings, list_id="sdn", name="SDN", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v1", V1)])
    monkeypatch.undo()
    assert _events(url) == []
    with session_scope(url) as session:
        assert session.scalars(select(ListVersion)).first() is None

    result = import_files(settings, list_id="sdn", name="SDN", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v1", V1)])
    [event] = _events(url)
    assert (event.action, event.object_type, event.actor) == ("list_version.activated", "list_version", "system")
    assert event.object_id == str(result.version_id) and event.seq == 1
    assert event.payload["entity_count"] == 3 and event.payload["list_id"] == "sdn"


def test_batch_events_received_screened_completed(settings: Settings, tmp_path: Path) -> None:
    """One event when the batch is recorded, one per screened item and per chunk (tally + list versions), one at
    completion."""
    import_files(settings, list_id="ofac-test", name="t", fmt="ofac-csv", paths=[write_sdn(tmp_path / "v", V1)])
    small = settings.model_copy(update={"batch_chunk_size": 2})
    items = [{"name": "KOMINVEX DOO BEOGRAD"}, {"name": "Jane Clean-Person"}, {"name": "Ivan Ivanov"}]
    created = batches.create_batch(small, "k1", "sha", batches.parse_json_submission(_body(items), small))
    for batch_id, chunk_no in created.chunks:
        batches.run_chunk(small, batch_id, chunk_no)
    everything = _events(settings.database_url)
    # Hits also open alerts (their own events, tested in tests/test_alerts.py); here: the batch's own trail.
    assert {e.action for e in everything if e.action.startswith("alert.")} == {"alert.opened"}
    events = [e for e in everything if not e.action.startswith("alert.")]
    assert [e.action for e in events] == [
        "list_version.activated",
        "batch.received",
        "item.screened",
        "item.screened",
        "batch.items_screened",
        "item.screened",
        "batch.items_screened",
        "batch.completed",
    ]
    received, item, first, second, completed = events[1], events[2], events[4], events[6], events[7]
    assert item.object_id == f"{created.batch_id}:0" and item.payload["reference"] is None
    assert item.payload["decision"] in ("REVIEW", "BLOCK") and item.payload["matches"][0]["list"] == "ofac-test"
    assert item.payload["list_versions"] == first.payload["list_versions"] and len(item.payload["input_sha256"]) == 64
    assert len({e.payload["input_sha256"] for e in events if e.action == "item.screened"}) == 3
    assert received.object_id == created.batch_id and received.payload["items"] == 3 and received.actor == "api"
    assert first.payload["items"] == 2 and second.payload["items"] == 1
    assert list(first.payload["list_versions"]) == ["ofac-test"]
    assert first.payload["algorithm"] and len(first.payload["config_hash"]) == 64
    tally = {k: first.payload["decisions"][k] + second.payload["decisions"][k] for k in ("CLEAR", "REVIEW", "BLOCK")}
    assert completed.payload["counts"]["total"] == 3 and sum(tally.values()) == 3
    assert "".join(batches.iter_results_csv(small, created.batch_id, None)).count("\n") == 4
    export = _events(settings.database_url)[-1]
    assert (export.action, export.object_id, export.payload["what"]) == (
        "export.performed",
        created.batch_id,
        "batch_results",
    )
    assert _verify(settings.database_url).ok


def test_batch_rolls_back_with_its_event(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("chain unavailable")

    monkeypatch.setattr(audit, "append_event", broken)
    submission = batches.parse_json_submission(_body([{"name": "A B"}]), settings)
    with pytest.raises(RuntimeError):
        batches.create_batch(settings, "k1", "sha", submission)
    with session_scope(settings.database_url) as session:
        assert session.scalars(select(Batch)).first() is None


def _body(items: list[dict[str, Any]]) -> bytes:
    return json.dumps({"items": items}).encode()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setenv("SCREENING_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_cli_verify_and_export(cli_env: Settings, tmp_path: Path) -> None:
    url = cli_env.database_url
    runner = CliRunner()
    _append(url, 3)
    out = runner.invoke(app, ["audit", "verify"])
    assert out.exit_code == 0 and "default: ok, 3 events" in out.output, out.output
    target = tmp_path / "audit.csv"
    out = runner.invoke(app, ["audit", "export", "--format", "csv", "--out", str(target)])
    assert out.exit_code == 0, out.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("org_id,seq,occurred_at") and len(lines) == 1 + 4  # the export records itself
    assert runner.invoke(app, ["audit", "export", "--format", "xml", "--out", str(target)]).exit_code == 2
    _tamper(url, "UPDATE audit_event SET object_id = 'forged' WHERE seq = 2")
    out = runner.invoke(app, ["audit", "verify", "--org", "default"])
    assert out.exit_code == 1 and "BROKEN at event 2" in out.output, out.output


def test_cli_verify_with_an_anchored_head(cli_env: Settings) -> None:
    url = cli_env.database_url
    runner = CliRunner()
    _append(url, 4)
    head = _verify(url).to_dict()["head"]
    anchored = ["audit", "verify", "--org", "default", "--head", f"{head['seq']}:{head['hash']}"]
    assert runner.invoke(app, anchored).exit_code == 0
    _tamper(url, "DELETE FROM audit_event WHERE seq = 4")
    out = runner.invoke(app, anchored)
    assert out.exit_code == 1 and "events were removed" in out.output, out.output
    out = runner.invoke(app, ["audit", "verify", "--org", "default", "--head", "nonsense"])
    assert out.exit_code == 2 and "SEQ:HASH" in out.output, out.output
