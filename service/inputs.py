"""Validated counterparty input, shared by the API, batches and `screening screen-file` (pydantic at the edge).

Errors name the field: unknown country codes, impossible or partial-but-invalid dates, control characters and
oversized names are rejected here, so the core only ever sees clean values.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.core.countries import is_iso2
from service.core.matcher import Query
from service.core.model import IDENTIFIER_TYPES, EntityType, Identifier, PartialDate

MAX_NAME_LENGTH = 500
MAX_TEXT_LENGTH = 2000
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; the tab is allowed (a regex, not a loop over
# characters calling unicodedata: this runs for every text field of every screened item).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _no_control_chars(value: str, what: str) -> str:
    if _CONTROL_CHARS.search(value):
        raise ValueError(f"{what} contains control characters")
    return value


def parse_partial_date(value: str) -> PartialDate:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; impossible dates (2023-02-30) are an error, not a guess."""
    match = _PARTIAL_DATE.match(value.strip())
    if not match:
        raise ValueError("must be YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        return PartialDate(year, month, day)
    except ValueError as exc:
        raise ValueError(f"is not a real date ({exc})") from None


def check_country(value: str | None) -> str | None:
    """Upper-case ISO 3166-1 alpha-2 or None; anything else is an error."""
    if value is None or value == "":
        return None
    code = value.strip().upper()
    if not is_iso2(code):
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: str = Field(description=f"one of: {', '.join(sorted(IDENTIFIER_TYPES))}", max_length=32)
    value: str = Field(min_length=1, max_length=100)
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        kind = value.lower()
        if kind not in IDENTIFIER_TYPES:
            raise ValueError(f"unknown identifier type {value!r}; use one of {', '.join(sorted(IDENTIFIER_TYPES))}")
        return kind

    @field_validator("value")
    @classmethod
    def _value(cls, value: str) -> str:
        return _no_control_chars(value, "identifier")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return check_country(value)


class CounterpartyIn(BaseModel):
    """A party to screen, as an ERP or exporter sends it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str | None = Field(default=None, max_length=200, description="the client's own id")
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    type: Literal["person", "organization", "vessel", "aircraft", "unknown"] = "unknown"
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    date_of_birth: str | None = Field(default=None, description="YYYY, YYYY-MM or YYYY-MM-DD")
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=50)
    address: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = _no_control_chars(value, "name")
        if not any(ch.isalnum() for ch in value):
            raise ValueError("name has no letters or digits")
        return value

    @field_validator("reference", "address")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else _no_control_chars(value, "text")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return check_country(value)

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        dob = parse_partial_date(value)
        if dob.year > date.today().year or dob.year < 1850:
            raise ValueError("year of birth is out of range")
        return dob.iso()

    def to_query(self) -> Query:
        """The matcher's view of this counterparty."""
        return Query(
            name=self.name,
            entity_type=None if self.type == "unknown" else EntityType(self.type),
            country=self.country,
            date_of_birth=parse_partial_date(self.date_of_birth) if self.date_of_birth else None,
            identifiers=tuple(Identifier(type=i.type, number=i.value, country=i.country) for i in self.identifiers),
        )


CSV_COLUMNS = ("reference", "name", "type", "country", "date_of_birth", "identifiers")


def counterparty_from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """Turn a CSV row (documented columns) into the JSON shape of CounterpartyIn; identifiers `type:value[:cc]|...`."""
    identifiers: list[dict[str, str | None]] = []
    for item in (row.get("identifiers") or "").split("|"):
        item = item.strip()
        if not item:
            continue
        bits = item.split(":")
        if len(bits) < 2:
            raise ValueError(f"identifier {item!r} must be type:value or type:value:country")
        if len(bits) == 2:
            identifiers.append({"type": bits[0], "value": bits[1], "country": None})
        else:  # the last part is the country; a value containing ':' keeps its colons
            identifiers.append({"type": bits[0], "value": ":".join(bits[1:-1]), "country": bits[-1] or None})
    data: dict[str, Any] = {"name": row.get("name") or "", "identifiers": identifiers}
    for key in ("reference", "type", "country", "date_of_birth", "address"):
        value = (row.get(key) or "").strip()
        if value:
            data[key] = value.lower() if key == "type" else value
    return data


def first_error(exc: ValidationError, prefix: str = "") -> tuple[str, str]:
    """The first pydantic error as (field path, message), the path prefixed (e.g. `items[17]`) when given."""
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first.get("loc", ()))
    field = f"{prefix}.{path}" if prefix and path else (prefix or path)
    return field, f"{field}: {first.get('msg', 'invalid')}"
