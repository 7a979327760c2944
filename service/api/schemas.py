"""Pydantic schemas at the edge of the API (the core uses plain dataclasses)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ListVersionRead(BaseModel):
    version_id: int
    label: str
    sha256: str
    format: str
    fetched_at: str
    published_on: str | None
    effective_on: str
    entity_count: int
    name_count: int
    dated_count: int
    source: str


class ListRead(BaseModel):
    list_id: str
    name: str
    format: str
    active_version: ListVersionRead | None
    version_count: int
    last_checked_at: str | None
    last_error: str | None


class ListsRead(BaseModel):
    lists: list[ListRead]


class EntityRead(BaseModel):
    list_id: str
    version: ListVersionRead
    entity_id: str
    content_hash: str
    entry: dict[str, Any]
    raw: str


class HealthRead(BaseModel):
    status: str
    database: dict[str, Any]
    broker: dict[str, Any]
    lists: dict[str, Any]
