"""`csl-json`: the US Consolidated Screening List (trade.gov) as JSON.

Two layouts are accepted:

* the official one — the API/bulk `consolidated.json` object `{"results": [...]}` (optionally with `sources_used`)
  or a bare list of records with `source`, `entity_number`, `type`, `programs`, `name`, `alt_names`,
  `addresses[{address, city, state, postal_code, country}]`, `start_date`, `ids[{type, number, country}]`,
  `dates_of_birth`, `nationalities`, `citizenships`, `places_of_birth`, `remarks`, `federal_register_notice`, ...;
* the compact projection (`fieldKey` + lookup `tables` + `entries[]`, short keys `n a s t c e lr lp pg fr u`), whose
  `entryCount` and `countsBySource` are checked so a cut or edited file is refused.

`source_list` is the short code of the sub-list (SDN, EL, DPL, UVL, MEU, SSI, FSE, PLC, CAP, CMIC, MBS, DTC, ISN).
`entity_id` is `<code>:<entity_number>`, else `<code>:<_id>`, else `<code>:h<hash of source+name>`; ids that still
collide (the same name listed twice by a list without numbers) get `-2`, `-3`... in an order fixed by the records'
content, so the ids do not depend on the order of the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
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
from service.lists.common import clean, parse_date, parse_partial_date, read_bytes, require_entries

FORMAT = "csl-json"

# Abbreviation printed in the CSL `source` name → the short code the service uses.
_SOURCE_CODES = {
    "SDN": "SDN",
    "EL": "EL",
    "DPL": "DPL",
    "UVL": "UVL",
    "MEU": "MEU",
    "SSI": "SSI",
    "FSE": "FSE",
    "PLC": "PLC",
    "NS-PLC": "PLC",
    "CAP": "CAP",
    "CAPTA": "CAP",
    "CMIC": "CMIC",
    "NS-CMIC": "CMIC",
    "MBS": "MBS",
    "NS-MBS": "MBS",
    "NS-MBS LIST": "MBS",
    "DTC": "DTC",
    "ISN": "ISN",
}
_PAREN = re.compile(r"\(([^()]+)\)")


def source_code(source: str | None) -> str | None:
    """'Entity List (EL) - Bureau of Industry and Security' → 'EL'; None when the source is not a known CSL list."""
    text = clean(source)
    if not text:
        return None
    if text.upper() in _SOURCE_CODES:
        return _SOURCE_CODES[text.upper()]
    for abbreviation in _PAREN.findall(text):
        code = _SOURCE_CODES.get(abbreviation.strip().upper())
        if code:
            return code
    return None


def entity_type(value: str | None) -> EntityType:
    """CSL `type` → EntityType; BIS and State lists leave it empty (UNKNOWN)."""
    return {
        "individual": EntityType.PERSON,
        "entity": EntityType.ORGANIZATION,
        "vessel": EntityType.VESSEL,
        "aircraft": EntityType.AIRCRAFT,
    }.get((clean(value) or "").lower(), EntityType.UNKNOWN)


# OFAC publishes "features" in the same `ids` list as documents; these labels are not identifiers.
_NOT_AN_ID = re.compile(
    r"date|directive|secondary sanctions|transactions prohibited|target type|issuer name|equity ticker|"
    r"organization type|additional sanctions|ifca|caatsa|nationality of registration|vessel type|vessel flag|"
    r"vessel year|vessel owner|aircraft model|aircraft manufacture|aircraft operator|gender|"
    r"former vessel|other vessel|place of registration|listing|nationality",
    re.IGNORECASE,
)
_ID_KINDS: tuple[tuple[str, str], ...] = (
    ("passport", "passport"),
    ("imo", "imo"),
    ("mmsi", "mmsi"),
    ("swift", "swift"),
    ("legal entity number", "lei"),
    ("lei", "lei"),
    ("digital currency address", "crypto_wallet"),
    ("email", "email"),
    ("website", "website"),
    ("phone", "phone"),
    ("call sign", "call_sign"),
    ("tail number", "aircraft_tail"),
    ("serial", "aircraft_serial"),
    ("construction number", "aircraft_serial"),
    ("tax", "tax"),
    ("vat", "tax"),
    ("v.a.t", "tax"),
    ("fiscal", "tax"),
    ("fein", "tax"),
    ("inn", "tax"),
    ("rfc", "tax"),
    ("r.f.c", "tax"),
    ("nit", "tax"),
    ("ruc", "tax"),
    ("cuit", "tax"),
    ("c.u.i.t", "tax"),
    ("registration", "registration"),
    ("registered", "registration"),
    ("company number", "registration"),
    ("business number", "registration"),
    ("gazette", "registration"),
    ("unified social credit", "registration"),
    ("ogrn", "registration"),
    ("trade license", "registration"),
    ("commercial", "registration"),
    ("chamber of commerce", "registration"),
    ("national id", "national_id"),
    ("identification", "national_id"),
    ("identity", "national_id"),
    ("cedula", "national_id"),
    ("curp", "national_id"),
    ("c.u.r.p", "national_id"),
    ("d.n.i", "national_id"),
    ("personal id", "national_id"),
    ("ssn", "national_id"),
    ("id no", "national_id"),
)


def id_kind(label: str) -> str | None:
    """Normalised identifier kind for a CSL `ids[].type`; None for OFAC features that are not identifiers."""
    lowered = label.lower()
    for needle, kind in _ID_KINDS:
        if re.search(r"(?<![a-z])" + re.escape(needle) + r"(?![a-z])", lowered):
            # "Vessel Registration Identification" holds the IMO number: classify by the value further down.
            return kind
    if _NOT_AN_ID.search(lowered):
        return None
    return "other"


def _iso(value: str | None) -> str | None:
    text = clean(value)
    if not text:
        return None
    return to_iso2(text) or text


def _as_list(value: Any) -> list[Any]:
    """CSL fields are lists in JSON but may be null, a string, or `; `-joined."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v for v in (clean(p) for p in value.split("; ")) if v]
    return [value]


