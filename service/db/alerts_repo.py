"""The alert statements of the screening hot path: finding the alerts a call's hits may already have, opening new
ones, counting occurrences. Core statements built once, not ORM objects: a batch chunk opens hundreds of alerts at
once, and the ORM's unit of work cost more than everything else the chunk writes (a statement built per call, with
the cache key SQLAlchemy derives from it, costs more than running it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from service.db.bulk import insert_rows
from service.db.models import Alert, table_of

ALERT = table_of(Alert)
_IN_CHUNK = 500  # bound on IN (...) lists
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence('alert', 'id')) FROM generate_series(1, :n)")
_NOW = bindparam("b_now", type_=ALERT.c.last_seen_at.type)
_COUNTED = {"occurrences": ALERT.c.occurrences + bindparam("b_seen"), "last_seen_at": _NOW, "updated_at": _NOW}
# A confirmed (true_match) alert only counts the occurrence; an undecided one also keeps the latest evidence.
_COUNT = update(ALERT).where(ALERT.c.id == bindparam("b_id")).values(_COUNTED)
_COUNT_WITH_EVIDENCE = (
    update(ALERT)
    .where(ALERT.c.id == bindparam("b_id"))
    .values(
        {
            **_COUNTED,
            "content_hash": bindparam("b_content_hash"),
            "list_version": bindparam("b_list_version"),
            "score": bindparam("b_score"),
            "decision": bindparam("b_decision"),
            "match": bindparam("b_match", type_=ALERT.c.match.type),
        }
    )
)


_ALERT_KEYS = "id, fingerprint, list_id, entity_id, content_hash, list_version, status, closing_decision_id"
_FOR_FINGERPRINTS = select(*(ALERT.c[name] for name in _ALERT_KEYS.split(", "))).where(
    ALERT.c.org_id == bindparam("org_id"),
    ALERT.c.fingerprint.in_(bindparam("fingerprints", expanding=True)),
)
# PostgreSQL: one (org, fingerprint) index probe per fingerprint, fenced by OFFSET 0 so the planner cannot flatten
# it. With an IN list, short of fresh statistics (a batch opens alerts faster than autovacuum analyses them) it
# guessed the fingerprints unselective and read all of the organisation's alerts: 100 ms a chunk at 40,000, growing.
_FOR_FINGERPRINTS_PG = text(
    f"SELECT a.* FROM unnest(CAST(:fingerprints AS varchar[])) AS f(fp) CROSS JOIN LATERAL"
    f" (SELECT {_ALERT_KEYS} FROM alert WHERE org_id = :org_id AND fingerprint = f.fp OFFSET 0) AS a"
)


def for_fingerprints(
    session: Session, org_id: str, fingerprints: Iterable[str], statuses: Sequence[str]
) -> list[Row[Any]]:
    """(id, fingerprint, list_id, entity_id, content_hash, list_version, status, closing_decision_id) of the
    organisation's alerts in these statuses for these counterparty fingerprints (one query per 500 fingerprints;
    the statuses are filtered here, so that the only index the lookup can use is the fingerprint's)."""
    wanted = sorted(set(fingerprints))
    keep = set(statuses)
    query = _FOR_FINGERPRINTS_PG if session.get_bind().dialect.name == "postgresql" else _FOR_FINGERPRINTS
    rows: list[Row[Any]] = []
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start : start + _IN_CHUNK]
        found = session.execute(query, {"org_id": org_id, "fingerprints": chunk})
        rows.extend(row for row in found if row.status in keep)
    return rows


def insert_alerts(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert new alerts; their ids (ascending), in the order of `rows`."""
    if not rows:
        return []
    if session.get_bind().dialect.name != "postgresql":
        result = session.execute(insert(ALERT).returning(ALERT.c.id, sort_by_parameter_order=True), list(rows))
        return [int(alert_id) for alert_id in result.scalars()]
    # Ids drawn from the sequence first, then one COPY: with RETURNING, SQLAlchemy would send multi-row INSERTs of
    # thousands of parameters, which psycopg parses anew on every execution.
    ids = sorted(int(i) for i in session.scalars(_NEXT_IDS, {"n": len(rows)}))
    insert_rows(session, ALERT, [{**row, "id": alert_id} for row, alert_id in zip(rows, ids, strict=True)])
    return ids


def count_occurrences(session: Session, counted: Sequence[dict[str, Any]], with_evidence: bool) -> None:
    """Add occurrences to existing alerts (`b_id`, `b_seen`, `b_now`, and with evidence the `b_...` columns)."""
    if counted:
        session.execute(_COUNT_WITH_EVIDENCE if with_evidence else _COUNT, list(counted))
