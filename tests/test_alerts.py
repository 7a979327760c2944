"""Alerts, analyst decisions and good-guy memory against a small custom-csv list imported as real versions.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from service import alerts, audit
from service.core.errors import NotFoundError
from service.db import alerts_repo
from service.db.models import Alert, AuditEvent
from service.db.session import engine_for, session_scope
from service.inputs import CounterpartyIn
from service.refresh import import_files
from service.screening_service import INDEXES, screen_counterparty
from service.settings import Settings

HEADER = "entity_id,entity_type,name,aliases,date_of_birth,country,identifiers,programs\n"
# E-1: a name-only REVIEW for "Kominvex Trading LLC"; E-2: a BLOCK (name + date of birth) for Ivan Petrov, who also
# matches E-5 (same name, no date of birth: REVIEW); E-3: an unrelated entity.
ROWS = {
    "E-1": "E-1,organization,Kominvex Trading LLC,,,RS,,TEST",
    "E-2": "E-2,person,Ivan PETROV,,1970-03-12,RU,passport:7512345:RU,TEST",
    "E-3": "E-3,organization,Zalvoren Holdings,,,CY,,TEST",
    "E-5": "E-5,person,Ivan PETROV,,,,,TEST",
}
KOMINVEX = {"reference": "cust-1", "name": "Kominvex Trading LLC"}
PETROV = {"reference": "cust-2", "name": "Ivan Petrov", "type": "person", "date_of_birth": "1970-03-12"}
CLEAR_PARTY = {"reference": "cust-3", "name": "Acme Garden Supplies"}


@dataclass(frozen=True, slots=True)
class Analyst:
    """The principal fields `alerts.decide` reads (service.access.Principal has the same shape)."""

    key_id: str
    org_id: str = "acme"
    role: str = "analyst"


def write_list(folder: Path, rows: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "own.csv"
    path.write_text(HEADER + "\n".join(rows.values()) + "\n", encoding="utf-8")
    return path


def import_list(settings: Settings, folder: Path, rows: dict[str, str], published: date) -> int:
    path = write_list(folder, rows)
    result = import_files(settings, list_id="own", name="Own list", fmt="custom-csv", paths=[path], published=published)
    assert result.outcome == "activated"
    INDEXES.clear()  # the next screening must see the new version at once
    return result.version_id


def screen(
    settings: Settings, party: dict[str, Any], org_id: str = "acme", source: str = "screen"
) -> tuple[dict[str, Any], list[int]]:
    """Screen like the API does: match, then open alerts / apply memory in one transaction."""
    counterparty = CounterpartyIn.model_validate(party)
    document = screen_counterparty(INDEXES.context(settings.database_url), counterparty)
    with session_scope(settings.database_url) as session:
        ids = alerts.open_alerts(session, org_id, counterparty, document, source, counterparty.reference)
    return document, ids


def get(settings: Settings, alert_id: int) -> Alert:
    with session_scope(settings.database_url) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        return alert


def decide(
    settings: Settings, analyst: Analyst, alert_id: int, decision: str, reason: str | None = None, **kw: Any
) -> tuple[str, int]:
    with session_scope(settings.database_url) as session:
        alert, row = alerts.decide(session, analyst, alert_id, decision, reason, **kw)
        return alert.status, row.id


def events(settings: Settings, org_id: str, action: str) -> list[AuditEvent]:
    with session_scope(settings.database_url) as session:
        query = select(AuditEvent).where(AuditEvent.org_id == org_id, AuditEvent.action == action)
        return list(session.scalars(query.order_by(AuditEvent.seq)))


@pytest.fixture
def listed(settings: Settings, tmp_path: Path) -> Settings:
    import_list(settings, tmp_path / "v1", ROWS, date(2026, 1, 1))
    return settings


def test_review_and_block_open_alerts_clear_does_not(listed: Settings) -> None:
    document, ids = screen(listed, KOMINVEX)
    assert document["decision"] == "REVIEW" and len(ids) == 1
    alert = get(listed, ids[0])
    assert (alert.status, alert.decision, alert.entity_id, alert.source, alert.source_ref) == (
        "open",
        "REVIEW",
        "E-1",
        "screen",
        "cust-1",
    )
    assert len(alert.content_hash) == 64 and alert.list_version.startswith("own@2026-01-01#")
    assert alert.match["entity_id"] == "E-1" and alert.match["features"]

    document, ids = screen(listed, PETROV)
    assert document["decision"] == "BLOCK"
    by_entity = {get(listed, i).entity_id: get(listed, i).decision for i in ids}
    assert by_entity == {"E-2": "BLOCK", "E-5": "REVIEW"}  # each match's own severity

    document, ids = screen(listed, CLEAR_PARTY)
    assert document["decision"] == "CLEAR" and ids == []
    opened = events(listed, "acme", "alert.opened")
    assert [e.payload["entity_id"] for e in opened] == ["E-1", "E-2", "E-5"]
    assert all(v.ok for v in audit.verify_all(listed.database_url))


def test_the_same_match_again_is_one_alert_with_two_occurrences(listed: Settings) -> None:
    _, first = screen(listed, KOMINVEX)
    _, again = screen(listed, {**KOMINVEX, "reference": "other-ref", "name": "KOMINVEX  trading, LLC"})
    assert again == first
    assert get(listed, first[0]).occurrences == 2
    assert len(events(listed, "acme", "alert.opened")) == 1


def test_decision_input_is_validated(listed: Settings) -> None:
    _, ids = screen(listed, KOMINVEX)
    with pytest.raises(alerts.AlertInputError) as missing:
        decide(listed, Analyst("k1"), ids[0], "false_positive", "   ")
    assert missing.value.field == "reason" and missing.value.status == 422
    with pytest.raises(alerts.AlertInputError) as unknown:
        decide(listed, Analyst("k1"), ids[0], "dismiss", "x")
    assert unknown.value.field == "decision"
    assert get(listed, ids[0]).status == "open"  # nothing was recorded


def test_false_positive_suppresses_the_same_match_later(listed: Settings) -> None:
    _, ids = screen(listed, KOMINVEX)
    status, decision_id = decide(listed, Analyst("k1"), ids[0], "false_positive", "our customer is a Serbian bakery")
    assert status == "false_positive"
    assert get(listed, ids[0]).closing_decision_id == decision_id

    document, again = screen(listed, KOMINVEX)
    assert again == []
    assert document["decision"] == "CLEAR" and document["rule"] == alerts.SUPPRESSED_RULE
    assert document["decision_before_suppression"] == "REVIEW"
    assert document["matches"][0]["suppressed_by"] == decision_id
    assert document["suppressed_by"] == [decision_id]

    decided = events(listed, "acme", "alert.decided")
    assert decided[-1].payload["decision_id"] == decision_id
    assert decided[-1].actor_key_id == "k1" and decided[-1].payload["reason"] == "our customer is a Serbian bakery"


def test_four_eyes_block_release_needs_a_second_key(listed: Settings) -> None:
    _, ids = screen(listed, PETROV)
    block = next(i for i in ids if get(listed, i).decision == "BLOCK")
    status, _ = decide(listed, Analyst("k1"), block, "false_positive", "different date of birth on file")
    assert status == "awaiting_second_review"
    with pytest.raises(alerts.AlertConflictError) as same:
        decide(listed, Analyst("k1"), block, "false_positive", "still not him")
    assert same.value.code == "four_eyes_same_analyst" and same.value.status == 409
    status, released_by = decide(listed, Analyst("k2"), block, "false_positive", "confirmed: passport differs")
    assert status == "false_positive"
    with pytest.raises(alerts.AlertConflictError) as closed:
        decide(listed, Analyst("k3"), block, "true_match")
    assert closed.value.code == "alert_closed"

    # The BLOCK match is remembered; the REVIEW match (E-5) still stands, so the decision is recomputed to REVIEW.
    document, _ = screen(listed, PETROV)
    assert document["decision"] == "REVIEW" and document["rule"] == "score_above_review_threshold"
    suppressed = {m["entity_id"]: m.get("suppressed_by") for m in document["matches"]}
    assert suppressed == {"E-2": released_by, "E-5": None}


def test_four_eyes_can_be_switched_off(listed: Settings) -> None:
    _, ids = screen(listed, PETROV)
    block = next(i for i in ids if get(listed, i).decision == "BLOCK")
    status, _ = decide(listed, Analyst("k1"), block, "false_positive", "not him", four_eyes=False)
    assert status == "false_positive"


def test_escalate_then_true_match_keeps_history(listed: Settings) -> None:
    _, ids = screen(listed, KOMINVEX)
    assert decide(listed, Analyst("k1"), ids[0], "escalate", "needs legal")[0] == "escalated"
    assert decide(listed, Analyst("k2", role="admin"), ids[0], "true_match")[0] == "true_match"
    with session_scope(listed.database_url) as session:
        history = alerts.history(session, ids[0])
    assert [(d.decision, d.status_before, d.status_after, d.actor_key_id) for d in history] == [
        ("escalate", "open", "escalated", "k1"),
        ("true_match", "escalated", "true_match", "k2"),
    ]
    # A confirmed match screened again is the same alert, not a new one to decide.
    document, again = screen(listed, KOMINVEX)
    assert document["decision"] == "REVIEW" and again == ids


def test_reopened_when_the_listed_record_changes_not_when_another_does(listed: Settings, tmp_path: Path) -> None:
    """The done-criterion: a suppressed alert comes back when its listed entity changes between two versions."""
    _, ids = screen(listed, KOMINVEX)
    _, decision_id = decide(listed, Analyst("k1"), ids[0], "false_positive", "different company")
    assert screen(listed, KOMINVEX)[0]["decision"] == "CLEAR"

    # Version 2 changes only an unrelated entity: the memory holds.
    import_list(listed, tmp_path / "v2", {**ROWS, "E-3": ROWS["E-3"].replace(",CY,", ",MT,")}, date(2026, 2, 1))
    assert get(listed, ids[0]).status == "false_positive"
    document, _ = screen(listed, KOMINVEX)
    assert document["matches"][0]["suppressed_by"] == decision_id
    assert events(listed, "acme", "alert.reopened") == []

    # Version 3 adds an alias to E-1: the alert reopens (with an event) and screenings are no longer suppressed.
    old_hash = get(listed, ids[0]).content_hash
    changed = {**ROWS, "E-1": "E-1,organization,Kominvex Trading LLC,Kominvex Doo,,RS,,TEST"}
    import_list(listed, tmp_path / "v3", changed, date(2026, 3, 1))
    alert = get(listed, ids[0])
    assert alert.status == "reopened"
    reopened = events(listed, "acme", "alert.reopened")
    assert len(reopened) == 1 and reopened[0].object_id == str(ids[0])
    assert reopened[0].payload["reason"] == "entity_changed"
    assert reopened[0].payload["previous_content_hash"] == old_hash
    assert reopened[0].payload["released_by_decision"] == decision_id

    document, again = screen(listed, KOMINVEX)
    assert document["decision"] == "REVIEW" and "suppressed_by" not in document["matches"][0]
    assert again == ids  # the reopened alert carries the new evidence
    alert = get(listed, ids[0])
    assert alert.content_hash != old_hash and alert.list_version.startswith("own@2026-03-01#")
    # Deciding again remembers the new record.
    _, second = decide(listed, Analyst("k2"), ids[0], "false_positive", "still a different company")
    assert screen(listed, KOMINVEX)[0]["matches"][0]["suppressed_by"] == second
    assert all(v.ok for v in audit.verify_all(listed.database_url))


def test_removed_entity_reopens_its_false_positive(listed: Settings, tmp_path: Path) -> None:
    _, ids = screen(listed, KOMINVEX)
    decide(listed, Analyst("k1"), ids[0], "false_positive", "different company")
    import_list(listed, tmp_path / "v2", {k: v for k, v in ROWS.items() if k != "E-1"}, date(2026, 2, 1))
    assert get(listed, ids[0]).status == "reopened"
    assert events(listed, "acme", "alert.reopened")[0].payload["reason"] == "entity_removed"


def test_organisations_are_separate(listed: Settings) -> None:
    _, ids = screen(listed, KOMINVEX, org_id="acme")
    decide(listed, Analyst("k1"), ids[0], "false_positive", "different company")
    # Another organisation's memory never suppresses, and its analysts cannot see or decide the alert.
    document, other = screen(listed, KOMINVEX, org_id="globex")
    assert document["decision"] == "REVIEW" and other and other != ids
    with pytest.raises(NotFoundError):
        decide(listed, Analyst("g1", org_id="globex"), ids[0], "true_match")
    with session_scope(listed.database_url) as session:
        page = alerts.page(session, alerts.AlertFilter("globex"), None, 50)
    assert [a["id"] for a in page["items"]] == other
    assert events(listed, "globex", "alert.opened")[0].object_id == str(other[0])


def test_memory_lookup_is_a_fixed_number_of_queries_per_chunk(listed: Settings) -> None:
    """A batch chunk of many hits costs two lookups (content hashes, memory), not one per match."""
    context = INDEXES.context(listed.database_url)
    items = []
    for n in range(120):
        party = CounterpartyIn.model_validate({**(PETROV if n % 2 else KOMINVEX), "reference": f"r{n}"})
        items.append(alerts.Screened(party, screen_counterparty(context, party), "batch_item", f"b:{n}"))
    statements: list[str] = []

    def _count(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = engine_for(listed.database_url)
    with session_scope(listed.database_url) as session:
        event.listen(engine, "before_cursor_execute", _count)
        try:
            alerts.apply_memory(session, "acme", items)
        finally:
            event.remove(engine, "before_cursor_execute", _count)
        touched = alerts.open_for(session, "acme", items)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
    assert len(set(touched)) == 3  # E-1, E-2, E-5: one alert each, 180 occurrences in all
    assert sum(get(listed, i).occurrences for i in set(touched)) == 180


def test_concurrent_screenings_of_a_new_match_open_one_alert(listed: Settings) -> None:
    """Opening alerts is check-then-insert; it is serialised per organisation, so racing screenings share one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: screen(listed, KOMINVEX)[1], range(12)))
    assert {tuple(ids) for ids in results} == {tuple(results[0])} and len(results[0]) == 1
    assert get(listed, results[0][0]).occurrences == 12
    assert len(events(listed, "acme", "alert.opened")) == 1
    assert all(v.ok for v in audit.verify_all(listed.database_url))