def _str(value: Any) -> str | None:
    if value is None:
        return None
    return clean(str(value))


def record_entry(record: dict[str, Any], list_id: str, code: str, key: str, raw: str) -> ListEntry:
    """Build the ListEntry for one official-layout CSL record (shared with `csl-csv`)."""
    names: list[Name] = []
    seen: set[str] = set()
    for value, kind in [(record.get("name"), NameKind.PRIMARY)] + [
        (a, NameKind.ALIAS) for a in _as_list(record.get("alt_names"))
    ]:
        text = _str(value)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            names.append(Name(value=text, kind=kind))
    if not names or names[0].kind is not NameKind.PRIMARY:
        raise ListFormatError(f"{FORMAT}: record {key} of {code} has no name", field="name")

    countries: list[str] = []
    addresses: list[Address] = []
    for addr in _as_list(record.get("addresses")):
        address = _address(addr)
        if address is not None and address not in addresses:
            addresses.append(address)
            if address.country and address.country not in countries:
                countries.append(address.country)

    for value in _as_list(record.get("address_countries")):
        iso = _iso(_str(value))
        if iso and iso not in countries:
            countries.append(iso)

    identifiers: list[Identifier] = []
    gender: str | None = None
    for item in _as_list(record.get("ids")):
        label, number, country = _id_parts(item)
        if not label or not number:
            continue
        if label.lower() == "gender":
            gender = gender or number.lower()
            continue
        if "nationality of registration" in label.lower() or "vessel flag" in label.lower():
            iso = _iso(number)
            if iso and iso not in countries:
                countries.append(iso)
            continue
        id_type = id_kind(label)
        if id_type is None:
            continue
        imo = re.search(r"\bIMO\s*(\d{7})\b", number)
        if imo:
            id_type, number = "imo", imo.group(1)
        ident = Identifier(type=id_type, number=number, country=_iso(country), label=label)
        if ident not in identifiers:
            identifiers.append(ident)
    call_sign = _str(record.get("call_sign"))
    if call_sign:
        identifiers.append(Identifier(type="call_sign", number=call_sign, label="call_sign"))
    flag = _iso(_str(record.get("vessel_flag")))
    if flag and flag not in countries:
        countries.append(flag)

    dobs: list[PartialDate] = []
    for value in _as_list(record.get("dates_of_birth")):
        dob = parse_partial_date(_str(value))
        if dob is not None and dob not in dobs:
            dobs.append(dob)
    nationalities: list[str] = []
    for value in _as_list(record.get("nationalities")) + _as_list(record.get("citizenships")):
        iso = _iso(_str(value))
        if iso and iso not in nationalities:
            nationalities.append(iso)

    relations: list[Relation] = []
    owner = _str(record.get("vessel_owner"))
    if owner:
        relations.append(Relation(kind="owned_by", target_name=owner, note="vessel owner"))

    remarks = [
        text
        for text in (
            _labelled("Title", record.get("title")),
            _str(record.get("remarks")),
            _labelled("Federal Register notice", record.get("federal_register_notice")),
            _labelled("License requirement", record.get("license_requirement")),
            _labelled("License policy", record.get("license_policy")),
            _labelled("End date", record.get("end_date")),
        )
        if text
    ]
    programs = [p for p in (_str(v) for v in _as_list(record.get("programs"))) if p]
    return ListEntry(
        list_id=list_id,
        entity_id=key,
        entity_type=entity_type(_str(record.get("type"))),
        names=tuple(names),
        dates_of_birth=tuple(dobs),
        places_of_birth=tuple(p for p in (_str(v) for v in _as_list(record.get("places_of_birth"))) if p),
        nationalities=tuple(nationalities),
        countries=tuple(countries),
        addresses=tuple(addresses),
        identifiers=tuple(identifiers),
        programs=tuple(dict.fromkeys(programs)),
        listed_on=parse_date(_str(record.get("start_date"))),
        remarks="\n".join(remarks) or None,
        source_list=code,
        relations=tuple(relations),
        gender=gender,
        raw=raw,
    )


