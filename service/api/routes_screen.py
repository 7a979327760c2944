"""`POST /v1/screen`: one counterparty, synchronously, for an exporter at the gate."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from service.api.deps import SettingsDep
from service.inputs import CounterpartyIn
from service.screening_service import INDEXES, screen_counterparty

router = APIRouter(prefix="/v1", tags=["screening"])


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


class ScreenResult(BaseModel):
    reference: str | None
    decision: str
    rule: str
    matches: list[MatchRead]
    list_versions: dict[str, str]
    as_of: str | None
    algorithm: str


@router.post("/screen", response_model=ScreenResult)
def screen(request: ScreenRequest, settings: SettingsDep) -> dict[str, Any]:
    """Screen one counterparty now (or `as_of` a past date): decision, explained matches, list versions used."""
    context = INDEXES.context(settings.database_url, request.as_of)
    counterparty = CounterpartyIn.model_validate(request.model_dump(exclude={"as_of"}))
    return screen_counterparty(context, counterparty)
