"""Parser for OpenSanctions' transcriptions of EU Official Journal sanctions annexes (format `eu-journal-csv`).

Input: the `datasets/eu/journal_sanctions/data/{consolidated,amendments}/<CELEX>.csv` files (paths may be folders,
searched recursively for *.csv, or files). A row is one designation of one party in one annex of one act:
`celex` (consolidated files) or `amendedCelex` + `amendmentCelex` (amending acts), `recordId`, `programKey`, `annex`,
`measure`, `startDate`, `reason`, `schema`, `name`, `alias`, `weakAlias`, `previousName`, identity columns, `notes`.

Entity identity (checked on the 2026-08 data, 56 files / 8,434 rows): `recordId` is NOT a party id; it is the entry
number inside one annex (1, 2, 3... in every file), so it cannot group rows. The same party appears in several annexes
or acts (e.g. Reg. 269/2014 Annex I and Reg. 833/2014 Annex IV) under the same name, or under a changed name with the
same registry number (renamed vessels keep their IMO number). Rows are therefore merged into one party when:
- non-persons of the same entity type share the normalised name (case-folded, quotes removed, spaces collapsed), or
  share a strong registry number of that type: a 7-digit IMO number in `imoNumber`, a 10/12-digit INN in `innCode`
  or `taxNumber`, a 13/15-digit OGRN in `ogrnCode` or `registrationNumber`. (KPP codes, 9 digits, are shared by
  many companies and are never used for linking.) Identifiers inside person rows are not used: they often name the
  person's company.
- persons share the normalised name and compatible birth years: rows whose birth-year sets intersect are one person
  (two "Kim Yong Chol" born 1946 and 1962 stay two persons); rows without a birth date join the only dated cluster,
  or stay together as their own party when the name has several dated clusters (ambiguous).
`entity_id` is a stable hash: of the smallest strong registry number when the party has one, else of entity type,
normalised primary name and (persons) earliest birth year.

Per party: primary name = name of its first row (consolidated acts before amending acts, then CELEX order);
other `name` pieces and `alias` → ALIAS, `weakAlias` → WEAK_ALIAS, `previousName` → FORMER. Multi-valued cells are
`;`-separated with `"..."` quoting (OpenSanctions' convention), and also use "(a)/(b)" enumerations; in the alias
cells of non-persons a comma separates two names only when every piece is itself a multi-word name (never in `name`,
where "Parent, Subsidiary" is one name) ("IskraUralTel JSC, RTSoft JSC" but not
"Co., Ltd" or "Al-Haq, Amin"). listed_on = the earliest `startDate` of the party's designations. programs = its
`programKey`s; source_list = its "<CELEX> Annex <annex>" designations; remarks list each designation with measure,
start date and amending act, then reasons/positions/notes.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
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
)
from service.lists.common import clean, parse_date, parse_partial_date, read_text, require_entries

FORMAT = "eu-journal-csv"
T = TypeVar("T")

SCHEMA_TYPES = {
    "person": EntityType.PERSON,
    "company": EntityType.ORGANIZATION,
    "legalentity": EntityType.ORGANIZATION,
    "organization": EntityType.ORGANIZATION,
    "publicbody": EntityType.ORGANIZATION,
    "vessel": EntityType.VESSEL,
    "airplane": EntityType.AIRCRAFT,
}

# Strong registry numbers used to link non-person rows: (kind, columns, regex for a standalone number).
LINK_IDS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("imo", ("imoNumber",), re.compile(r"(?<!\d)\d{7}(?!\d)")),
    ("inn", ("innCode", "taxNumber"), re.compile(r"(?<!\d)(?:\d{12}|\d{10})(?!\d)")),
    ("ogrn", ("ogrnCode", "registrationNumber"), re.compile(r"(?<!\d)(?:\d{15}|\d{13})(?!\d)")),
)
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
BIRTH_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_QUOTES = re.compile(r"[\"'“”„‘’‚«»`´]")
_ENUM = re.compile(r"(?:^|[\s,;])\((?:[a-z]{1,2}|[ivx]{1,4})\)\s*", re.IGNORECASE)
_BIRTH_INFO = re.compile(r"[\s.(,;]*\b(?:date|place) of birth\b.*$", re.IGNORECASE | re.DOTALL)
_LEGAL_SUFFIX = re.compile(r"^(?:ltd|ltd\.|limited|inc|inc\.|llc|co|co\.|corp|corp\.|gmbh|s\.?a\.?|jsc|plc)$", re.I)

# Identifier columns: column → (type, label when the cell gives none, split free text on commas too).
_ID_COLUMNS: tuple[tuple[str, str, str | None, bool], ...] = (
    ("registrationNumber", "registration", None, True),
    ("ogrnCode", "registration", "OGRN", True),
    ("taxNumber", "tax", None, True),
    ("innCode", "tax", "INN", True),
    ("kppCode", "registration", "KPP", True),
    ("okpoCode", "registration", "OKPO", True),
    ("leiCode", "lei", "LEI", True),
    ("swiftBic", "swift", "SWIFT/BIC", True),
    ("imoNumber", "imo", "IMO", True),
    ("mmsi", "mmsi", "MMSI", True),
    ("passportNumber", "passport", None, False),
    ("idNumber", "national_id", None, False),
)
# Labels found inside registration/tax cells ("1026604933475 (OGRN)", "KPP: 772701001") → identifier type.
_LABEL_TYPES = {
    "ogrn": "registration",
    "ogrnip": "registration",
    "kpp": "registration",
    "okpo": "registration",
    "brn": "registration",
    "uscc": "registration",
    "inn": "tax",
    "tin": "tax",
    "tax id/inn": "tax",
    "tax id": "tax",
    "trn": "tax",
    "imo": "imo",
    "imo-number": "imo",
}
_LEADING_LABEL = re.compile(r"^(OGRNIP|OGRN|INN|TIN|KPP|OKPO|BRN|TRN|USCC|IMO)\b[\s:.-]*", re.IGNORECASE)

_NATIONALITY_NOISE = re.compile(
    r"\((?:[a-z]{1,2}|[ivx]{1,4})\)|\b(?:allegedly|assumed|possibly|probably|of the|and|or)\b|\(.*?\)|\bsince \d{4}\b",
    re.IGNORECASE,
)


def country_code(text: str | None) -> str | None:
    """ISO alpha-2 for an exact country name/code ("Serbia", "Russian Federation", "RUS"), else None."""
    return to_iso2(" ".join((text or "").split()).strip(" .,;()"))


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    """Order-preserving de-duplication."""
    return tuple(dict.fromkeys(items))


def normalize_name(value: str) -> str:
    """Grouping form of a name: NFKC, case-folded, quotes dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(_QUOTES.sub("", text).split())