def _labelled(label: str, value: Any) -> str | None:
    text = _str(value)
    return f"{label}: {text}" if text else None


def _address(addr: Any) -> Address | None:
    """Official `{address, city, state, postal_code, country}` or the CSV's '…, City, Country, CC' string."""
    if isinstance(addr, dict):
        street = _str(addr.get("address"))
        city = _str(addr.get("city"))
        region = _str(addr.get("state"))
        postal = _str(addr.get("postal_code"))
        country_text = _str(addr.get("country"))
        full = ", ".join(p for p in (street, city, region, postal, country_text) if p)
        if not full:
            return None
        return Address(
            full=full,
            street=street,
            city=city,
            region=region,
            postal_code=postal,
            country=to_iso2(country_text) if country_text else None,
            country_name=country_text,
        )
    text = _str(addr)
    if not text:
        return None
    # The CSV joins each address as "street, city, [state,] [postal,] Country name, CC": the code comes last.
    # Only a two-letter code is trusted; fuzzy-resolving a trailing city name could invent a country.
    last = text.rsplit(",", 1)[-1].strip()
    country = to_iso2(last) if re.fullmatch(r"[A-Z]{2}", last) else None
    return Address(full=text, country=country)


def _id_parts(item: Any) -> tuple[str | None, str | None, str | None]:
    if isinstance(item, dict):
        return _str(item.get("type")), _str(item.get("number")), _str(item.get("country"))
    text = _str(item)
    if not text:
        return None, None, None
    # CSV: "type, number, country" (country optional; numbers and types may themselves contain commas).
    pieces = [p.strip() for p in text.split(", ")]
    if len(pieces) == 1:
        return pieces[0], None, None
    if len(pieces) >= 3 and re.fullmatch(r"[A-Z]{2}", pieces[-1]):
        return pieces[0], ", ".join(pieces[1:-1]), pieces[-1]
    return pieces[0], ", ".join(pieces[1:]), None


