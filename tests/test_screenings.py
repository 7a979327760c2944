"""Synchronous screenings are kept per organisation with their audit event; paging, filters and scoping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from service import audit, screenings
from service.db.models import AuditEvent
from service.db.session import session_scope

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def _document(reference: str, decision: str) -> dict[str, Any]:
    matches = [{"list": "un-sc", "entity_id": "QDe.1", "score": 0.93}] if decision != "CLEAR" else []
    return {
        "reference": reference,
        "decision": decision,
        "rule": "test",
        "matches": matches,
        "list_versions": {"un-sc": "2026-11-01#1"},
        "as_of": None,
        "algorithm": "test-1",
    }


def _store(url: str, org: str, reference: str, decision: str, minutes: int, kind: str = "counterparty") -> str:
    with session_scope(url) as session:
        return screenings.record(
            session,
            org_id=org,
            kind=kind,
            request={"name": reference},
            document=_document(reference, decision),
            as_of=None,
            actor=audit.Actor("api", key_id=f"key-{org}", role="submitter"),
            now=T0 + timedelta(minutes=minutes),
        )


def test_record_keeps_input_result_and_audit_event(db_url: str) -> None:
    first = _store(db_url, "acme", "r1", "BLOCK", 0)
    with session_scope(db_url) as session:
        row = screenings.get(session, "acme", first)
        assert row is not None and row.document["matches"][0]["entity_id"] == "QDe.1"
        assert screenings.as_dict(row)["request"] == {"name": "r1"}
        assert screenings.get(session, "other", first) is None  # another organisation's id: not found
        event = session.scalars(select(AuditEvent).where(AuditEvent.object_id == first)).one()
        assert (event.org_id, event.action, event.actor_key_id) == ("acme", "item.screened", "key-acme")
        assert event.payload["decision"] == "BLOCK" and event.payload["list_versions"] == {"un-sc": "2026-11-01#1"}
        assert event.payload["input_sha256"] == audit.content_sha256({"name": "r1"})
    assert all(v.ok for v in audit.verify_all(db_url))


def test_page_filters_scopes_and_pages_newest_first(db_url: str) -> None:
    ids = [_store(db_url, "acme", f"r{i}", ("CLEAR", "REVIEW", "BLOCK")[i % 3], i) for i in range(7)]
    _store(db_url, "other", "x", "BLOCK", 3)
    _store(db_url, "acme", "s1", "BLOCK", 8, kind="shipment")
    with session_scope(db_url) as session:
        seen: list[str] = []
        cursor = None
        while True:
            result = screenings.page(session, screenings.ScreeningFilter("acme", kind="counterparty"), cursor, 3)
            seen += [item["id"] for item in result["items"]]
            cursor = result["next_cursor"]
            if cursor is None:
                break
        assert seen == list(reversed(ids))
        blocks = screenings.page(session, screenings.ScreeningFilter("acme", decision="block"), None, 50)["items"]
        assert [b["reference"] for b in blocks] == ["s1", "r5", "r2"]
        window = screenings.ScreeningFilter("acme", since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4))
        assert [i["reference"] for i in screenings.page(session, window, None, 50)["items"]] == ["r3", "r2"]
        assert [
            i["reference"] for i in screenings.page(session, screenings.ScreeningFilter("other"), None, 9)["items"]
        ] == ["x"]


@pytest.mark.parametrize(
    ("where", "cursor", "field"),
    [
        (screenings.ScreeningFilter("acme", kind="vessel"), None, "kind"),
        (screenings.ScreeningFilter("acme", decision="maybe"), None, "decision"),
        (screenings.ScreeningFilter("acme"), "not-a-cursor!", "cursor"),
    ],
)
def test_bad_filters_name_the_field(db_url: str, where: screenings.ScreeningFilter, cursor: str, field: str) -> None:
    with session_scope(db_url) as session, pytest.raises(screenings.ScreeningQueryError) as info:
        screenings.page(session, where, cursor, 10)
    assert info.value.field == field and info.value.status == 422


def test_record_many_stores_each_answer_with_its_event_in_every_chain(db_url: str) -> None:
    """A group commit's answers of two organisations and two keys: one row and one event each, chains intact."""
    answers = [
        screenings.Answer(
            org,
            "counterparty",
            {"name": f"{org}-{i}"},
            _document(f"{org}-{i}", "REVIEW" if i % 2 else "CLEAR"),
            None,
            audit.Actor("api", key_id=f"key-{org}-{i % 2}", role="submitter"),
        )
        for i in range(5)
        for org in ("acme", "other")
    ]
    with session_scope(db_url) as session:
        ids = screenings.record_many(session, answers, T0)
    assert len(set(ids)) == len(answers)
    with session_scope(db_url) as session:
        for screening_id, answer in zip(ids, answers, strict=True):
            row = screenings.get(session, answer.org_id, screening_id)
            assert row is not None and row.reference == answer.document["reference"]
            event = session.scalars(select(AuditEvent).where(AuditEvent.object_id == screening_id)).one()
            assert (event.org_id, event.actor_key_id) == (answer.org_id, answer.actor.key_id)
    verifications = audit.verify_all(db_url)
    assert {v.org_id for v in verifications} >= {"acme", "other"} and all(v.ok for v in verifications)
