"""`ftm-json`: FollowTheMoney entities as JSON lines (OpenSanctions `entities.ftm.json`, yente fixtures).

One JSON object per line: `{"id", "schema", "properties": {prop: [values]}, "caption", ...}`. Only parties become
entries: Person, Company, Organization, LegalEntity, PublicBody, Vessel, Airplane. Every other schema is attached
to the parties it points at:

* Ownership (`owner` → `asset`): `owned_by` on the asset and `owner_of` on the owner, percent from `percentage`;
* Directorship, Family, Associate, Membership, Employment, Representation, UnknownLink: relations on both ends;
* Sanction (`entity`): `programId`/`program` → programs, earliest `startDate`/`listingDate` → listed_on;
* Address (via the party's `addressEntity`, matched on id or referents) → addresses;
* Passport / Identification (`holder`) → identifiers; Occupancy (`holder`, `post` → Position) → remarks.

Party properties used: name (first = caption → primary, others → alias), alias, weakAlias (weak), abbreviation
(weak), previousName (former), birthDate, birthPlace, gender, nationality/citizenship, country/jurisdiction,
idNumber, passportNumber, registrationNumber, innCode, ogrnCode, taxNumber, vatCode, leiCode, swiftBic, imoNumber,
mmsi, callSign, email, phone, website, topics and notes (→ remarks).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from service.core.countries import to_iso2
from service.core.errors import ListFormatError
from service.core.model import (
    Address,
    EntityType,
    Identifier,
    ListEntry,
    Name,
    NameKind,
    ParsedList,
    PartialDate,
    Relation,
)
from service.lists.common import clean, parse_date, read_text, require_entries

FORMAT = "ftm-json"

PARTY_SCHEMATA: dict[str, EntityType] = {
    "Person": EntityType.PERSON,
    "Company": EntityType.ORGANIZATION,
    "Organization": EntityType.ORGANIZATION,
    "LegalEntity": EntityType.ORGANIZATION,
    "PublicBody": EntityType.ORGANIZATION,
    "Vessel": EntityType.VESSEL,
    "Airplane": EntityType.AIRCRAFT,
}

# FtM property → normalised identifier kind.
_ID_PROPS: tuple[tuple[str, str], ...] = (
    ("passportNumber", "passport"),
    ("idNumber", "national_id"),
    ("registrationNumber", "registration"),
    ("ogrnCode", "registration"),
    ("innCode", "tax"),
    ("taxNumber", "tax"),
    ("vatCode", "tax"),
    ("leiCode", "lei"),
    ("swiftBic", "swift"),
    ("imoNumber", "imo"),
    ("mmsi", "mmsi"),
    ("callSign", "call_sign"),
    ("email", "email"),
    ("phone", "phone"),
    ("website", "website"),
)

# Link schema → (property of side A, property of side B, relation kind seen from A, kind seen from B).
_LINKS: dict[str, tuple[str, str, str, str]] = {
    "Ownership": ("owner", "asset", "owner_of", "owned_by"),
    "Directorship": ("director", "organization", "director_of", "director"),
    "Family": ("person", "relative", "family", "family"),
    "Associate": ("person", "associate", "associate", "associate"),
    "Membership": ("member", "organization", "member_of", "member"),
    "Employment": ("employee", "employer", "employee_of", "employer_of"),
    "Representation": ("agent", "client", "agent_of", "represented_by"),
    "UnknownLink": ("subject", "object", "linked_to", "linked_to"),
}


@dataclass
class _Party:
    id: str
    schema: str
    props: dict[str, list[str]]
    caption: str | None
    raw: str
    relations: list[Relation] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed: list[date] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)


def _values(props: dict[str, Any], name: str) -> list[str]:
    """Cleaned string values of one FtM property (always a list in FtM JSON)."""
    out: list[str] = []
    raw = props.get(name)
    if raw is None:
        return out
    for value in raw if isinstance(raw, list) else [raw]:
        text = clean(str(value)) if value is not None else None
        if text and text not in out:
            out.append(text)
    return out


def ftm_date(value: str) -> PartialDate | None:
    """FtM dates are ISO prefixes: '1971', '1971-01', '1971-01-22' (time parts ignored)."""
    text = value.strip()[:10]
    try:
        return PartialDate.parse_iso(text.rstrip("-"))
    except ValueError:
        return None


def _country(value: str) -> str:
    """FtM country codes are lower-case alpha-2 (plus a few like 'suhh'); unknown codes stay as given."""
    return to_iso2(value) or value.upper()


def _read_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    out: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListFormatError(
                f"{FORMAT}: {path.name} line {number} is not valid JSON ({exc.msg}); the file may be truncated",
                field="line",
            ) from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("schema"), str) or not obj.get("id"):
            raise ListFormatError(
                f"{FORMAT}: {path.name} line {number} is not an FtM entity (id, schema)", field="line"
            )
        if not isinstance(obj.get("properties", {}), dict):
            raise ListFormatError(f"{FORMAT}: {path.name} line {number} has non-object properties", field="properties")
        out.append((number, obj))
    return out


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse FtM JSON lines into one entry per party, with links, sanctions, addresses and documents attached."""
    objects: list[tuple[str, int, dict[str, Any]]] = []
    for path in paths:
        objects.extend((path.name, number, obj) for number, obj in _read_lines(path))

    parties: dict[str, _Party] = {}
    addresses: dict[str, Address] = {}
    positions: dict[str, str] = {}
    for file_name, number, obj in objects:
        schema = obj["schema"]
        props = obj.get("properties") or {}
        entity_id = str(obj["id"])
        if schema in PARTY_SCHEMATA:
            if entity_id in parties:
                raise ListFormatError(f"{FORMAT}: {file_name} line {number} repeats entity id {entity_id}", field="id")
            parties[entity_id] = _Party(
                id=entity_id,
                schema=schema,
                props=props,
                caption=clean(obj.get("caption")),
                raw=json.dumps(obj, ensure_ascii=False, sort_keys=True),
            )
        elif schema == "Address":
            address = _address(props)
            if address is not None:
                # Parties point at addresses by the address's own id or by one of its merged source ids.
                for key in [entity_id, *(obj.get("referents") or [])]:
                    addresses[str(key)] = address
        elif schema == "Position":
            names = _values(props, "name")
            if names:
                positions[entity_id] = names[0]

    warnings: list[str] = []
    dangling = 0
    for _file_name, _number, obj in objects:
        schema = obj["schema"]
        props = obj.get("properties") or {}
        if schema in _LINKS:
            dangling += _link(schema, props, parties)
        elif schema == "Sanction":
            for target in _values(props, "entity"):
                party = parties.get(target)
                if party is None:
                    dangling += 1
                    continue
                for program in _values(props, "programId") or _values(props, "program"):
                    if program not in party.programs:
                        party.programs.append(program)
                for value in _values(props, "startDate") + _values(props, "listingDate"):
                    listed = parse_date(value[:10])
                    if listed is not None:
                        party.listed.append(listed)
        elif schema in ("Passport", "Identification"):
            _document(schema, props, parties)
        elif schema == "Occupancy":
            for holder in _values(props, "holder"):
                party = parties.get(holder)
                if party is None:
                    continue
                for post in _values(props, "post"):
                    title = positions.get(post, post)
                    span = "–".join(p for p in (_first(props, "startDate"), _first(props, "endDate")) if p)
                    text = f"{title} ({span})" if span else title
                    if text not in party.positions:
                        party.positions.append(text)
    if dangling:
        warnings.append(f"{dangling} links/sanctions point at parties not in the file; ignored")

    entries = [_entry(party, list_id, addresses) for party in parties.values()]
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=None, warnings=warnings)


