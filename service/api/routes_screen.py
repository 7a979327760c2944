"""`POST /v1/screen`: one counterparty, synchronously, for an exporter at the gate."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from service import alerts, screenings
from service.access import Principal, Role
from service.api.deps import SettingsDep, allow
from service.inputs import CounterpartyIn
from service.screening_service import INDEXES, screen_counterparty

router = APIRouter(prefix="/v1", tags=["screening"])

# Screening writes evidence and opens alerts: not for read-only auditors.
Screener = Annotated[Principal, Depends(allow(Role.SUBMITTER, Role.ANALYST, Role.ADMIN))]


class ScreenRequest(CounterpartyIn):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    as_of: date | None = Field(default=None, description="screen against what was listed on this date")


class MatchRead(BaseModel):
    list_id: str = Field(alias="list")  # "list" in the document; renamed here so it does not shadow the builtin
    list_version: str
    entity_id: str
    entity_name: str
    entity_type: str
    programs: list[str]
    listed_on: str | None
    listing_date_status: str
    query_name: str
    matched_name: str
    name_kind: str
    score: float
    features: dict[str, Any]
    # Set when the organisation's good-guy memory suppressed this match: the id of the releasing alert decision.
    suppressed_by: int | None = None


class ScreenResult(BaseModel):
    reference: str | None
    decision: str
    rule: str
    matches: list[MatchRead]
    list_versions: dict[str, str]
    as_of: str | None
    algorithm: str
    # Only after suppression: the decision and rule the matches gave before, and the decision ids that suppressed.
    decision_before_suppression: str | None = None
    rule_before_suppression: str | None = None
    suppressed_by: list[int] = Field(default_factory=list)
    # The stored evidence of this answer: GET /v1/screenings/{screening_id}.
    screening_id: str | None = None


# Unset fields (the suppression ones) stay out: the answer is the very document a batch stores for the item.
@router.post("/screen", response_model=ScreenResult, response_model_exclude_unset=True)
async def screen(request: ScreenRequest, settings: SettingsDep, principal: Screener) -> dict[str, Any]:
    """Screen one counterparty now (or `as_of` a past date): decision, explained matches, list versions used."""
    url = settings.database_url
    # Matching runs here, on the event loop: it is a millisecond of CPU that a worker thread would only run under
    # the same interpreter lock, after two thread hops, competing with every other request's thread. What can
    # block (reading the active versions, building an index) goes to a thread.
    context = INDEXES.ready(url) if request.as_of is None else None
    if context is None:
        context = await run_in_threadpool(INDEXES.context, url, request.as_of)
    counterparty = CounterpartyIn.model_validate(request.model_dump(exclude={"as_of"}))
    document = screen_counterparty(context, counterparty)
    # Stored by the process's group-commit writer, which first applies the organisation's good-guy memory (it may
    # suppress matches and the decision) and opens alerts for REVIEW/BLOCK matches; awaited without a thread.
    answer = screenings.Answer(
        org_id=principal.org_id,
        kind="counterparty",
        request=request.model_dump(mode="json", exclude_unset=True),
        document=document,
        as_of=request.as_of,
        actor=principal.audit_actor(),
        alerted=(alerts.Screened(counterparty, document, "screen", counterparty.reference),),
        memory_applied=False,
    )
    screening_id = await asyncio.wrap_future(screenings.store(url, answer))
    return {**document, "screening_id": screening_id}