def entity_type(schema: str) -> EntityType:
    """Map an FtM schema name (Person, Company, LegalEntity, Organization, Vessel, Airplane) to EntityType."""
    return SCHEMA_TYPES.get(schema.strip().lower(), EntityType.UNKNOWN)


def split_cell(value: str | None) -> list[str]:
    """Split a `;`-separated multi-value cell, honouring `"..."` quoting of items that contain `;`."""
    text = (value or "").strip()
    if not text:
        return []
    if '"' in text:
        try:
            items = next(csv.reader([text], delimiter=";", quotechar='"', skipinitialspace=True, strict=True))
        except (csv.Error, StopIteration):
            items = text.replace('"', "").split(";")
    else:
        items = text.split(";")
    return [item.strip() for item in items if item.strip()]


def _split_commas(piece: str) -> list[str]:
    """Split "A Name LLC, Another Name JSC" only when every comma piece is itself a multi-word name."""
    if "," not in piece or "(" in piece:
        return [piece]
    merged: list[str] = []
    for part in (p.strip() for p in piece.split(",")):
        if not part:
            continue
        if merged and _LEGAL_SUFFIX.match(part):  # "Co., Ltd": a suffix belongs to the previous name
            merged[-1] = f"{merged[-1]}, {part}"
        else:
            merged.append(part)
    if len(merged) > 1 and all(len(p.split()) >= 2 and not p[:1].islower() for p in merged):
        return merged
    return [piece]


def _strip_quotes(text: str) -> str:
    """Drop a quote left dangling at either end by cell splitting; keep paired ones ('LLC “KB LIS”')."""
    for quote in ('"', "'", "“", "”", "‘", "’"):
        paired = (quote in "“”" and "“" in text and "”" in text) or (quote in "‘’" and "‘" in text and "’" in text)
        if text.count(quote) % 2 == 1 and not paired:
            if text.startswith(quote):
                text = text[1:]
            elif text.endswith(quote):
                text = text[:-1]
    return text.strip()


