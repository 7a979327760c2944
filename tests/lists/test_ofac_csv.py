"""OFAC legacy CSV parser (`ofac-csv`) against the real SDN and consolidated non-SDN file sets."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, Identifier, ListEntry, NameKind, ParsedList, PartialDate, Relation
from service.lists import ofac_csv
from service.lists.registry import get_parser
from tests.conftest import shared_path

FULL_2021 = ("ofac", "sdn_full_set_2021-07-07")
PRIMARY_2024 = ("ofac", "sdn_primary_2024-05-03", "sdn.csv")
CONS_2025 = ("ofac", "consolidated_nonsdn_2025-12-19")
ADD_ALT_2026 = ("ofac", "sdn_add_alt_2026-06-02")


@cache
def _parsed(*parts: str) -> ParsedList:
    return ofac_csv.parse([shared_path(*parts)], "ofac-sdn")


def _by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.entity_id: e for e in parsed.entries}


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def _raw_rows(entries: list[ListEntry], part: str) -> list[list[str]]:
    return [row for e in entries for row in json.loads(e.raw)[part]]


def test_registry_maps_format_to_this_parser() -> None:
    """Checks: the registry name `ofac-csv` resolves to this module's parse."""
    assert get_parser("ofac-csv") is ofac_csv.parse


def test_full_set_2021_counts_and_joins() -> None:
    """Checks: entry count, every alt/add/comment row attached to its entity (raw), alias and address counts."""
    parsed = _parsed(*FULL_2021)
    entries = parsed.entries
    assert len(entries) == 8976
    assert parsed.warnings == []  # no orphans in this consistent set
    alt_rows = _raw_rows(entries, "alt")
    assert len(alt_rows) == 11910
    assert len({r[0] for r in alt_rows}) == 4139
    assert len(_raw_rows(entries, "add")) == 13837
    assert len(_raw_rows(entries, "comments")) == 5
    # Two alt.csv rows repeat a name already listed for the same entity (8407, 16448): one Name each.
    strong = [n for e in entries for n in e.names if n.kind in (NameKind.ALIAS, NameKind.FORMER)]
    assert len(strong) == 11908
    assert sum(1 for e in entries for n in e.names if n.kind is NameKind.FORMER) == 369
    # 2397 add.csv rows are all `-0-` (no address at all): they give no Address.
    assert sum(len(e.addresses) for e in entries) == 13837 - 2397
    types = {t: sum(1 for e in entries if e.entity_type is t) for t in EntityType}
    assert types[EntityType.PERSON] == 4620
    assert types[EntityType.ORGANIZATION] == 3673
    assert types[EntityType.VESSEL] == 406
    assert types[EntityType.AIRCRAFT] == 277


def test_full_set_2021_aliases_addresses_and_former_names() -> None:
    """Checks: alt.csv aka → ALIAS, fka → FORMER, person alias parts, add.csv address fields and country."""
    by_id = _by_id(_parsed(*FULL_2021))
    aero = by_id["36"]
    assert [(n.value, n.kind) for n in aero.names] == [
        ("AEROCARIBBEAN AIRLINES", NameKind.PRIMARY),
        ("AERO-CARIBBEAN", NameKind.ALIAS),
    ]
    assert aero.addresses[0].city == "Havana"
    assert aero.addresses[0].country == "CU"
    assert "CU" in aero.countries
    bank = by_id["306"]
    assert {"CH", "ES", "JP"} <= {a.country for a in bank.addresses}
    zurich = next(a for a in bank.addresses if a.country == "CH")
    assert (zurich.street, zurich.city, zurich.country_name) == ("Zweierstrasse 35", "Zurich CH-8022", "Switzerland")
    former = next(n for n in by_id["4307"].names if n.value == "CORTEZ, Oliverio Abril")
    assert former.kind is NameKind.FORMER
    assert former.parts == (("last", "CORTEZ"), ("first", "Oliverio Abril"))


def test_comments_continue_cut_remarks() -> None:
    """Checks: sdn_comments.csv text is appended to the cut remarks (mid-word) and parsed: weak alias, Linked To."""
    entry = _by_id(_parsed(*FULL_2021))["28263"]
    assert entry.remarks is not None and entry.remarks.endswith("a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP.")
    assert ("snowsjohn", NameKind.WEAK_ALIAS) in [(n.value, n.kind) for n in entry.names]
    assert Relation(kind="linked_to", target_name="LAZARUS GROUP") in entry.relations
    assert len(_by_id(_parsed(*FULL_2021))["12300"].relations) == 25  # 14 links live only in the comments row


