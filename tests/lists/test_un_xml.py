"""Tests for the UN Security Council consolidated XML parser (format `un-xml`) on the real 2026-02-27 file."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, ParsedList, PartialDate
from service.lists import un_xml
from service.lists.registry import get_parser
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def un_file() -> Path:
    return shared_path("un", "consolidated.xml")


@pytest.fixture(scope="module")
def parsed(un_file: Path) -> ParsedList:
    return un_xml.parse([un_file], "un-sc")


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.entity_id: e for e in parsed.entries}


def test_counts_published_and_registry(parsed: ParsedList) -> None:
    """Checks entry count (1003 = 730 individuals + 273 entities, SOURCES.md), `dateGenerated` → published,
    unique DATAIDs, every entry has a primary name and listed_on, and the registry resolves `un-xml`."""
    assert len(parsed.entries) == 1003
    types = [e.entity_type for e in parsed.entries]
    assert types.count(EntityType.PERSON) == 730
    assert types.count(EntityType.ORGANIZATION) == 273
    assert parsed.published == date(2026, 2, 27)
    assert parsed.format == "un-xml"
    assert len({e.entity_id for e in parsed.entries}) == 1003
    assert all(e.names[0].kind is NameKind.PRIMARY for e in parsed.entries)
    assert all(e.listed_on is not None for e in parsed.entries)
    assert get_parser("un-xml") is un_xml.parse


def test_individual_fields(by_id: dict[str, ListEntry]) -> None:
    """Checks DATAID, FIRST/SECOND_NAME → name + parts, UN_LIST_TYPE → programs/source_list, REFERENCE_NUMBER,
    LISTED_ON, GENDER, NATIONALITY → ISO2, year-only DOB, address with note, COMMENTS1 → remarks, raw XML."""
    eric = by_id["6907993"]
    assert eric.entity_type is EntityType.PERSON
    assert eric.primary_name == "ERIC BADEGE"
    assert eric.names[0].parts == (("first", "ERIC"), ("second", "BADEGE"))
    assert eric.programs == ("DRC",)
    assert eric.source_list == "DRC"
    assert eric.listed_on == date(2012, 12, 31)
    assert eric.gender == "male"
    assert eric.nationalities == ("CD",)
    assert eric.dates_of_birth == (PartialDate(1971),)
    assert eric.addresses[0].country == "RW"
    assert "as of early 2016" in eric.addresses[0].full
    assert any(i.number == "CDi.001" and i.label == "UN reference number" for i in eric.identifiers)
    assert eric.remarks is not None and eric.remarks.startswith("He fled to Rwanda")
    assert eric.raw.startswith("<INDIVIDUAL") and "<DATAID>6907993</DATAID>" in eric.raw


def test_alias_quality_and_original_script(by_id: dict[str, ListEntry]) -> None:
    """Checks INDIVIDUAL_ALIAS QUALITY Good → ALIAS and Low → WEAK_ALIAS, ENTITY_ALIAS a.k.a./f.k.a. → ALIAS/FORMER,
    NAME_ORIGINAL_SCRIPT → strong alias with Arabic script detected, and entity FIRST_NAME as the name."""
    gaston = {n.value: n.kind for n in by_id["6907995"].names}
    assert gaston["Rumuli"] is NameKind.WEAK_ALIAS
    assert gaston["Victor Rumuri"] is NameKind.ALIAS

    adf = by_id["6908402"]
    assert adf.entity_type is EntityType.ORGANIZATION
    assert adf.primary_name == "ADF"
    kinds = {n.value: n.kind for n in adf.names}
    assert kinds["Allied Democratic Forces"] is NameKind.ALIAS
    assert kinds["ADF/NALU"] is NameKind.FORMER
    assert adf.names[0].parts == ()

    saddam = by_id["6908048"]
    arabic = [n for n in saddam.names if n.value == "صدام حسين التكريتي"]
    assert arabic and arabic[0].kind is NameKind.ALIAS and arabic[0].script == "Arabic"
    assert saddam.dates_of_birth == (PartialDate(1937, 4, 28),)


def test_dates_of_birth_variants(parsed: ParsedList, by_id: dict[str, ListEntry]) -> None:
    """Checks TYPE_OF_DATE EXACT (DATE), APPROXIMATELY (YEAR → circa) and BETWEEN (FROM/TO_YEAR → year_to),
    and that the Hijri-calendar note ("24/06/1402 (Hijri Calendar)") is skipped with a warning, never a year 1402."""
    assert [d.iso() for d in by_id["6908006"].dates_of_birth] == ["1962-03-17", "~1966"]
    assert by_id["6908021"].dates_of_birth == (PartialDate(1973, year_to=1974),)
    asiri = by_id["2962519"]
    assert {d.iso() for d in asiri.dates_of_birth} == {"1982-04-19", "1982-04-18"}
    assert all(d.year > 1800 for e in parsed.entries for d in e.dates_of_birth)
    assert any("Hijri" in w for w in parsed.warnings)


def test_documents(by_id: dict[str, ListEntry]) -> None:
    """Checks INDIVIDUAL_DOCUMENT → Identifier: Passport type, NUMBER, ISSUING_COUNTRY → ISO2."""
    ngabu = by_id["6908012"]
    passport = [i for i in ngabu.identifiers if i.type == "passport"]
    assert [(p.number, p.country, p.label) for p in passport] == [("OB 0243318", "CD", "Passport")]


def test_round_trip_every_entry(parsed: ParsedList) -> None:
    """Checks `ListEntry.from_dict(e.to_dict()) == e` for all 1003 entries (storage format is lossless)."""
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_full_file_parses_fast(un_file: Path) -> None:
    """Checks the full 2 MB file parses in well under 5 s."""
    start = time.perf_counter()
    un_xml.parse([un_file], "un-sc")
    assert time.perf_counter() - start < 5


def test_truncated_empty_and_foreign_files_raise(un_file: Path, tmp_path: Path) -> None:
    """Checks a truncated copy, an empty file and an XML with another root raise ListFormatError (never a partial
    list), and a well-formed list without any record is refused as empty."""
    data = un_file.read_bytes()
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError):
        un_xml.parse([truncated], "un-sc")

    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError):
        un_xml.parse([empty], "un-sc")

    foreign = tmp_path / "foreign.xml"
    foreign.write_text("<sdnList><sdnEntry/></sdnList>", encoding="utf-8")
    with pytest.raises(ListFormatError):
        un_xml.parse([foreign], "un-sc")

    no_records = tmp_path / "none.xml"
    no_records.write_text("<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>", encoding="utf-8")
    with pytest.raises(ListFormatError):
        un_xml.parse([no_records], "un-sc")
