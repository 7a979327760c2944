"""`POST /v1/shipments/screen`: one shipment, synchronously: parties against the lists as of the ship date, goods,
route, ownership and profile rules, and one CLEAR / REVIEW / BLOCK decision with every finding behind it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from service.api.deps import SettingsDep
from service.shipments import ShipmentIn, screen_shipment_request

router = APIRouter(prefix="/v1", tags=["shipments"])


class FindingRead(BaseModel):
    kind: str
    rule_id: str
    rule_version: str
    severity: str
    sentence: str
    evidence: dict[str, Any]
    party_role: str | None
    party_ref: str | None
    line: int | None


class ShipmentResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    reference: str
    decision: str
    score: int
    as_of: str
    findings: list[FindingRead]
    parties: list[dict[str, Any]]
    ownership_nodes: list[dict[str, Any]]
    list_versions: dict[str, str]
    rule_set_version: str
    table_versions: dict[str, str]
    config_id: str
    algorithm: str


@router.post("/shipments/screen", response_model=ShipmentResult)
def screen_shipment(request: ShipmentIn, settings: SettingsDep) -> dict[str, Any]:
    """Screen one shipment as of its ship date: decision, findings (rule id and version, severity, evidence,
    sentence, party role), each party's screening document, list and rule-set versions."""
    return screen_shipment_request(settings.database_url, request)