def test_document_matches_decide_as_the_matcher_did(listed: Settings) -> None:
    """Recomputing from the document's matches (what suppression does) reproduces the screening's own decision and
    rule, so the per-match view of the decision rules stays in step with the matcher's features."""
    from service.core.match_config import MatchConfig

    parties: list[dict[str, Any]] = [
        KOMINVEX,
        PETROV,
        {**PETROV, "date_of_birth": "1971"},
        {"name": "Ivan Petrov", "identifiers": [{"type": "passport", "value": "7512345", "country": "RU"}]},
        {"name": "Kominvex Trading", "country": "RS"},
        {"name": "Zalvoren Holdings Ltd", "country": "CY", "type": "organization"},
    ]
    seen: set[str] = set()
    for party in parties:
        document, _ = screen(listed, party, org_id="probe")
        if document["matches"]:
            assert alerts.decision_of(document["matches"], MatchConfig()) == (document["decision"], document["rule"])
        seen.add(document["rule"])
    assert {"identifier_match", "strong_name_with_corroboration", "score_above_review_threshold"} <= seen


def test_alert_lookup_by_fingerprint_keeps_to_its_organisation_and_statuses(settings: Settings) -> None:
    """`for_fingerprints` (the lookup of every screening with hits) on both databases: only the organisation's
    alerts, only the asked statuses, every fingerprint asked for, across more fingerprints than one query takes."""
    now = datetime.now(UTC)
    statuses = ("open", "false_positive", "true_match")
    rows = [
        {
            "org_id": org,
            "fingerprint": f"fp-{n:04d}",
            "counterparty": {"name": f"party {n}"},
            "list_id": "test",
            "entity_id": f"E-{n}-{status}",
            "entity_name": "x",
            "content_hash": "h",
            "list_version": "test@2026-01-01#1",
            "score": 0.9,
            "decision": "REVIEW",
            "match": {},
            "source": "screen",
            "source_ref": None,
            "status": status,
            "occurrences": 1,
            "closing_decision_id": None,
            "created_at": now,
            "updated_at": now,
            "last_seen_at": now,
        }
        for org in ("org-a", "org-b")
        for n in range(700)
        for status in statuses
    ]
    with session_scope(settings.database_url) as session:
        alerts_repo.insert_alerts(session, rows)
    asked = [f"fp-{n:04d}" for n in range(700)] + ["fp-none"]
    with session_scope(settings.database_url) as session:
        found = alerts_repo.for_fingerprints(session, "org-a", asked, ("open", "true_match"))
    got = sorted((r.fingerprint, r.status) for r in found)
    assert got == sorted((f"fp-{n:04d}", s) for n in range(700) for s in ("open", "true_match"))
    assert all(r.entity_id.endswith(r.status) for r in found)
