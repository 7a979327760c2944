"""`/v1/screenings`: synchronous screenings as they were returned, for the organisation's analysts and auditors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from service import screenings
from service.access import Principal, Role
from service.api.deps import SessionDep, allow
from service.core.errors import NotFoundError

router = APIRouter(prefix="/v1/screenings", tags=["screening"])

Reader = Annotated[Principal, Depends(allow(Role.SUBMITTER, Role.ANALYST, Role.AUDITOR, Role.ADMIN))]


@router.get("")
def list_screenings(
    principal: Reader,
    session: SessionDep,
    kind: Annotated[str | None, Query(description="counterparty or shipment")] = None,
    decision: Annotated[str | None, Query(description="CLEAR, REVIEW or BLOCK")] = None,
    reference: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[datetime | None, Query(alias="from", description="screened at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(alias="to", description="screened before (ISO 8601)")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """The organisation's synchronous screenings, newest first, filtered and cursor-paged."""
    where = screenings.ScreeningFilter(principal.org_id, kind, decision, reference, since, until)
    return screenings.page(session, where, cursor, limit)


@router.get("/{screening_id}")
def get_screening(screening_id: str, principal: Reader, session: SessionDep) -> dict[str, Any]:
    """One screening: the request and the result document exactly as returned."""
    row = screenings.get(session, principal.org_id, screening_id)
    if row is None:
        raise NotFoundError(f"no screening {screening_id!r}", field="screening_id")
    return screenings.as_dict(row)
