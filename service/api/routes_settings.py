"""`/v1/settings/decision`: the organisation's decision settings (severity weights and overrides, rule switches,
rule thresholds). Reading is for admins and auditors; changing them is for admins, and is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from service.access import Principal, Role
from service.api.deps import SessionDep, allow
from service.decision_settings import DecisionSettings, get_decision_settings, put_decision_settings

router = APIRouter(prefix="/v1", tags=["settings"])


@router.get("/settings/decision")
def read_decision_settings(
    session: SessionDep, principal: Annotated[Principal, Depends(allow(Role.ADMIN, Role.AUDITOR))]
) -> dict[str, Any]:
    """The settings shipment screening uses for this organisation (the defaults when none were stored), their hash
    and config_id (cited in every shipment result), and who changed them last."""
    return get_decision_settings(session, principal.org_id)


@router.put("/settings/decision")
def replace_decision_settings(
    body: DecisionSettings, session: SessionDep, principal: Annotated[Principal, Depends(allow(Role.ADMIN))]
) -> dict[str, Any]:
    """Replace the organisation's settings as a whole (fields left out take their default); records
    `settings.changed` with the old and new values and the config hash."""
    return put_decision_settings(
        session, principal.org_id, body, actor=principal.audit_actor(), key_id=principal.key_id
    )
