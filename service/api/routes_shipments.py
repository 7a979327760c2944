"""`POST /v1/shipments/screen`: one shipment, synchronously: parties against the lists as of the ship date, goods,
route, ownership and profile rules, and one CLEAR / REVIEW / BLOCK decision with every finding behind it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict

from service import alerts, screenings
from service.access import Principal, Role
from service.api.deps import SettingsDep, allow
from service.decision_settings import load_decision_config
from service.ownership_store import load_org_graph
from service.shipments import ShipmentIn, screen_shipment_request

router = APIRouter(prefix="/v1", tags=["shipments"])

# Screening writes evidence and opens alerts: not for read-only auditors.
Screener = Annotated[Principal, Depends(allow(Role.SUBMITTER, Role.ANALYST, Role.ADMIN))]


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
def screen_shipment(request: ShipmentIn, settings: SettingsDep, principal: Screener) -> dict[str, Any]:
    """Screen one shipment as of its ship date: decision, findings (rule id and version, severity, evidence,
    sentence, party role), each party's screening document, list and rule-set versions."""
    # Each party's screening meets the organisation's good-guy memory before its finding is made; REVIEW/BLOCK
    # party matches open alerts.
    with screenings.evidence(settings.database_url, principal.org_id, principal.audit_actor()) as evidence:
        document = screen_shipment_request(
            settings.database_url,
            request,
            config=load_decision_config(settings.database_url, principal.org_id),
            stored=load_org_graph(settings.database_url, principal.org_id),
            on_party=lambda role, party, party_document: evidence.remember(
                alerts.Screened(party, party_document, "shipment_party", f"{request.reference}:{role}")
            ),
        )
        return evidence.keep(
            kind="shipment",
            request=request.model_dump(mode="json", exclude_unset=True),
            document=document,
            as_of=request.ship_date,
        )