def split_names(value: str | None, *, is_person: bool, commas: bool = True) -> list[str]:
    """Names in one name/alias cell: `;` items, "(a)/(b)" enumerations, commas (non-persons), birth info cut off."""
    names: list[str] = []
    for item in split_cell(value):
        for piece in _ENUM.split(item):
            piece = _strip_quotes(_BIRTH_INFO.sub("", piece).strip(" \t\n,;:"))
            if not piece or piece.lower().startswith(("place of birth", "date of birth")):
                continue
            for name in _split_commas(piece) if commas and not is_person else [piece]:
                text = clean(name.strip(" ,;"))
                if text and any(ch.isalnum() for ch in text):
                    names.extend(slash_alternatives(text))
    return names


_SLASHED_WORD = re.compile(r"^[^\W\d_]{3,}(?:/[^\W\d_]{3,})+$")


def slash_alternatives(text: str) -> list[str]:
    """Slash alternatives as separate names: "Fahd/Fahed" → ["Fahd", "Fahed"], "Ali Fahd/Fahed" → two names.

    Only words whose every alternative has 3+ letters: "A/S", "S/A", "c/o" and numbers stay as written.
    """
    words = text.split(" ")
    for i, word in enumerate(words):
        if _SLASHED_WORD.match(word):
            out: list[str] = []
            for alternative in word.split("/"):
                for name in slash_alternatives(" ".join([*words[:i], alternative, *words[i + 1 :]])):
                    if name not in out:
                        out.append(name)
            return out[:8]
    return [text]


def birth_years(value: str | None) -> frozenset[int]:
    """All plausible years mentioned in a birthDate cell (used to tell same-name persons apart)."""
    return frozenset(int(y) for y in BIRTH_YEAR.findall(value or ""))


def link_ids(row: dict[str, str]) -> list[tuple[str, str]]:
    """Strong registry numbers of a non-person row: [("imo", "9290397"), ("inn", ...), ("ogrn", ...)]."""
    found: list[tuple[str, str]] = []
    for kind, columns, pattern in LINK_IDS:
        for column in columns:
            found.extend((kind, number) for number in pattern.findall(row.get(column) or ""))
    return list(_unique(found))


_RANGE = re.compile(r"(?i)(?:between\s+)?(\d{4})\s*(?:-|–|to|and)\s*(\d{4})")


def parse_birth_dates(value: str | None) -> list[PartialDate]:
    """Dates in a birthDate cell: "11.4.1963", "(a) 1972 (b) 21.3.1974", "Between 1960 and 1962", "1960 or 1961"."""
    out: list[PartialDate] = []
    for item in split_cell(value):
        for piece in re.split(r"\((?:[a-z]{1,2}|[ivx]{1,4})\)|;|\bor\b", item, flags=re.IGNORECASE):
            text = piece.strip(' ,."')
            if not text or "year unknown" in text.lower():
                continue
            circa = bool(re.search(r"(?i)approx|circa|about|probabl", text))
            if (m := _RANGE.search(text)) and "s" not in text[m.end() : m.end() + 1]:
                low, high = sorted((int(m.group(1)), int(m.group(2))))
                if 1800 <= low <= high <= 2100:
                    out.append(PartialDate(low, circa=circa, year_to=high if high != low else None))
                continue
            for part in text.split(",") if re.search(r",\s*\d", text) else [text]:
                if m := _DOTTED.match(part.strip()):  # fast path for the common "11.4.1963"
                    with contextlib.suppress(ValueError):  # impossible day/month in the source: skip that date
                        out.append(PartialDate(int(m.group(3)), int(m.group(2)), int(m.group(1)), circa=circa))
                    continue
                try:
                    parsed = parse_partial_date(re.sub(r"(?i)\(?probably\)?", "", part))
                except ValueError:  # impossible day/month in the source: skip that date
                    parsed = None
                if parsed is not None:
                    if circa and not parsed.circa:
                        parsed = PartialDate(parsed.year, parsed.month, parsed.day, circa=True, year_to=parsed.year_to)
                    out.append(parsed)
    return list(_unique(out))


@lru_cache(maxsize=4096)
def _start_date(value: str | None) -> date | None:
    """startDate: "23.2.2022", "22 March 2022", "12 Feb. 2022", "2022-02-23"."""
    text = clean(value)
    if not text:
        return None
    if m := _DOTTED.match(text):  # the common form; strptime over many formats is slow on 8k rows
        try:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    text = re.sub(r"(?i)\bsept\b", "Sep", re.sub(r"(?<=[A-Za-z])\.", "", text))
    return parse_date(text)


