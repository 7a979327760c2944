"""Tests for the EU Official Journal annex CSV parser (format `eu-journal-csv`) on OpenSanctions' 56 real files."""

from __future__ import annotations

import csv
import re
import time
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from service.core.countries import is_iso2
from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, ParsedList
from service.lists import eu_journal_csv
from service.lists.registry import get_parser
from tests.conftest import shared_path

ROWS_TOTAL = 8434  # SOURCES.md section 2
ENTITIES_OBSERVED = 8316  # parties after merging rows (grouping rules in the parser's module docstring)


@pytest.fixture(scope="module")
def folder() -> Path:
    return shared_path("eu", "opensanctions_eu_journal_sanctions")


@pytest.fixture(scope="module")
def parsed(folder: Path) -> ParsedList:
    return eu_journal_csv.parse([folder], "eu-journal")


def _find(parsed: ParsedList, primary: str) -> list[ListEntry]:
    return [e for e in parsed.entries if e.primary_name == primary]


def _independent_groups(folder: Path) -> tuple[int, int]:
    """Re-derive (rows, parties) with the csv module only, applying the documented grouping rules from scratch."""
    rows: list[dict[str, str]] = []
    for path in sorted(folder.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows.extend(csv.DictReader(handle))

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold()
        return " ".join(re.sub(r"[\"'“”„‘’‚«»`´]", "", text).split())

    families = {"company": "org", "legalentity": "org", "organization": "org", "publicbody": "org"}
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first: dict[tuple[str, ...], int] = {}
    persons: dict[str, list[int]] = {}
    id_rules = (
        ("imo", ("imoNumber",), r"(?<!\d)\d{7}(?!\d)"),
        ("inn", ("innCode", "taxNumber"), r"(?<!\d)(?:\d{12}|\d{10})(?!\d)"),
        ("ogrn", ("ogrnCode", "registrationNumber"), r"(?<!\d)(?:\d{15}|\d{13})(?!\d)"),
    )
    for i, row in enumerate(rows):
        schema = row["schema"].strip().lower()
        name = norm(row["name"].split(";")[0].strip().strip('"'))
        if schema == "person":
            persons.setdefault(name, []).append(i)
            continue
        family = families.get(schema, schema)
        keys = [("name", family, name)]
        for kind, columns, pattern in id_rules:
            keys += [("id", family, kind, n) for c in columns for n in re.findall(pattern, row.get(c) or "")]
        for key in keys:
            if key in first:
                union(first[key], i)
            else:
                first[key] = i
    for members in persons.values():
        years = {i: set(re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", rows[i]["birthDate"])) for i in members}
        dated = [i for i in members if years[i]]
        for a in dated:
            for b in dated:
                if a < b and years[a] & years[b]:
                    union(a, b)
        clusters = {find(i) for i in dated}
        undated = [i for i in members if not years[i]]
        anchor = next(iter(clusters)) if len(clusters) == 1 else (undated[0] if undated else None)
        for i in undated:
            if anchor is not None:
                union(anchor, i)
    return len(rows), len({find(i) for i in range(len(rows))})


def test_row_and_entity_counts(parsed: ParsedList, folder: Path) -> None:
    """Checks 8,434 rows are read (SOURCES.md), the party count equals an independent csv-module recomputation with
    the same grouping rules, the observed count 8316 as a literal, unique entity ids, and the registry mapping."""
    rows, parties = _independent_groups(folder)
    assert rows == ROWS_TOTAL
    assert sum(1 for _ in eu_journal_csv.read_rows([folder])) == ROWS_TOTAL
    assert len(parsed.entries) == parties == ENTITIES_OBSERVED
    assert len({e.entity_id for e in parsed.entries}) == len(parsed.entries)
    assert get_parser("eu-journal-csv") is eu_journal_csv.parse


def test_iskra_technologies(parsed: ParsedList) -> None:
    """Checks a Reg. 833/2014 Annex IV party: source_list/programs, startDate → listed_on 2024-12-17, `;` and comma
    alias splitting ("Искра Технологии" Cyrillic, "IskraUralTel JSC", "RTSoft JSC"), OGRN/TIN from the labelled
    registrationNumber cell, schema LegalEntity → organization, address country."""
    (iskra,) = _find(parsed, "Iskra Technologies JSC")
    assert iskra.entity_type is EntityType.ORGANIZATION
    assert iskra.source_list == "32014R0833 Annex IV"
    assert iskra.programs == ("EU-RUS",)
    assert iskra.listed_on == date(2024, 12, 17)
    names = {n.value: n for n in iskra.names}
    assert names["Искра Технологии"].kind is NameKind.ALIAS and names["Искра Технологии"].script == "Cyrillic"
    assert names["RTSoft JSC"].kind is NameKind.ALIAS
    assert names["IskraUralTel JSC"].kind is NameKind.ALIAS
    ids = {(i.type, i.number, i.label) for i in iskra.identifiers}
    assert ("registration", "1026604933475", "OGRN") in ids
    assert ("tax", "6660017837", "TIN") in ids
    assert iskra.addresses[0].country == "RU"
    assert "32014R0833 Annex IV (Export control), from 2024-12-17" in (iskra.remarks or "")


def test_kominvex(parsed: ParsedList) -> None:
    """Checks the Serbian seed entity KOMINVEX D.O.O BEOGRAD: Annex IV, its three `;` aliases, registration number,
    website and Serbian address."""
    (kominvex,) = _find(parsed, "KOMINVEX D.O.O BEOGRAD")
    assert kominvex.source_list == "32014R0833 Annex IV"
    assert kominvex.listed_on == date(2024, 12, 17)
    assert [n.value for n in kominvex.names[1:]] == [
        "PREDUZEĆE ZA TRGOVINU I INŽENJERING POSLOVE KOMINVEX DOO BEOGRAD RAKOVICA",
        "Kominvex DOO Beograd",
        "Kominvex doo Beograd",
    ]
    assert any(i.type == "registration" and i.number == "20047038" for i in kominvex.identifiers)
    assert any(i.type == "website" and i.number == "https://kominvex.co.rs" for i in kominvex.identifiers)
    assert kominvex.countries == ("RS",)


def test_merging_across_annexes_and_identity_rules(parsed: ParsedList) -> None:
    """Checks one party listed in two acts is one entry (programs + both designations, earliest startDate), a
    renamed vessel is merged by IMO number, and same-name persons with different birth years stay separate."""
    (primorye,) = [
        e
        for e in parsed.entries
        if e.primary_name.startswith("Public Joint Stock Company Commercial Bank") and "Primorye" in e.primary_name
    ]
    assert set(primorye.programs) == {"EU-UKR", "EU-RUS"}
    assert primorye.source_list is not None
    assert {"32014R0269 Annex I.ENTITIES", "32014R0833 Annex XIV"} == set(primorye.source_list.split("; "))
    assert primorye.listed_on == date(2026, 7, 23)

    (vessel,) = [e for e in parsed.entries if any(i.type == "imo" and i.number == "9290397" for i in e.identifiers)]
    assert vessel.entity_type is EntityType.VESSEL
    assert {n.value for n in vessel.names} == {"KRITI VIGOR", "STORMBRINGER (ex KRITI VIGOR)"}

    kims = [e for e in parsed.entries if eu_journal_csv.normalize_name(e.primary_name) == "kim yong chol"]
    assert sorted(d.iso() for e in kims for d in e.dates_of_birth) == ["1946", "1962-02-18"]


def test_name_kinds_dates_and_types(parsed: ParsedList) -> None:
    """Checks weakAlias → WEAK_ALIAS, previousName → FORMER, enumerated DOB cells "(a) …; (b) …" → several dates,
    schema mapping (Person/organization/Vessel/Asset), nationality adjectives → ISO2, and listed_on where known."""
    types = {e.entity_type for e in parsed.entries}
    assert types == {EntityType.PERSON, EntityType.ORGANIZATION, EntityType.VESSEL, EntityType.UNKNOWN}
    (adem,) = _find(parsed, "Adem Yilmaz")
    assert any(n.value == "Talha" and n.kind is NameKind.WEAK_ALIAS for n in adem.names)
    (asma,) = _find(parsed, "Asma AL-ASSAD")
    assert any(n.value == "Al Akhras" and n.kind is NameKind.FORMER for n in asma.names)
    (swalleh,) = [e for e in parsed.entries if eu_journal_csv.normalize_name(e.primary_name) == "abubakar swalleh"]
    assert {d.iso() for d in swalleh.dates_of_birth} == {"1992-01-13", "1993-03-16"}
    persons = [e for e in parsed.entries if e.entity_type is EntityType.PERSON]
    assert sum(1 for e in persons if "RU" in e.nationalities) > 1000
    # Adjectives the table knows and country names with "and" in them resolve; what stays raw is prose or ambiguous
    # ("Congolese", "Sudanese by birth", "passport no").
    unresolved = [n for e in parsed.entries for n in e.nationalities if not is_iso2(n)]
    assert len(unresolved) <= 20 and not {"Belgian", "Ivorian", "Herzegovina", "Nevis", "or Russian"} & set(unresolved)
    assert sum(1 for e in parsed.entries if e.listed_on is not None) > 8000


def test_round_trip_and_raw(parsed: ParsedList) -> None:
    """Checks `ListEntry.from_dict(e.to_dict()) == e` for every entry and that raw names its source file(s)."""
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry
        assert '"file": "' in entry.raw


def test_files_or_folder_and_speed(folder: Path) -> None:
    """Checks passing the files instead of the folder gives the same entries, and a full parse takes well under 5 s."""
    start = time.perf_counter()
    by_folder = eu_journal_csv.parse([folder], "eu-journal")
    assert time.perf_counter() - start < 5
    files = sorted(folder.rglob("*.csv"))
    assert len(files) == 56
    by_files = eu_journal_csv.parse(files, "eu-journal")
    assert [e.entity_id for e in by_files.entries] == [e.entity_id for e in by_folder.entries]


def test_truncated_empty_and_header_only_raise(folder: Path, tmp_path: Path) -> None:
    """Checks a truncated copy (cut mid-row), an empty file, a header-only file (no entries) and a foreign CSV raise
    ListFormatError."""
    source = folder / "consolidated" / "32014R0833.csv"
    data = source.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 40  # inside the row after a line break: never a clean row boundary
    truncated = tmp_path / "32014R0833.csv"
    truncated.write_bytes(data[:cut])
    with pytest.raises(ListFormatError):
        eu_journal_csv.parse([truncated], "eu-journal")

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError):
        eu_journal_csv.parse([empty], "eu-journal")

    with pytest.raises(ListFormatError):
        eu_journal_csv.parse([folder / "consolidated" / "32004R0314.csv"], "eu-journal")

    foreign = tmp_path / "foreign.csv"
    foreign.write_text("id,first,last\n1,John,Doe\n", encoding="utf-8")
    with pytest.raises(ListFormatError):
        eu_journal_csv.parse([foreign], "eu-journal")
