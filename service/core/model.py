"""The one record every list format is parsed into: `ListEntry`, and its parts.

Pure data: no I/O, no web, queue or database imports. Parsers in `service.lists` build these; the matcher in
`service.core.matcher` reads them; `service.db` stores them as JSON via `to_dict` / `from_dict`.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from service.core.memo import memo


class EntityType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


class NameKind(StrEnum):
    """How much a listed name can be trusted on its own (OFAC FAQ 5: weak AKAs only confirm)."""

    PRIMARY = "primary"
    ALIAS = "alias"  # strong alias / a.k.a. of good quality
    WEAK_ALIAS = "weak_alias"  # low-quality a.k.a.: searched, scored lower, labelled weak
    FORMER = "former"  # f.k.a. / previous name


@memo(65536)
def char_script(ch: str) -> str | None:
    """The Unicode script of one character ("Latin", "Han", "Hangul", ...), None for unnamed code points."""
    try:
        script = unicodedata.name(ch).split(" ", 1)[0]
    except ValueError:
        return None
    if script == "CJK":
        return "Han"
    return script.title()


def detect_script(text: str) -> str:
    """Return the dominant Unicode script of the letters in `text` ("Latin", "Cyrillic", "Arabic", ...)."""
    if text.isascii():
        # The common case on every list; unicodedata.name per character is comparatively slow.
        return "Latin" if any(ch.isalpha() for ch in text) else "Zyyy"
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        script = char_script(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "Zyyy"  # ISO 15924 "common": digits and punctuation only
    return max(counts.items(), key=lambda kv: kv[1])[0]


@dataclass(frozen=True, slots=True)
class Name:
    value: str
    kind: NameKind = NameKind.PRIMARY
    script: str = ""
    lang: str | None = None
    # Structured parts when the source gives them (first/middle/last/patronymic...), for person alignment.
    parts: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.script:
            object.__setattr__(self, "script", detect_script(self.value))


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date of birth or listing date that may be known only to the year or month; `circa` widens it."""

    year: int
    month: int | None = None
    day: int | None = None
    circa: bool = False
    year_to: int | None = None  # closing year of a range ("1960 to 1962"); None for a single date

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.day is not None:
            if self.month is None:
                raise ValueError("day without month")
            date(self.year, self.month, self.day)  # raises on impossible dates such as 31 February

    def iso(self) -> str:
        """Render as YYYY, YYYY-MM or YYYY-MM-DD (prefix `~` when approximate, `..YYYY` for a range)."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
        if self.year_to is not None:
            text += f"..{self.year_to:04d}"
        return ("~" if self.circa else "") + text

    @classmethod
    def parse_iso(cls, text: str) -> PartialDate:
        """Inverse of `iso()`."""
        circa = text.startswith("~")
        text = text.lstrip("~")
        year_to: int | None = None
        if ".." in text:
            text, to = text.split("..", 1)
            year_to = int(to)
        bits = [int(b) for b in text.split("-")]
        return cls(
            year=bits[0],
            month=bits[1] if len(bits) > 1 else None,
            day=bits[2] if len(bits) > 2 else None,
            circa=circa,
            year_to=year_to,
        )


@dataclass(frozen=True, slots=True)
class Identifier:
    """A document or registry number. `type` is a normalised kind (see IDENTIFIER_TYPES); `label` keeps the source's."""

    type: str
    number: str
    country: str | None = None  # ISO 3166-1 alpha-2 when known
    label: str | None = None
    note: str | None = None


# Normalised identifier kinds shared by all parsers; anything else is "other" with the source label kept.
IDENTIFIER_TYPES = frozenset(
    {
        "passport",
        "national_id",
        "tax",  # TIN, INN, VAT...
        "registration",  # company registration number, OGRN, KPP...
        "imo",
        "mmsi",
        "swift",
        "lei",
        "aircraft_serial",
        "aircraft_tail",
        "call_sign",
        "crypto_wallet",
        "email",
        "website",
        "phone",
        "other",
    }
)


@dataclass(frozen=True, slots=True)
class Address:
    full: str = ""
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 when known
    country_name: str | None = None  # as the source wrote it