def _nationality(piece: str) -> str | None:
    text = clean(_NATIONALITY_NOISE.sub(" ", piece))
    if not text:
        return None
    key = text.lower().strip(" .,;:")
    if not key or not any(ch.isalpha() for ch in key):
        return None
    return country_code(key) or text.strip(" .,;:")


def _nationalities(value: str | None) -> list[str]:
    out: list[str] = []
    for item in split_cell(value):
        # Only the first sentence is the nationality ("Indonesian. National Identification No.: ...").
        item = re.split(r"\.\s", item, maxsplit=1)[0]
        item = re.sub(r"(?i)myanmar\s*/\s*burma", "Myanmar", item)
        if whole := country_code(clean(item)):  # "Bosnia and Herzegovina", "Trinidad and Tobago" stay one
            out.append(whole)
            continue
        # "(a) Jordanian (b) American", "a) Syrian b) Palestinian", "Syrian/Iranian", "Russian, Ukrainian".
        for piece in re.split(r"(?:^|\s)\(?(?:[a-h]|[ivx]{1,4})\)|[,/]| and ", item):
            if nationality := _nationality(piece):
                out.append(nationality)
    return out


def _address(item: str) -> Address:
    segments = [s.strip() for s in item.split(",") if s.strip()]
    country_name = None
    country = None
    for candidate in (segments[-1], segments[0]) if segments else ():
        iso = country_code(candidate)
        if iso:
            country, country_name = iso, candidate
            break
    return Address(full=item, country=country, country_name=country_name)


def _identifiers_from(column: str, id_type: str, label: str | None, split_commas: bool, value: str) -> list[Identifier]:
    out: list[Identifier] = []
    for item in split_cell(value):
        pieces = re.split(r",|\s/\s|\band\b", item) if split_commas else [item]
        for piece in pieces:
            text = piece.strip(" .;:-")
            if not text:
                continue
            piece_label, piece_type, note = label, id_type, None
            if split_commas:
                if m := _LEADING_LABEL.match(text):
                    piece_label = m.group(1).upper()
                    text = text[m.end() :]
                if m := re.search(r"\(([^)]*)\)\s*$", text):
                    inner = m.group(1).strip()
                    text = text[: m.start()].strip()
                    if inner.lower() in _LABEL_TYPES:
                        piece_label = inner.upper() if len(inner) <= 5 else inner
                    else:
                        note = inner
                if piece_label and piece_label.lower() in _LABEL_TYPES:
                    piece_type = _LABEL_TYPES[piece_label.lower()]
                text = text.strip(" .;:-)")
                if re.fullmatch(r"[\d ]+", text):
                    text = text.replace(" ", "")  # "1 121 402 000 213" is one number
            else:
                if m := re.search(r"\((.*)\)\s*$", text, re.DOTALL):
                    note = m.group(1).strip()
                    text = text[: m.start()].strip()
            if text and any(ch.isdigit() for ch in text):
                out.append(
                    Identifier(
                        type=piece_type,
                        number=text,
                        country=country_code(note) if note else None,
                        label=piece_label or column,
                        note=note,
                    )
                )
    return out


@dataclass(slots=True)
class _Row:
    """One CSV row with where it came from."""

    path: Path
    consolidated: bool
    index: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    @property
    def celex(self) -> str:
        return self.get("celex") or self.get("amendedCelex") or self.path.stem

    @property
    def sort_key(self) -> tuple[int, str, str, int]:
        return (0 if self.consolidated else 1, self.celex, self.path.name, self.index)


def _csv_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.csv") if p.is_file())
            if not found:
                raise ListFormatError(f"{FORMAT}: no *.csv files under {path}", field="path")
            files.extend(found)
        else:
            files.append(path)
    return files