def test_primary_2024_alone() -> None:
    """Checks: sdn.csv without siblings: entry count, no addresses/strong aliases, warning on 18 cut remarks."""
    parsed = _parsed(*PRIMARY_2024)
    assert len(parsed.entries) == 14965
    assert parsed.published is None
    assert all(e.listed_on is None for e in parsed.entries)
    assert all(e.source_list == "SDN" for e in parsed.entries)
    assert not any(n.kind is NameKind.ALIAS for e in parsed.entries for n in e.names)
    assert parsed.warnings == [
        "18 entries have remarks cut at 1000 characters and no comments file row; their remarks are incomplete"
    ]


def test_kominvex_2024() -> None:
    """Checks: a known Serbian entity: type, program, tax and registration numbers with country, countries."""
    entry = _by_id(_parsed(*PRIMARY_2024))["47483"]
    assert entry.primary_name == "KOMINVEX DOO BEOGRAD"
    assert entry.entity_type is EntityType.ORGANIZATION
    assert entry.programs == ("RUSSIA-EO14024",)
    assert entry.identifiers == (
        Identifier(type="tax", number="104004847", country="RS", label="Tax ID No."),
        Identifier(type="registration", number="20047038", country="RS", label="Registration Number"),
    )
    assert entry.countries == ("RS",)
    assert entry.names[0].parts == ()  # not a person: no last/first split


def test_individual_remarks_2024() -> None:
    """Checks: person name parts, DOBs (full and year-only), POB, nationality, citizenship, passports, gender."""
    by_id = _by_id(_parsed(*PRIMARY_2024))
    dawood = by_id["9758"]
    assert dawood.entity_type is EntityType.PERSON
    assert dawood.names[0].parts == (("last", "IBRAHIM"), ("first", "Dawood"))
    assert dawood.dates_of_birth == (PartialDate(1955, 12, 26), PartialDate(1955, 12, 31))
    assert dawood.places_of_birth == ("Ratnagiri, Maharashtra, India",)
    assert dawood.nationalities == ("IN",)
    assert {"IN", "PK", "AE"} <= set(dawood.countries)  # citizenships
    assert dawood.programs == ("SDNTK", "SDGT")
    assert dawood.identifiers[0] == Identifier(
        type="passport", number="M-110522", country="IN", label="Passport", note="issued 13 Nov 1978"
    )
    assert len([i for i in dawood.identifiers if i.type == "passport"]) == 11
    ayesha = by_id["12610"]
    assert ayesha.gender == "female"
    assert ayesha.dates_of_birth == (PartialDate(1977), PartialDate(1976), PartialDate(1978, 1, 1))
    passports = {i.number: i for i in ayesha.identifiers if i.type == "passport"}
    assert passports["B/011641"].country is None
    assert passports["03824970"].country == "OM"
    assert passports["03824970"].note == "issued 04 May 2014 expires 03 May 2024"
    assert Identifier(type="national_id", number="98606612", label="National ID No.") in ayesha.identifiers
    assert by_id["7522"].gender == "female"
    assert by_id["7522"].nationalities == ("ZW",)


def test_weak_aliases_stay_weak_2024() -> None:
    """Checks: a.k.a.s quoted in remarks become WEAK_ALIAS (strong ones only come from alt.csv); f.k.a. too."""
    by_id = _by_id(_parsed(*PRIMARY_2024))
    assert [(n.value, n.kind) for n in by_id["306"].names] == [
        ("BANCO NACIONAL DE CUBA", NameKind.PRIMARY),
        ("BNC", NameKind.WEAK_ALIAS),
    ]
    assert ("ALPHA", NameKind.WEAK_ALIAS) in [(n.value, n.kind) for n in by_id["15036"].names]
    weak = [n for e in _parsed(*PRIMARY_2024).entries for n in e.names if n.kind is NameKind.WEAK_ALIAS]
    assert len(weak) == 3663
    # Leading/trailing apostrophes of transliterated names stay ("'ABD-AL-'IZ"); doubled quotes do not.
    assert not [n.value for n in weak if n.value.startswith("'") and n.value.endswith("'")]
    assert ("FOOPIE", NameKind.WEAK_ALIAS) in [(n.value, n.kind) for n in by_id["6925"].names]
    assert ("'ABD-AL-'IZ", NameKind.WEAK_ALIAS) in [(n.value, n.kind) for n in by_id["6368"].names]


