"""`uk-csv`: the FCDO UK Sanctions List CSV (58 columns, one row per name, grouped by `Unique ID`).

The official download starts with a preamble line `Report Date: DD-Mon-YYYY` (→ `published`) before the header;
files without it are accepted too. Every row repeats the designation's other fields, so rows are merged per
`Unique ID` and repeated values collapse.

This module also holds the helpers the three UK parsers share (`uk-csv`, `uk-xml`, `ofsi-csv`): name-type and
alias-strength mapping, UK partial dates of birth (`dd/mm/1968`, `00/00/1994`), the "(1) ... (2) ..." multi-value
convention and `UKEntryBuilder`, which merges repeated rows into one `ListEntry`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

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
from service.lists.common import clean, csv_rows, parse_date, parse_partial_date, read_text, require_entries

FORMAT = "uk-csv"
_T = TypeVar("_T")

# Strength order used when the same name appears with several kinds: keep the most trustworthy one.
_KIND_RANK = {NameKind.PRIMARY: 0, NameKind.ALIAS: 1, NameKind.FORMER: 2, NameKind.WEAK_ALIAS: 3}


def uk_name_kind(name_type: str | None, strength: str | None) -> NameKind:
    """Map UK/OFSI name type + alias strength to a NameKind; low-quality aliases stay weak."""
    kind_text = (clean(name_type) or "").lower()
    low = "low" in (clean(strength) or "").lower()
    if kind_text in ("primary name", "primary", "primary_name"):
        # A primary name is the name of record whatever its quality cell says.
        return NameKind.PRIMARY
    if kind_text in ("fka", "formerly known as", "former name"):
        return NameKind.FORMER
    # "Primary name variation", "Alias", "AKA", "Prime Alias" and unknown labels are aliases of the party.
    return NameKind.WEAK_ALIAS if low else NameKind.ALIAS


def uk_entity_type(value: str | None) -> EntityType:
    """Individual / Entity / Ship → EntityType (unknown labels stay UNKNOWN)."""
    text = (clean(value) or "").lower()
    return {
        "individual": EntityType.PERSON,
        "entity": EntityType.ORGANIZATION,
        "ship": EntityType.VESSEL,
        "vessel": EntityType.VESSEL,
    }.get(text, EntityType.UNKNOWN)


def name_parts(given: Sequence[str | None], family: str | None) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Join Name 1–5 (given/middle names) and Name 6 (surname or whole entity name) into a full name and parts."""
    parts: list[tuple[str, str]] = []
    for i, value in enumerate(given):
        text = clean(value)
        if text:
            parts.append(("first" if i == 0 else "middle", text))
    last = clean(family)
    if last:
        parts.append(("last", last))
    full = " ".join(value for _, value in parts)
    # A lone Name 6 is an entity or ship name, not a surname: no parts to align.
    if len(parts) <= 1:
        return full, ()
    return full, tuple(parts)


_NUMBERED = re.compile(r"\(\d{1,2}\)\s*")


def split_numbered(value: str | None) -> list[str]:
    """Split OFSI's "(1) X (2) Y" multi-value cells (also "|"-joined FCDO cells); a plain value is one item."""
    return list(_split_numbered(value)) if value else []


@lru_cache(maxsize=65536)
def _split_numbered(value: str) -> tuple[str, ...]:
    # Cached: the same cells repeat on every name row of a designation.
    text = clean(value)
    if not text:
        return ()
    items = _NUMBERED.split(text) if _NUMBERED.match(text) else text.split("|")
    out: list[str] = []
    for item in items:
        item_text = clean(item.strip().rstrip(",;").strip())
        if item_text:
            # "(1) Central African Republic. (2) Chad": the full stop separates items, it is not part of the value.
            out.append(item_text.rstrip(".") if item_text.endswith(".") and len(item_text) > 3 else item_text)
    return tuple(out)


