"""List versions as the API shows them: `GET /v1/lists`, `GET /v1/lists/{list_id}/entities/{entity_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from service.access import Role
from service.api.deps import SessionDep, allow
from service.api.schemas import EntityRead, ListsRead, ListVersionRead
from service.core.errors import NotFoundError
from service.db import repositories as repo
from service.versions import list_status, version_dict

router = APIRouter(prefix="/v1/lists", tags=["lists"])

# Reading lists is open to every role; anything that changes them is for admins only (allow(Role.ADMIN)).
EVERY_ROLE = Depends(allow(Role.SUBMITTER, Role.ANALYST, Role.AUDITOR, Role.ADMIN))


@router.get("", response_model=ListsRead, dependencies=[EVERY_ROLE])
def get_lists(session: SessionDep) -> dict[str, object]:
    """Every list with its active version and count."""
    return {"lists": list_status(session)}


@router.get("/{list_id}/entities/{entity_id}", response_model=EntityRead, dependencies=[EVERY_ROLE])
def get_entity(
    session: SessionDep,
    list_id: str,
    entity_id: str,
    version_id: Annotated[int | None, Query(description="a past version; default: the active one")] = None,
) -> dict[str, object]:
    """One listed entity as stored in a version, with its raw source record."""
    src = repo.get_source(session, list_id)
    if src is None:
        raise NotFoundError(f"unknown list {list_id!r}", field="list_id")
    vid = version_id if version_id is not None else src.active_version_id
    version = repo.get_version(session, vid) if vid is not None else None
    if version is None or version.list_id != list_id:
        raise NotFoundError(f"list {list_id!r} has no version {vid}", field="version_id")
    row = repo.get_entry(session, version.id, entity_id)
    if row is None:
        raise NotFoundError(f"entity {entity_id!r} is not in {version.label}", field="entity_id")
    return {
        "list_id": list_id,
        "version": ListVersionRead.model_validate(version_dict(version)),
        "entity_id": entity_id,
        "content_hash": row.content_hash,
        "entry": row.data,
        "raw": row.raw,
    }