@dataclass(frozen=True, slots=True)
class Relation:
    """A link the source states to another party: 'owned or controlled by', 'linked to', 'ownership 51%'."""

    kind: str  # "linked_to", "owned_by", "controlled_by", "owner_of", "associate", "family", "director"...
    target_name: str | None = None
    target_id: str | None = None  # source entity id of the other party when the source gives it
    percent: float | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One listed party as published by one list, normalised; `raw` is the source record kept for audit."""

    list_id: str
    entity_id: str
    entity_type: EntityType
    names: tuple[Name, ...]
    dates_of_birth: tuple[PartialDate, ...] = ()
    places_of_birth: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()  # ISO alpha-2 where resolvable, else the source text
    countries: tuple[str, ...] = ()  # other country links (address, registration, citizenship...)
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: date | None = None  # per-entry listing/designation date where the source has one
    remarks: str | None = None
    source_list: str | None = None  # sub-list inside an aggregate (CSL "EL", "DPL"; EU annex; UN regime)
    relations: tuple[Relation, ...] = ()
    gender: str | None = None
    raw: str = field(default="", compare=False)

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.kind is NameKind.PRIMARY:
                return name.value
        return self.names[0].value if self.names else ""

    def to_dict(self, *, with_raw: bool = True) -> dict[str, Any]:
        """JSON-ready form (stored in the database, hashed for diffs)."""
        data: dict[str, Any] = {
            "list_id": self.list_id,
            "entity_id": self.entity_id,
            "entity_type": self.entity_type.value,
            "names": [
                {
                    "value": n.value,
                    "kind": n.kind.value,
                    "script": n.script,
                    "lang": n.lang,
                    "parts": [list(p) for p in n.parts],
                }
                for n in self.names
            ],
            "dates_of_birth": [d.iso() for d in self.dates_of_birth],
            "places_of_birth": list(self.places_of_birth),
            "nationalities": list(self.nationalities),
            "countries": list(self.countries),
            "addresses": [
                {
                    "full": a.full,
                    "street": a.street,
                    "city": a.city,
                    "region": a.region,
                    "postal_code": a.postal_code,
                    "country": a.country,
                    "country_name": a.country_name,
                }
                for a in self.addresses
            ],
            "identifiers": [
                {"type": i.type, "number": i.number, "country": i.country, "label": i.label, "note": i.note}
                for i in self.identifiers
            ],
            "programs": list(self.programs),
            "listed_on": self.listed_on.isoformat() if self.listed_on else None,
            "remarks": self.remarks,
            "source_list": self.source_list,
            "relations": [
                {
                    "kind": r.kind,
                    "target_name": r.target_name,
                    "target_id": r.target_id,
                    "percent": r.percent,
                    "note": r.note,
                }
                for r in self.relations
            ],
            "gender": self.gender,
        }
        if with_raw:
            data["raw"] = self.raw
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListEntry:
        """Inverse of `to_dict`."""
        return cls(
            list_id=data["list_id"],
            entity_id=data["entity_id"],
            entity_type=EntityType(data["entity_type"]),
            names=tuple(
                Name(
                    value=n["value"],
                    kind=NameKind(n["kind"]),
                    script=n.get("script") or "",
                    lang=n.get("lang"),
                    parts=tuple((p[0], p[1]) for p in n.get("parts") or ()),
                )
                for n in data["names"]
            ),
            dates_of_birth=tuple(PartialDate.parse_iso(d) for d in data.get("dates_of_birth") or ()),
            places_of_birth=tuple(data.get("places_of_birth") or ()),
            nationalities=tuple(data.get("nationalities") or ()),
            countries=tuple(data.get("countries") or ()),
            addresses=tuple(Address(**a) for a in data.get("addresses") or ()),
            identifiers=tuple(Identifier(**i) for i in data.get("identifiers") or ()),
            programs=tuple(data.get("programs") or ()),
            listed_on=date.fromisoformat(data["listed_on"]) if data.get("listed_on") else None,
            remarks=data.get("remarks"),
            source_list=data.get("source_list"),
            relations=tuple(Relation(**r) for r in data.get("relations") or ()),
            gender=data.get("gender"),
            raw=data.get("raw") or "",
        )

    def content_hash(self) -> str:
        """SHA-256 of the normalised record (not the raw text): two versions differ iff this differs."""
        canonical = json.dumps(self.to_dict(with_raw=False), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class ParsedList:
    """What a parser returns: the entries plus what the file says about itself."""

    format: str
    entries: list[ListEntry]
    published: date | None = None  # the file's own publication/generation date, when it has one
    warnings: list[str] = field(default_factory=list)  # recoverable oddities (skipped rows...) for the import log