def _first(props: dict[str, Any], name: str) -> str | None:
    values = _values(props, name)
    return values[0] if values else None


def _caption(party: _Party | None) -> str | None:
    if party is None:
        return None
    names = _values(party.props, "name")
    return party.caption or (names[0] if names else None)


def _link(schema: str, props: dict[str, Any], parties: dict[str, _Party]) -> int:
    """Attach a link entity to both ends; returns how many ends were missing from the file."""
    prop_a, prop_b, kind_a, kind_b = _LINKS[schema]
    percent: float | None = None
    for value in _values(props, "percentage"):
        try:
            percent = float(value.rstrip("%").replace(",", "."))
            break
        except ValueError:
            continue
    note = "; ".join(_values(props, "role") + _values(props, "relationship")) or None
    missing = 0
    for a in _values(props, prop_a):
        for b in _values(props, prop_b):
            party_a, party_b = parties.get(a), parties.get(b)
            if party_a is None or party_b is None:
                missing += 1
            if party_a is not None:
                rel = Relation(kind=kind_a, target_name=_caption(party_b), target_id=b, percent=percent, note=note)
                if rel not in party_a.relations:
                    party_a.relations.append(rel)
            if party_b is not None:
                rel = Relation(kind=kind_b, target_name=_caption(party_a), target_id=a, percent=percent, note=note)
                if rel not in party_b.relations:
                    party_b.relations.append(rel)
    return missing