def test_vessel_columns_and_programs_2024() -> None:
    """Checks: vessel call sign, flag, type/tonnage text, IMO/MMSI/former flags from remarks, multi-program split."""
    by_id = _by_id(_parsed(*PRIMARY_2024))
    artavil = by_id["15036"]
    assert artavil.entity_type is EntityType.VESSEL
    assert artavil.programs == ("IRAN",)
    kinds = {(i.type, i.number) for i in artavil.identifiers}
    assert {("call_sign", "T2EU4"), ("imo", "9187629"), ("mmsi", "572469210")} <= kinds
    assert artavil.countries[:4] == ("IR", "MT", "TV", "TZ")  # flag, then former flags ("None Identified" dropped)
    assert artavil.remarks is not None and artavil.remarks.startswith(
        "Vessel Type: Crude/Oil Products Tanker; Vessel Tonnage: 99,144; Vessel Gross Registered Tonnage: 56,068"
    )
    assert Relation(kind="linked_to", target_name="NATIONAL IRANIAN TANKER COMPANY") in artavil.relations
    mar_azul = by_id["4238"]
    assert Relation(kind="owned_by", target_name="Samir de Navegacion S.A.", note="Vessel Owner") in mar_azul.relations
    assert by_id["46074"].programs == ("SDGT", "IRGC")
    havin = by_id["906"]
    assert {(i.type, i.number) for i in havin.identifiers} == {
        ("swift", "HAVIGB2L"),
        ("website", "www.havanaintbank.co.uk"),
        ("website", "www.hib.uk.com"),
        ("registration", "01074897"),
    }


def test_consolidated_non_sdn_2025() -> None:
    """Checks: cons_* set: entries, aliases per entity, address/comment rows, programs, source_list, a PLC person."""
    parsed = _parsed(*CONS_2025)
    entries = parsed.entries
    assert len(entries) == 442
    assert parsed.warnings == []
    alt_rows = _raw_rows(entries, "alt")
    assert len(alt_rows) == 1073
    assert len({r[0] for r in alt_rows}) == 395
    assert sum(1 for e in entries for n in e.names if n.kind in (NameKind.ALIAS, NameKind.FORMER)) == 1073
    assert len(_raw_rows(entries, "add")) == 574
    assert len(_raw_rows(entries, "comments")) == 10
    assert {e.source_list for e in entries} == {"CONSOLIDATED"}
    programs = [p for e in entries for p in e.programs]
    assert programs.count("UKRAINE-EO13662") == 286
    assert programs.count("RUSSIA-EO14024") == 93
    assert programs.count("NS-PLC") == 78
    assert programs.count("CMIC-EO13959") == 68
    haniya = _by_id(parsed)["9639"]
    assert haniya.dates_of_birth == (PartialDate(1962),)
    assert haniya.places_of_birth == ("Shati",)
    assert [n.value for n in haniya.names] == ["HANIYA, Ismail Abdul Salah", "HANIYA, Ismail", "HANIYYA, Ismaeel"]
    rusag = _by_id(parsed)["17014"]
    assert ("RUSAG", NameKind.WEAK_ALIAS) in [(n.value, n.kind) for n in rusag.names]  # from the comments row


@pytest.mark.parametrize("parts", [FULL_2021, PRIMARY_2024, CONS_2025], ids=["2021", "2024", "cons"])
def test_no_empty_marker_and_round_trip(parts: tuple[str, ...]) -> None:
    """Checks: `-0-` never reaches a normalised field; every entry round-trips through to_dict/from_dict."""
    for entry in _parsed(*parts).entries:
        # "-0-" may occur inside real values (US FEIN CH-660-0-469-982-0); as a whole token it is the empty marker.
        values = _strings(entry.to_dict(with_raw=False))
        assert not [v for v in values if re.search(r"(^|\s)-0-(\s|$)", v)], entry.entity_id
        assert ListEntry.from_dict(entry.to_dict()) == entry
        assert entry.names and entry.names[0].kind is NameKind.PRIMARY


def test_add_alt_without_primary_is_rejected() -> None:
    """Checks: a folder with add.csv/alt.csv but no sdn.csv raises ListFormatError naming the missing file."""
    with pytest.raises(ListFormatError, match="no primary file"):
        ofac_csv.parse([shared_path(*ADD_ALT_2026)], "ofac-sdn")


def _head(path: Path, lines: int) -> str:
    with path.open(newline="") as handle:
        return "".join(handle.readline() for _ in range(lines))


def test_explicit_sdn_path_finds_siblings_case_insensitively_and_warns_on_orphans(tmp_path: Path) -> None:
    """Checks: upper-case SDN.CSV/ADD.CSV/ALT.CSV siblings are found from the sdn path; orphan rows skipped, counted."""
    source = shared_path(*FULL_2021)
    (tmp_path / "SDN.CSV").write_text(_head(source / "sdn.csv", 40), newline="")
    kept = {row[0] for row in csv.reader((tmp_path / "SDN.CSV").open(newline=""))}
    alt = [r for r in csv.reader((source / "alt.csv").open(newline="")) if len(r) == 5]
    chosen = [r for r in alt if r[0] in kept] + [r for r in alt if r[0] not in kept][:3]
    with (tmp_path / "ALT.CSV").open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(chosen)
    (tmp_path / "ADD.CSV").write_text(_head(source / "add.csv", 5), newline="")
    parsed = ofac_csv.parse([tmp_path / "SDN.CSV"], "ofac-sdn")
    assert len(parsed.entries) == 40
    assert parsed.warnings == ["ALT.CSV: 3 rows skipped whose ent_num is not in SDN.CSV"]
    aliases = sum(1 for e in parsed.entries for n in e.names if n.kind is not NameKind.PRIMARY)
    assert aliases >= len(chosen) - 3


