"""Optional query filters as the list endpoints take them: a value of None means "any"."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select


def where_equal(query: Select[Any], *pairs: tuple[Any, object | None]) -> Select[Any]:
    """Add `column == value` for each (column, value) pair whose value is given."""
    for column, value in pairs:
        if value is not None:
            query = query.where(column == value)
    return query


def where_between(query: Select[Any], column: Any, since: datetime | None, until: datetime | None) -> Select[Any]:
    """Keep rows with `since <= column < until`, either bound optional."""
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column < until)
    return query