def _document(schema: str, props: dict[str, Any], parties: dict[str, _Party]) -> None:
    numbers = _values(props, "number") or _values(props, "passportNumber")
    if not numbers:
        return  # A document stub without its number says nothing to match on.
    kind = "passport" if schema == "Passport" else "national_id"
    doc_type = _first(props, "type")
    if doc_type and "passport" in doc_type.lower():
        kind = "passport"
    country = _first(props, "country")
    for holder in _values(props, "holder"):
        party = parties.get(holder)
        if party is None:
            continue
        for number in numbers:
            ident = Identifier(
                type=kind, number=number, country=_country(country) if country else None, label=doc_type or schema
            )
            if ident not in party.identifiers:
                party.identifiers.append(ident)


def _address(props: dict[str, Any]) -> Address | None:
    full = _first(props, "full")
    street = _first(props, "street")
    city = _first(props, "city")
    region = _first(props, "region")
    postal = _first(props, "postalCode")
    country = _first(props, "country")
    text = full or ", ".join(p for p in (street, city, region, postal) if p)
    if not text:
        return None
    return Address(
        full=text,
        street=street,
        city=city,
        region=region,
        postal_code=postal,
        country=_country(country) if country else None,
        country_name=country,
    )


def _entry(party: _Party, list_id: str, addresses: dict[str, Address]) -> ListEntry:
    props = party.props
    names: list[Name] = []
    seen: set[str] = set()

    def add(value: str, kind: NameKind) -> None:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            names.append(Name(value=value, kind=kind))

    all_names = _values(props, "name")
    # The caption is the name OpenSanctions displays; the other `name` values are equally official spellings
    # (translations, transliterations), so they are strong aliases.
    primary = party.caption if party.caption in all_names else (all_names[0] if all_names else party.caption)
    if not primary:
        raise ListFormatError(f"{FORMAT}: {party.schema} {party.id} has no name", field="name")
    add(primary, NameKind.PRIMARY)
    for value in all_names:
        add(value, NameKind.ALIAS)
    for value in _values(props, "alias"):
        add(value, NameKind.ALIAS)
    for value in _values(props, "previousName"):
        add(value, NameKind.FORMER)
    # Abbreviations ("ZALA") are short and collide with unrelated names: weak, like OpenSanctions' weakAlias.
    for value in _values(props, "weakAlias") + _values(props, "abbreviation"):
        add(value, NameKind.WEAK_ALIAS)

    dobs: list[PartialDate] = []
    for value in _values(props, "birthDate"):
        dob = ftm_date(value)
        if dob is not None and dob not in dobs:
            dobs.append(dob)
    nationalities = list(
        dict.fromkeys(_country(v) for v in _values(props, "nationality") + _values(props, "citizenship"))
    )
    countries = list(dict.fromkeys(_country(v) for v in _values(props, "country") + _values(props, "jurisdiction")))

    entry_addresses: list[Address] = []
    for ref in _values(props, "addressEntity"):
        address = addresses.get(ref)
        if address is not None and address not in entry_addresses:
            entry_addresses.append(address)
    for text in _values(props, "address"):
        if not any(a.full.casefold() == text.casefold() for a in entry_addresses):
            entry_addresses.append(Address(full=text))

    identifiers: list[Identifier] = []
    for prop, kind in _ID_PROPS:
        for value in _values(props, prop):
            ident = Identifier(type=kind, number=value, label=prop)
            if not any(i.type == kind and i.number == value for i in identifiers):
                identifiers.append(ident)
    identifiers.extend(i for i in party.identifiers if i not in identifiers)

    programs = list(party.programs)
    for value in _values(props, "programId"):
        if value not in programs:
            programs.append(value)

    remarks: list[str] = []
    topics = _values(props, "topics")
    if topics:
        remarks.append("Topics: " + ", ".join(topics))
    remarks.extend(f"Position: {p}" for p in _values(props, "position") + party.positions)
    remarks.extend(_values(props, "notes"))
    remarks.extend(_values(props, "description"))

    gender = _first(props, "gender")
    return ListEntry(
        list_id=list_id,
        entity_id=party.id,
        entity_type=PARTY_SCHEMATA[party.schema],
        names=tuple(names),
        dates_of_birth=tuple(dobs),
        places_of_birth=tuple(_values(props, "birthPlace")),
        nationalities=tuple(nationalities),
        countries=tuple(countries),
        addresses=tuple(entry_addresses),
        identifiers=tuple(identifiers),
        programs=tuple(programs),
        listed_on=min(party.listed) if party.listed else None,
        remarks="\n".join(remarks) or None,
        relations=tuple(party.relations),
        gender=gender.lower() if gender else None,
        raw=party.raw,
    )