def stable_key(code: str, record: dict[str, Any]) -> str:
    """`entity_number`, else `_id`/`id`, else a hash of source code + name (stable across downloads)."""
    for field_name in ("entity_number", "_id", "id"):
        value = _str(record.get(field_name))
        if value:
            return f"{code}:{value}"
    digest = hashlib.sha256(f"{code}|{_str(record.get('name')) or ''}".encode()).hexdigest()[:16]
    return f"{code}:h{digest}"


def assign_ids(keyed: list[tuple[str, str, Any]], warnings: list[str]) -> list[tuple[str, Any]]:
    """Make ids unique: colliding ids get -2, -3... ordered by record content (`keyed` = (id, canonical, item))."""
    groups: dict[str, list[tuple[str, Any]]] = {}
    for key, canonical, item in keyed:
        groups.setdefault(key, []).append((canonical, item))
    renamed: dict[int, str] = {}
    collided = [key for key, members in groups.items() if len(members) > 1]
    if collided:
        warnings.append(
            f"{len(collided)} ids are shared by several records (same source and name, no entity number), "
            f"numbered <id>, <id>-2, ...: {', '.join(collided[:5])}{' ...' if len(collided) > 5 else ''}"
        )
    for key in collided:
        members = groups[key]
        for rank, (_, item) in enumerate(sorted(members, key=lambda m: m[0])):
            renamed[id(item)] = key if rank == 0 else f"{key}-{rank + 1}"
    return [(renamed.get(id(item), key), item) for key, _, item in keyed]


def build_entries(
    records: Sequence[dict[str, Any]],
    list_id: str,
    warnings: list[str],
    where: Callable[[int], str],
) -> list[ListEntry]:
    """Official-layout records → entries with unique ids (shared with `csl-csv`)."""
    keyed: list[tuple[str, str, Any]] = []
    for index, record in enumerate(records):
        source = _str(record.get("source"))
        code = source_code(source)
        if code is None:
            if not source:
                raise ListFormatError(f"{FORMAT}: {where(index)} has no source", field="source")
            # A list trade.gov adds later is kept, under its own abbreviation, rather than dropped.
            found = _PAREN.findall(source)
            code = found[0].strip().upper() if found else source
            warnings.append(f"{where(index)}: unknown CSL source {source!r}, kept as {code!r}")
        if not _str(record.get("name")):
            raise ListFormatError(f"{FORMAT}: {where(index)} has no name", field="name")
        canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
        keyed.append((stable_key(code, record), canonical, (code, canonical, record)))
    entries: list[ListEntry] = []
    for key, item in assign_ids(keyed, warnings):
        code, canonical, record = item
        entries.append(record_entry(record, list_id, code, key, canonical))
    return entries


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse CSL JSON (official `results`/list layout or the compact projection)."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    published: date | None = None
    for path in paths:
        try:
            data = json.loads(read_bytes(path).decode("utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ListFormatError(
                f"{FORMAT}: {path.name} is not valid JSON ({exc}); the file may be truncated"
            ) from exc
        if isinstance(data, dict) and "entries" in data and "tables" in data:
            file_entries, file_published = _compact(data, path, list_id, warnings)
        else:
            file_entries, file_published = _official(data, path, list_id, warnings)
        entries.extend(file_entries)
        published = file_published or published
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)