_UK_DOB = re.compile(r"^(dd|\d{1,2})/(mm|\d{1,2})/(\d{4})$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def uk_dob(value: str | None) -> PartialDate | None:
    """Parse UK dates of birth: `12/11/1967`, placeholders `dd/mm/1968` / `00/00/1994` (year only), `dd/09/1958`."""
    text = clean(value)
    if not text:
        return None
    m = _UK_DOB.match(text)
    if m:
        day_s, month_s, year_s = m.groups()
        year = int(year_s)
        month = int(month_s) if month_s.isdigit() and int(month_s) != 0 else None
        day = int(day_s) if day_s.isdigit() and int(day_s) != 0 and month is not None else None
        try:
            return PartialDate(year, month, day)
        except ValueError:
            # An impossible day (31/02) keeps what is certain: the year and month.
            return PartialDate(year, month) if month is not None and 1 <= month <= 12 else PartialDate(year)
    m2 = re.match(r"^(\d{1,2})/(\d{4})$", text)
    if m2:
        month = int(m2.group(1))
        return PartialDate(int(m2.group(2)), month if 1 <= month <= 12 else None)
    try:
        return parse_partial_date(text)
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def country_code(value: str | None) -> str | None:
    """ISO alpha-2 where resolvable, else the cleaned source text (the model keeps unresolved names)."""
    text = clean(value)
    if not text:
        return None
    return to_iso2(text) or text


_COUNTRY_SEP = re.compile(r"\s*[.,;/]\s*")


@lru_cache(maxsize=8192)
def country_codes(value: str | None) -> tuple[str, ...]:
    """Like `country_code`, but "Germany. Russia" / "Estonia, Russia" (two countries in one cell) give both."""
    text = clean(value)
    if not text:
        return ()
    code = to_iso2(text)
    if code:
        return (code,)
    pieces = [p for p in _COUNTRY_SEP.split(text) if p]
    if len(pieces) > 1:
        codes = [to_iso2(p) for p in pieces]
        if all(codes):
            return tuple(c for c in codes if c)
    return (text,)


_IMO = re.compile(r"(\d{7})")


def imo_number(value: str | None) -> str | None:
    """The 7-digit IMO number from `IMO9826902`, `9826902` or `IMO 9826902`."""
    text = clean(value)
    if not text:
        return None
    m = _IMO.search(text)
    return m.group(1) if m else text


class UKEntryBuilder:
    """Accumulates the rows (or XML children) of one designation; values repeat across rows and are deduplicated."""

    def __init__(self, list_id: str, entity_id: str) -> None:
        self.list_id = list_id
        self.entity_id = entity_id
        self.entity_types: list[EntityType] = []
        self.names: dict[str, Name] = {}  # casefolded value → best Name
        self.dobs: list[PartialDate] = []
        self.pobs: list[str] = []
        self.nationalities: list[str] = []
        self.countries: list[str] = []
        self.addresses: list[Address] = []
        self.identifiers: list[Identifier] = []
        self.programs: list[str] = []
        self.listed: list[date] = []
        self.remarks: list[str] = []
        self.relations: list[Relation] = []
        self.gender: str | None = None
        self.raw: list[object] = []  # source rows, serialised as JSON for audit
        self.raw_text: str | None = None  # or the source record verbatim (XML)
        self.seen_rows: set[tuple[str, ...]] = set()  # designation-level cells already merged

    def first_time(self, row: dict[str, str], name_columns: frozenset[str]) -> bool:
        """True when this row's non-name cells were not merged yet (rows repeat them once per name and DOB)."""
        signature = tuple(v for k, v in row.items() if k not in name_columns)
        if signature in self.seen_rows:
            return False
        self.seen_rows.add(signature)
        return True

    def add_name(
        self,
        value: str | None,
        kind: NameKind,
        parts: tuple[tuple[str, str], ...] = (),
        lang: str | None = None,
    ) -> None:
        """Add a name; a repeat keeps the stronger kind (a name that is both primary and alias stays primary)."""
        text = clean(value)
        if not text:
            return
        key = text.casefold()
        current = self.names.get(key)
        if current is None or _KIND_RANK[kind] < _KIND_RANK[current.kind]:
            self.names[key] = Name(
                value=current.value if current else text,
                kind=kind,
                parts=parts or (current.parts if current else ()),
                lang=lang or (current.lang if current else None),
            )

    def add_type(self, value: EntityType) -> None:
        _append(self.entity_types, value)

    def add_dob(self, value: PartialDate | None) -> None:
        if value is not None:
            _append(self.dobs, value)

    def add_pob(self, town: str | None, country: str | None) -> None:
        text = ", ".join(p for p in (clean(town), clean(country)) if p)
        if text:
            _append(self.pobs, text)

    def add_nationality(self, value: str | None) -> None:
        for code in country_codes(value):
            _append(self.nationalities, code)

    def add_country(self, value: str | None) -> None:
        for code in country_codes(value):
            _append(self.countries, code)

    def add_address(self, lines: Iterable[str | None], postal_code: str | None, country: str | None) -> None:
        """Address Line 1–6 (line 6 is the town/region in UK files), postcode and country."""
        parts = [p for p in (clean(line) for line in lines) if p]
        post = clean(postal_code)
        country_name = clean(country)
        if not parts and not post and not country_name:
            return
        full = ", ".join([*parts, *([post] if post else []), *([country_name] if country_name else [])])
        iso = to_iso2(country_name) if country_name else None
        # Which line holds the town varies (line 2 in some records, line 6 in others): keep lines in `full`
        # rather than guess a wrong city.
        _append(self.addresses, Address(full=full, postal_code=post, country=iso, country_name=country_name))
        if country_name:
            self.add_country(country_name)

    def add_identifier(
        self, kind: str, number: str | None, *, label: str | None = None, note: str | None = None
    ) -> None:
        text = clean(number)
        if not text:
            return
        # Identifiers repeat on every name row; the first occurrence wins, later notes do not duplicate it.
        if any(i.type == kind and i.number == text for i in self.identifiers):
            return
        self.identifiers.append(Identifier(type=kind, number=text, label=label, note=clean(note)))

    def add_program(self, value: str | None) -> None:
        text = clean(value)
        if text:
            _append(self.programs, text)

    def add_listed(self, value: str | None) -> None:
        parsed = cached_date(value)
        if parsed is not None:
            self.listed.append(parsed)

    def add_remark(self, value: str | None, prefix: str | None = None) -> None:
        text = clean(value)
        if text:
            _append(self.remarks, f"{prefix}: {text}" if prefix else text)

    def add_relation(self, relation: Relation) -> None:
        _append(self.relations, relation)

    def build(self, fmt: str) -> ListEntry:
        """Produce the ListEntry; a designation without any name is a format error."""
        names = sorted(self.names.values(), key=lambda n: _KIND_RANK[n.kind])
        if not names:
            raise ListFormatError(f"{fmt}: designation {self.entity_id} has no name", field="name")
        if names[0].kind is not NameKind.PRIMARY:
            # A few groups list only aliases; the strongest one stands in as the name of record.
            first = names[0]
            names[0] = Name(value=first.value, kind=NameKind.PRIMARY, parts=first.parts, lang=first.lang)
        entity_type = next((t for t in self.entity_types if t is not EntityType.UNKNOWN), EntityType.UNKNOWN)
        return ListEntry(
            list_id=self.list_id,
            entity_id=self.entity_id,
            entity_type=entity_type,
            names=tuple(names),
            dates_of_birth=tuple(self.dobs),
            places_of_birth=tuple(self.pobs),
            nationalities=tuple(self.nationalities),
            countries=tuple(self.countries),
            addresses=tuple(self.addresses),
            identifiers=tuple(self.identifiers),
            programs=tuple(self.programs),
            listed_on=min(self.listed) if self.listed else None,
            remarks="\n".join(self.remarks) or None,
            relations=tuple(self.relations),
            gender=self.gender,
            raw=self.raw_text
            if self.raw_text is not None
            else json.dumps(self.raw, ensure_ascii=False, separators=(",", ":")),
        )


@lru_cache(maxsize=65536)
def cached_date(value: str | None) -> date | None:
    """`parse_date`, cached: listing dates repeat on every row of a group."""
    return parse_date(value)


def _append(items: list[_T], value: _T) -> None:
    if value not in items:
        items.append(value)


def find_header(rows: list[list[str]], required: Sequence[str], fmt: str, path: Path) -> int:
    """Index of the header row among the first few rows (a preamble line may precede it)."""
    for i, row in enumerate(rows[:5]):
        cells = {c.strip() for c in row}
        if all(col in cells for col in required):
            return i
    raise ListFormatError(
        f"{fmt}: {path.name} has no header row with columns {', '.join(required)}; is this the right format?",
        field="header",
    )


def check_row_width(row: list[str], width: int, line: int, fmt: str, path: Path) -> None:
    """A row with the wrong number of cells means a cut or corrupted file: refuse it."""
    if len(row) != width:
        raise ListFormatError(
            f"{fmt}: {path.name} row {line} has {len(row)} fields, expected {width}; the file may be truncated",
            field="row",
        )


# Column names of the FCDO CSV.
_REQUIRED = ("Unique ID", "Name 6", "Name type")
_REPORT_DATE = re.compile(r"Report Date:\s*(\S+)", re.IGNORECASE)


def group_rows(
    rows: list[list[str]],
    header_at: int,
    path: Path,
    fmt: str,
    list_id: str,
    id_column: str,
    add_row: Callable[[UKEntryBuilder, dict[str, str]], None],
) -> dict[str, UKEntryBuilder]:
    """Merge the one-row-per-name layout of the UK files into one builder per designation id, in file order."""
    header = [c.strip() for c in rows[header_at]]
    width = len(header)
    builders: dict[str, UKEntryBuilder] = {}
    for line, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        check_row_width(row, width, line, fmt, path)
        rec = dict(zip(header, row, strict=True))
        key = clean(rec.get(id_column))
        if not key:
            raise ListFormatError(f"{fmt}: {path.name} row {line} has no {id_column}", field=id_column)
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = UKEntryBuilder(list_id, key)
        add_row(builder, rec)
    return builders


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse the FCDO UK Sanctions List CSV into one entry per Unique ID."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    published: date | None = None
    for path in paths:
        rows = list(csv_rows(read_text(path)))
        header_at = find_header(rows, _REQUIRED, FORMAT, path)
        for pre in rows[:header_at]:
            m = _REPORT_DATE.search(",".join(pre))
            if m:
                published = parse_date(m.group(1)) or published
        builders = group_rows(rows, header_at, path, FORMAT, list_id, "Unique ID", _add_row)
        entries.extend(b.build(FORMAT) for b in builders.values())
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)