def test_truncated_file_is_rejected(tmp_path: Path) -> None:
    """Checks: a real sdn.csv cut mid-line (inside a quoted remark, and after a comma) raises ListFormatError."""
    data = shared_path(*PRIMARY_2024).read_bytes()
    cut_in_quote = data.index(b"a.k.a. 'BNC'") + 5
    (tmp_path / "sdn.csv").write_bytes(data[:cut_in_quote])
    with pytest.raises(ListFormatError, match="truncated"):
        ofac_csv.parse([tmp_path / "sdn.csv"], "ofac-sdn")
    line_start = data.index(b"\n306,") + 1
    (tmp_path / "sdn.csv").write_bytes(data[: line_start + 40])
    with pytest.raises(ListFormatError, match="truncated"):
        ofac_csv.parse([tmp_path / "sdn.csv"], "ofac-sdn")


def test_wrong_columns_and_bad_ent_num_are_rejected(tmp_path: Path) -> None:
    """Checks: a complete line with a missing column, or a non-numeric ent_num, raises ListFormatError with the row."""
    head = _head(shared_path(*PRIMARY_2024), 3)
    lines = head.split("\r\n")
    (tmp_path / "sdn.csv").write_text(lines[0] + "\r\n" + lines[1].rsplit(",", 1)[0] + "\r\n", newline="")
    with pytest.raises(ListFormatError, match=r"row 2: 11 columns where 12"):
        ofac_csv.parse([tmp_path / "sdn.csv"], "ofac-sdn")
    (tmp_path / "sdn.csv").write_text("ent_num" + lines[0][2:] + "\r\n", newline="")
    with pytest.raises(ListFormatError, match="is not a number"):
        ofac_csv.parse([tmp_path / "sdn.csv"], "ofac-sdn")


def test_empty_files_are_rejected(tmp_path: Path) -> None:
    """Checks: an empty sdn.csv, and one holding only the Ctrl-Z end mark, raise ListFormatError."""
    (tmp_path / "sdn.csv").write_bytes(b"")
    with pytest.raises(ListFormatError, match="empty"):
        ofac_csv.parse([tmp_path / "sdn.csv"], "ofac-sdn")
    (tmp_path / "sdn.csv").write_bytes(b"\r\n\x1a")
    with pytest.raises(ListFormatError, match="no data rows"):
        ofac_csv.parse([tmp_path / "sdn.csv"], "ofac-sdn")


def test_sdn_and_consolidated_sets_in_one_folder_are_refused(tmp_path: Path) -> None:
    """Checks: a folder holding both sdn.csv and cons_prim.csv is ambiguous and raises ListFormatError."""
    (tmp_path / "sdn.csv").write_text(_head(shared_path(*PRIMARY_2024), 2), newline="")
    (tmp_path / "cons_prim.csv").write_text(_head(shared_path(*CONS_2025, "cons_prim.csv"), 2), newline="")
    with pytest.raises(ListFormatError, match="two lists"):
        ofac_csv.parse([tmp_path], "ofac")


def test_remarks_segment_parsing() -> None:
    """Checks: remark labels → fields: alt. prefixes, ID country/issue notes, IMO company number, final-period rule."""
    builder = ofac_csv.EntryBuilder("x", "1", EntityType.ORGANIZATION)
    left = ofac_csv.apply_remarks(
        builder,
        "Identification Number IMO 5342883; Registration Number HRA 738077 (Stuttgart) (Germany); "
        "alt. Email Address a@b.example; Digital Currency Address - XBT 1ABC; Phone Number 98218; "
        "Organization Established Date 1969; a.k.a. 'HALF; Linked To: KPD S.A.",
    )
    ids = {(i.type, i.number, i.country) for i in builder.identifiers}
    assert ("imo", "5342883", None) in ids
    assert ("registration", "HRA 738077 (Stuttgart)", "DE") in ids
    assert ("email", "a@b.example", None) in ids
    assert ("crypto_wallet", "1ABC", None) in ids
    assert ("phone", "98218", None) in ids
    assert builder.relations == [Relation(kind="linked_to", target_name="KPD S.A.")]  # 'S.A.' keeps its dot
    assert "Organization Established Date 1969" in left
    assert not any(n.kind is NameKind.WEAK_ALIAS for n in builder.names)  # unclosed quote is not a name
