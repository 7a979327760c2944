"""`/v1/alerts`: the analysts' queue of REVIEW and BLOCK matches, one alert with its decision history, and decisions
(`true_match`, `false_positive` with a reason, `escalate`; a BLOCK is released by a second analyst)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from service import alerts
from service.access import Principal, Role
from service.api.deps import SessionDep, SettingsDep, allow

router = APIRouter(prefix="/v1/alerts", tags=["alerts"])

Reader = Annotated[Principal, Depends(allow(Role.ANALYST, Role.AUDITOR, Role.ADMIN))]
Decider = Annotated[Principal, Depends(allow(Role.ANALYST, Role.ADMIN))]
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="the alert's id")]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: str = Field(max_length=32, description="true_match | false_positive | escalate")
    reason: str | None = Field(
        default=None, max_length=alerts.MAX_REASON_LENGTH, description="required for false_positive"
    )


@router.get("")
def list_alerts(
    principal: Reader,
    session: SessionDep,
    status: Annotated[str | None, Query(description=" | ".join(alerts.STATUSES))] = None,
    decision: Annotated[str | None, Query(description="REVIEW or BLOCK (the match's own severity)")] = None,
    list_id: Annotated[str | None, Query(alias="list", max_length=64)] = None,
    entity_id: Annotated[str | None, Query(max_length=128)] = None,
    source: Annotated[str | None, Query(description=" | ".join(alerts.SOURCES))] = None,
    source_ref: Annotated[str | None, Query(max_length=255, description="e.g. <batch id>:<seq>")] = None,
    since: Annotated[datetime | None, Query(alias="from", description="created at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="created before (ISO 8601)")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The organisation's alerts, newest first, filtered and cursor-paged."""
    where = alerts.AlertFilter(principal.org_id, status, decision, list_id, entity_id, source, source_ref, since, until)
    return alerts.page(session, where, cursor, limit)


@router.get("/{alert_id}")
def get_alert(alert_id: AlertId, principal: Reader, session: SessionDep) -> dict[str, Any]:
    """One alert with the match explanation and its decision history (another organisation's id is a 404)."""
    alert = alerts.get_alert(session, principal.org_id, alert_id)
    return alerts.alert_dict(alert, alerts.history(session, alert.id))


@router.post("/{alert_id}/decisions", status_code=201)
def decide(
    alert_id: AlertId, body: DecisionIn, principal: Decider, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Record a decision; 409 `four_eyes_same_analyst` when the key that asked to release a BLOCK confirms it
    itself, 409 `alert_closed` on a decided alert."""
    alert, row = alerts.decide(
        session,
        principal,
        alert_id,
        body.decision,
        body.reason,
        four_eyes=settings.four_eyes_block_release,
    )
    return {"decision": alerts.decision_dict(row), "alert": alerts.alert_dict(alert, alerts.history(session, alert.id))}
