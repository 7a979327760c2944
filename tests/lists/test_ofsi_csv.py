"""ofsi-csv: the real OFSI ConList (10/04/2025, 18,796 name rows, 4,686 groups) and malformed inputs."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, ParsedList, PartialDate
from service.lists import ofsi_csv
from tests.conftest import shared_path

CONLIST = ("uk", "ofsi_conlist_2025-04-10", "ConList_converted.csv")


@pytest.fixture(scope="module")
def parsed() -> ParsedList:
    return ofsi_csv.parse([shared_path(*CONLIST)], "ofsi")


def test_counts_published_types(parsed: ParsedList) -> None:
    """Checks: 4,686 entries (one per Group ID), "Last Updated" line → published, Group Type counts."""
    assert len(parsed.entries) == 4686
    assert len({e.entity_id for e in parsed.entries}) == 4686
    assert parsed.published == date(2025, 4, 10)
    assert Counter(e.entity_type for e in parsed.entries) == {
        EntityType.PERSON: 3662,
        EntityType.ORGANIZATION: 1009,
        EntityType.VESSEL: 15,
    }
    # Two groups list only aliases; they are reported, and their first alias stands in as primary.
    assert len(parsed.warnings) == 2
    assert all(e.names[0].kind is NameKind.PRIMARY for e in parsed.entries)


def test_every_name_row_attached_to_its_group(parsed: ParsedList) -> None:
    """Checks: each of the 18,796 rows' names is among its group's names; Low quality AKA rows stay weak."""
    entries = {e.entity_id: e for e in parsed.entries}
    with shared_path(*CONLIST).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[1]
    records = [dict(zip(header, r, strict=True)) for r in rows[2:]]
    assert len(records) == 18796
    strong: dict[str, set[str]] = {}
    for rec in records:
        full = " ".join(" ".join(rec[f"Name {i}"].split()) for i in (1, 2, 3, 4, 5, 6) if rec[f"Name {i}"].strip())
        kinds = {n.value.casefold(): n.kind for n in entries[rec["Group ID"]].names}
        assert full.casefold() in kinds, (rec["Group ID"], full)
        if rec["Alias Quality"] != "Low quality":
            strong.setdefault(rec["Group ID"], set()).add(full.casefold())
    for rec in records:
        if rec["Alias Type"] == "AKA" and rec["Alias Quality"] == "Low quality":
            full = " ".join(" ".join(rec[f"Name {i}"].split()) for i in (1, 2, 3, 4, 5, 6) if rec[f"Name {i}"].strip())
            if full.casefold() not in strong.get(rec["Group ID"], set()):
                kinds = {n.value.casefold(): n.kind for n in entries[rec["Group ID"]].names}
                assert kinds[full.casefold()] is NameKind.WEAK_ALIAS


def test_known_person_group(parsed: ParsedList) -> None:
    """Checks: group 13378 (Ali KONY): primary, strong/weak aliases, 00/00/YYYY DOBs → year-only, ids, programme."""
    kony = next(e for e in parsed.entries if e.entity_id == "13378")
    assert kony.primary_name == "ALI KONY"
    kinds = {n.value: n.kind for n in kony.names}
    assert kinds["Ali Mohammed LABOLA"] is NameKind.ALIAS
    assert kinds["ONE-P"] is NameKind.WEAK_ALIAS
    assert kinds["Otim KAPERE"] is NameKind.WEAK_ALIAS
    assert len(kony.names) == 15  # 52 rows repeat 15 distinct names across 4 DOBs
    assert set(kony.dates_of_birth) == {PartialDate(1992), PartialDate(1993), PartialDate(1994), PartialDate(1995)}
    assert kony.listed_on == date(2016, 9, 1)
    assert kony.programs == ("Central African Republic",)
    assert ("other", "CAF0011") in {(i.type, i.number) for i in kony.identifiers}


def test_entity_addresses_tags_and_ship(parsed: ParsedList) -> None:
    """Checks: addresses from Address 1–6 + Country, phones from "(Phone number)" tags, ship IMO and flag, gender."""
    entries = {e.entity_id: e for e in parsed.entries}
    org = entries["12431"]
    assert org.entity_type is EntityType.ORGANIZATION
    assert "(GENERAL) ORGANIZATION FOR ENGINEERING INDUSTRIES" in {n.value for n in org.names}
    assert org.addresses[0].full == "PO Box 21120, Baramkeh, Damascus, Syria"
    assert org.addresses[0].country == "SY"
    assert len([i for i in org.identifiers if i.type == "phone"]) == 5
    assert org.listed_on == date(2011, 12, 2)
    ship = entries["13651"]
    assert ship.entity_type is EntityType.VESSEL
    assert ship.primary_name == "SAM JONG 2"
    assert [i.number for i in ship.identifiers if i.type == "imo"] == ["7408873"]
    assert "KP" in ship.countries
    haq = entries["15672"]
    assert haq.gender == "male"
    assert haq.nationalities == ("PK",)


def test_round_trip(parsed: ParsedList) -> None:
    """Checks: ListEntry.from_dict(e.to_dict()) == e for every entry."""
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_without_last_updated_line(tmp_path: Path, parsed: ParsedList) -> None:
    """Checks: the same file without its first line (header first) gives the same entries and no published date."""
    text = shared_path(*CONLIST).read_text(encoding="utf-8-sig")
    path = tmp_path / "ConList.csv"
    path.write_text(text.split("\n", 1)[1], encoding="utf-8")
    again = ofsi_csv.parse([path], "ofsi")
    assert again.published is None
    assert again.entries == parsed.entries


def test_truncated_and_empty(tmp_path: Path) -> None:
    """Checks: a copy cut mid-row and an empty file raise ListFormatError."""
    data = shared_path(*CONLIST).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: data.index(b"\n", 200_000) + 40])
    with pytest.raises(ListFormatError, match="truncated"):
        ofsi_csv.parse([cut], "ofsi")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\n")
    with pytest.raises(ListFormatError):
        ofsi_csv.parse([empty], "ofsi")