_NAME_COLUMNS = frozenset(
    [f"Name {i}" for i in range(1, 7)]
    + ["Name type", "Alias strength", "Name non-latin script", "Non-latin script type", "Non-latin script language"]
)


def _add_row(b: UKEntryBuilder, rec: dict[str, str]) -> None:
    """Merge one FCDO CSV row (one name of the designation, plus the repeated designation fields)."""
    b.raw.append({k: v for k, v in rec.items() if v.strip()})
    g = rec.get
    kind = uk_name_kind(g("Name type"), g("Alias strength"))
    full, parts = name_parts([g(f"Name {i}") for i in range(1, 6)], g("Name 6"))
    b.add_name(full, kind, parts)
    # Non-Latin script names are the same name written in another script: a strong alias, never primary.
    b.add_name(g("Name non-latin script"), NameKind.ALIAS, lang=clean(g("Non-latin script language")))
    if not b.first_time(rec, _NAME_COLUMNS):
        return
    b.add_type(uk_entity_type(g("Designation Type")))
    b.add_program(g("Regime Name"))
    b.add_listed(g("Date Designated"))
    for dob in split_numbered(g("D.O.B")):
        b.add_dob(uk_dob(dob))
    for nat in split_numbered(g("Nationality(/ies)")):
        b.add_nationality(nat)
    towns = split_numbered(g("Town of birth"))
    countries = split_numbered(g("Country of birth"))
    for i in range(max(len(towns), len(countries))):
        b.add_pob(towns[i] if i < len(towns) else None, countries[i] if i < len(countries) else None)
    b.add_address([g(f"Address Line {i}") for i in range(1, 7)], g("Address Postal Code"), g("Address Country"))
    add_documents(b, "passport", g("Passport number"), g("Passport additional information"))
    add_documents(b, "national_id", g("National Identifier number"), g("National Identifier additional information"))
    for reg in split_numbered(g("Business registration number (s)")):
        b.add_identifier("registration", reg)
    for imo in split_numbered(g("IMO number")):
        b.add_identifier("imo", imo_number(imo), label="IMO number")
    for phone in split_numbered(g("Phone number")):
        b.add_identifier("phone", phone)
    for site in split_numbered(g("Website")):
        b.add_identifier("website", site)
    for mail in split_numbered(g("Email address")):
        b.add_identifier("email", mail)
    b.add_identifier("other", g("UN Reference Number"), label="UN Reference Number")
    b.add_identifier("other", g("OFSI Group ID"), label="OFSI Group ID")
    for flag in split_numbered(g("Current believed flag of ship")):
        b.add_country(flag)
    for parent in split_numbered(g("Parent company")):
        b.add_relation(Relation(kind="owned_by", target_name=parent, note="parent company"))
    for sub in split_numbered(g("Subsidiaries")):
        b.add_relation(Relation(kind="owner_of", target_name=sub, note="subsidiary"))
    for owner in split_numbered(g("Current owner/operator (s)")):
        b.add_relation(Relation(kind="owned_by", target_name=owner, note="current owner/operator"))
    gender = clean(g("Gender"))
    if gender and b.gender is None:
        b.gender = gender.lower()
    b.add_remark(g("Title"), "Title")
    b.add_remark(g("Position"), "Position")
    b.add_remark(", ".join(dict.fromkeys(split_numbered(g("Sanctions Imposed")))), "Sanctions imposed")
    b.add_remark(g("Other Information"))
    b.add_remark(g("UK Statement of Reasons"), "UK Statement of Reasons")


def add_documents(b: UKEntryBuilder, kind: str, numbers: str | None, details: str | None) -> None:
    """Pair "(1) A (2) B" numbers with their "(1) ... (2) ..." notes when the counts agree."""
    nums = split_numbered(numbers)
    notes = split_numbered(details)
    for i, num in enumerate(nums):
        note = notes[i] if len(notes) == len(nums) else clean(details)
        b.add_identifier(kind, num, note=note)