def read_rows(paths: Sequence[Path]) -> Iterator[_Row]:
    """All data rows of all files; a malformed or truncated file raises ListFormatError."""
    for path in _csv_files(paths):
        text = read_text(path)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        try:
            records = list(reader)
        except csv.Error as exc:
            raise ListFormatError(f"{path.name}: malformed CSV ({exc}); the file may be truncated") from exc
        header = [h.strip() for h in records[0]] if records else []
        if "name" not in header or "schema" not in header or not ({"celex", "amendedCelex"} & set(header)):
            raise ListFormatError(
                f"{path.name}: not an EU journal sanctions CSV (needs celex/amendedCelex, schema, name)"
            )
        consolidated = "celex" in header
        for index, record in enumerate(records[1:], start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise ListFormatError(
                    f"{path.name}: record {index} has {len(record)} fields, expected {len(header)}; "
                    "the file may be truncated"
                )
            yield _Row(path, consolidated, index, {k: v.strip() for k, v in zip(header, record, strict=True)})


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group_rows(rows: Sequence[dict[str, str]]) -> list[list[int]]:
    """Indices of rows that describe the same party (rules in the module docstring), in first-row order."""
    uf = _UnionFind(len(rows))
    first_by_key: dict[tuple[str, ...], int] = {}
    person_buckets: dict[str, list[int]] = {}

    def link(key: tuple[str, ...], i: int) -> None:
        if key in first_by_key:
            uf.union(first_by_key[key], i)
        else:
            first_by_key[key] = i

    for i, row in enumerate(rows):
        names = split_cell(row.get("name"))
        name = normalize_name(names[0] if names else row.get("name") or "")
        kind = entity_type(row.get("schema") or "")
        if kind is EntityType.PERSON:
            person_buckets.setdefault(name, []).append(i)
            continue
        link(("name", kind.value, name), i)
        for id_kind, number in link_ids(row):
            link(("id", kind.value, id_kind, number), i)

    for members in person_buckets.values():
        dated = [i for i in members if birth_years(rows[i].get("birthDate"))]
        undated = [i for i in members if i not in set(dated)]
        by_year: dict[int, int] = {}
        for i in dated:
            for year in birth_years(rows[i].get("birthDate")):
                if year in by_year:
                    uf.union(by_year[year], i)
                else:
                    by_year[year] = i
        clusters = {uf.find(i) for i in dated}
        anchor = next(iter(clusters)) if len(clusters) == 1 else (undated[0] if undated else None)
        for i in undated:
            if anchor is not None:
                uf.union(anchor, i)

    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(uf.find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _entity_id(kind: EntityType, primary: str, rows: Sequence[_Row], dobs: Sequence[PartialDate]) -> str:
    """Stable id: smallest strong registry number, else type + normalised primary name (+ earliest birth year)."""
    strong = sorted({f"{k}:{n}" for r in rows if kind is not EntityType.PERSON for k, n in link_ids(r.values)})
    if strong:
        basis = f"{kind.value}|{strong[0]}"
    else:
        year = min((d.year for d in dobs), default=None)
        basis = f"{kind.value}|{normalize_name(primary)}|{year or ''}"
    return "euj-" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:16]


def _build(group: Sequence[_Row], list_id: str, warnings: list[str]) -> ListEntry | None:
    rows = sorted(group, key=lambda r: r.sort_key)
    kinds = _unique(entity_type(r.get("schema")) for r in rows)
    kind = kinds[0]
    is_person = kind is EntityType.PERSON

    names: list[Name] = []
    for r in rows:
        # No comma split in `name`: "Tactical Missile Company, Joint Stock Company “Salute”" is one subsidiary.
        for i, value in enumerate(split_names(r.get("name"), is_person=is_person, commas=False)):
            names.append(Name(value, NameKind.PRIMARY if not names and i == 0 else NameKind.ALIAS))
    if not names:
        warnings.append(f"{rows[0].path.name}:{rows[0].index}: row without a name skipped")
        return None
    for column, name_kind in (
        ("alias", NameKind.ALIAS),
        ("weakAlias", NameKind.WEAK_ALIAS),
        ("previousName", NameKind.FORMER),
    ):
        for r in rows:
            names.extend(Name(v, name_kind) for v in split_names(r.get(column), is_person=is_person))
    # The same text can come as a name in one annex and an alias in another: keep the strongest occurrence.
    strength = {NameKind.PRIMARY: 0, NameKind.ALIAS: 1, NameKind.FORMER: 2, NameKind.WEAK_ALIAS: 3}
    best: dict[str, Name] = {}
    for name in names:
        if name.value not in best or strength[name.kind] < strength[best[name.value].kind]:
            best[name.value] = name
    unique_names = [best[v] for v in dict.fromkeys(n.value for n in names)]

    dobs = [d for r in rows for d in parse_birth_dates(r.get("birthDate"))]
    places = [p for r in rows for p in split_cell(r.get("birthPlace"))]
    nationalities = [n for r in rows for n in _nationalities(r.get("nationality"))]
    countries = [c for r in rows for item in split_cell(r.get("country")) if (c := country_code(item))]
    countries += [c for r in rows for item in split_cell(r.get("jurisdiction")) if (c := country_code(item))]
    addresses = [_address(item) for r in rows for item in split_cell(r.get("address"))]
    countries += [a.country for a in addresses if a.country]
    identifiers: list[Identifier] = []
    for r in rows:
        for column, id_type, label, split_commas in _ID_COLUMNS:
            if value := r.get(column):
                identifiers.extend(_identifiers_from(column, id_type, label, split_commas, value))
        for column, id_type in (("website", "website"), ("email", "email"), ("phone", "phone")):
            identifiers.extend(Identifier(type=id_type, number=v) for v in split_cell(r.get(column)))

    designations: list[str] = []
    details: list[str] = []
    for r in rows:
        started = _start_date(r.get("startDate"))
        text = f"{r.celex} Annex {r.get('annex') or '?'}"
        if r.get("measure"):
            text += f" ({r.get('measure')})"
        if started:
            text += f", from {started.isoformat()}"
        if r.get("amendmentCelex"):
            text += f", added by {r.get('amendmentCelex')}"
        designations.append(f"Designation: {text}")
        for column, prefix in (
            ("position", "Position"),
            ("reason", "Reason"),
            ("legalForm", "Legal form"),
            ("incorporationDate", "Incorporated"),
            ("sector", "Sector"),
            ("flag", "Flag"),
            ("fatherName", "Father"),
            ("motherName", "Mother"),
            ("notes", "Notes"),
        ):
            if detail := clean(r.get(column)):
                details.append(f"{prefix}: {detail}")
    start_dates = [d for r in rows if (d := _start_date(r.get("startDate")))]
    genders = [g for r in rows if (g := r.get("gender").lower().strip(" .")) in ("male", "female")]
    gender = genders[0] if genders else None
    if len(kinds) > 1:
        warnings.append(f"{names[0].value}: rows disagree on schema ({', '.join(k.value for k in kinds)})")

    raw = json.dumps(
        [{"file": r.path.name, "record": r.index, **{k: v for k, v in r.values.items() if v}} for r in rows],
        ensure_ascii=False,
    )
    return ListEntry(
        list_id=list_id,
        entity_id=_entity_id(kind, unique_names[0].value, rows, dobs),
        entity_type=kind,
        names=tuple(unique_names),
        dates_of_birth=_unique(dobs),
        places_of_birth=_unique(places),
        nationalities=_unique(nationalities),
        countries=_unique(countries),
        addresses=_unique(addresses),
        identifiers=_unique(identifiers),
        programs=_unique(p for r in rows if (p := r.get("programKey"))),
        listed_on=min(start_dates, default=None),
        remarks="\n".join(_unique([*designations, *details])) or None,
        source_list="; ".join(_unique(f"{r.celex} Annex {r.get('annex')}" for r in rows if r.get("annex"))) or None,
        gender=gender if is_person else None,
        raw=raw,
    )


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse EU journal-annex CSV files/folders into one ListEntry per party (rows merged, see module docstring)."""
    rows = list(read_rows(paths))
    warnings: list[str] = []
    entries: list[ListEntry] = []
    for group in group_rows([r.values for r in rows]):
        entry = _build([rows[i] for i in group], list_id, warnings)
        if entry is not None:
            entries.append(entry)
    seen: dict[str, int] = {}
    for entry in entries:
        seen[entry.entity_id] = seen.get(entry.entity_id, 0) + 1
    if duplicates := [k for k, v in seen.items() if v > 1]:
        # Two parties that hash alike (e.g. undated same-name persons in different clusters) would collide in the DB.
        entries = _disambiguate(entries, set(duplicates))
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=None, warnings=warnings)


def _disambiguate(entries: list[ListEntry], duplicates: set[str]) -> list[ListEntry]:
    """Suffix colliding entity ids with -2, -3... in (deterministic) entry order."""
    counts: dict[str, int] = {}
    out: list[ListEntry] = []
    for entry in entries:
        if entry.entity_id in duplicates:
            counts[entry.entity_id] = counts.get(entry.entity_id, 0) + 1
            if counts[entry.entity_id] > 1:
                entry = replace(entry, entity_id=f"{entry.entity_id}-{counts[entry.entity_id]}")
        out.append(entry)
    return out