def _official(data: Any, path: Path, list_id: str, warnings: list[str]) -> tuple[list[ListEntry], date | None]:
    published: date | None = None
    if isinstance(data, dict):
        if not isinstance(data.get("results"), list):
            raise ListFormatError(
                f"{FORMAT}: {path.name} has neither `results` (official layout) nor `entries` + `tables` (compact)",
                field="results",
            )
        records = data["results"]
        # The bulk file states per-source import times; the newest one dates the file.
        stamps = [
            parse_date(_str(s.get("source_last_updated")) or _str(s.get("last_imported")))
            for s in data.get("sources_used") or []
            if isinstance(s, dict)
        ]
        dated = [s for s in stamps if s is not None]
        published = max(dated) if dated else parse_date(_str(data.get("search_performed_at")))
    elif isinstance(data, list):
        records = data
    else:
        raise ListFormatError(f"{FORMAT}: {path.name} top level is neither an object nor a list", field="root")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ListFormatError(f"{FORMAT}: {path.name} result #{index + 1} is not an object", field="results")
    return build_entries(records, list_id, warnings, lambda i: f"{path.name} result #{i + 1}"), published


def _compact(
    data: dict[str, Any], path: Path, list_id: str, warnings: list[str]
) -> tuple[list[ListEntry], date | None]:
    tables = data.get("tables") or {}
    sources: list[str] = tables.get("sources") or []
    programmes: list[str] = tables.get("programmes") or []
    requirements: list[str] = tables.get("licenceRequirements") or []
    policies: list[str] = tables.get("licencePolicies") or []
    urls: list[str] = tables.get("urls") or []
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list):
        raise ListFormatError(f"{FORMAT}: {path.name} `entries` is not a list", field="entries")
    expected = data.get("entryCount")
    if isinstance(expected, int) and expected != len(raw_entries):
        raise ListFormatError(
            f"{FORMAT}: {path.name} declares entryCount {expected} but holds {len(raw_entries)} entries; "
            "the file is incomplete",
            field="entries",
        )

    def pick(table: list[str], index: Any, field_name: str, position: int) -> str | None:
        if index is None:
            return None
        if not isinstance(index, int) or not 0 <= index < len(table):
            raise ListFormatError(
                f"{FORMAT}: {path.name} entry #{position + 1} has {field_name}={index!r}, not an index of its table",
                field=field_name,
            )
        return table[index]

    records: list[dict[str, Any]] = []
    for position, item in enumerate(raw_entries):
        if not isinstance(item, dict):
            raise ListFormatError(f"{FORMAT}: {path.name} entry #{position + 1} is not an object", field="entries")
        programme = pick(programmes, item.get("pg"), "pg", position)
        record = {
            "name": item.get("n"),
            "alt_names": item.get("a") or [],
            "source": pick(sources, item.get("s"), "s", position),
            "type": item.get("t"),
            # The projection keeps only the ISO codes of the address countries: countries, not addresses.
            "address_countries": item.get("c") or [],
            "entity_number": item.get("e"),
            "license_requirement": pick(requirements, item.get("lr"), "lr", position),
            "license_policy": pick(policies, item.get("lp"), "lp", position),
            "programs": [p for p in (programme or "").split("; ") if p],
            "federal_register_notice": item.get("fr"),
            "source_list_url": pick(urls, item.get("u"), "u", position),
        }
        records.append({k: v for k, v in record.items() if v not in (None, [])})
    counts = data.get("countsBySource")
    if isinstance(counts, dict):
        actual: dict[str, int] = {}
        for record in records:
            actual[str(record["source"])] = actual.get(str(record["source"]), 0) + 1
        if {k: v for k, v in counts.items() if v} != actual:
            raise ListFormatError(
                f"{FORMAT}: {path.name} countsBySource does not match its entries; the file is inconsistent",
                field="countsBySource",
            )
    entries = build_entries(records, list_id, warnings, lambda i: f"{path.name} entry #{i + 1}")
    return entries, parse_date(_str(data.get("sourceGeneratedAt")))
