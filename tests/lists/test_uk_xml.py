"""uk-xml: the FCDO UK Sanctions List XML sample (4 real Designations) and malformed/edge inputs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, PartialDate
from service.lists import uk_xml
from tests.conftest import shared_path

SAMPLE = ("samples", "uk_sanctions_list_xml_excerpt_2026-08-14.xml")


def _by_id(path: Path) -> dict[str, ListEntry]:
    return {e.entity_id: e for e in uk_xml.parse([path], "uk").entries}


def test_sample_designations_published_and_types() -> None:
    """Checks: entry count and ids, DateGenerated → published, IndividualEntityShip → entity_type, listed_on."""
    parsed = uk_xml.parse([shared_path(*SAMPLE)], "uk")
    assert parsed.format == "uk-xml"
    assert parsed.published == date(2026, 8, 14)
    assert parsed.warnings == []
    entries = {e.entity_id: e for e in parsed.entries}
    assert list(entries) == ["AFG0011", "AQD0128", "AQD0377", "DPR0075"]
    assert entries["AFG0011"].entity_type is EntityType.PERSON
    assert entries["AQD0377"].entity_type is EntityType.ORGANIZATION
    assert entries["DPR0075"].entity_type is EntityType.VESSEL
    assert entries["AFG0011"].listed_on == date(2001, 1, 31)
    assert entries["AFG0011"].programs == ("The Afghanistan (Sanctions) (EU Exit) Regulations 2020",)


def test_sample_names_kinds_and_weak_aliases() -> None:
    """Checks: "Primary Name"/"Primary name" both primary, Good → ALIAS, Low → WEAK_ALIAS, non-Latin → ALIAS, parts."""
    entries = _by_id(shared_path(*SAMPLE))
    afg = entries["AFG0011"]
    assert afg.primary_name == "ABDUL LATIF MANSUR"
    assert afg.names[0].parts == (("first", "ABDUL"), ("middle", "LATIF"), ("last", "MANSUR"))
    kinds = {n.value: n.kind for n in afg.names}
    assert kinds["Abdul Latif MANSOOR"] is NameKind.ALIAS
    assert kinds["عبد اللطيف منصور"] is NameKind.ALIAS
    aqd = entries["AQD0128"]
    assert aqd.primary_name == "AKRAM TURKI HISHAN AL-MAZIDIH"  # NameType "Primary name" (lower-case n)
    weak = {n.value for n in aqd.names if n.kind is NameKind.WEAK_ALIAS}
    assert weak == {"Abu Akram", "Abu Jarrah"}
    assert {n.value: n.kind for n in aqd.names}["Akram Turki Al-Hishan"] is NameKind.ALIAS
    assert entries["AQD0377"].names[2].value == "Jannat Oshiklari"  # trailing space of the source trimmed


def test_sample_dobs_documents_addresses_ship() -> None:
    """Checks: placeholder DOB → year-only, duplicate DOB once, leading-space passport, leading-zero ID, IMO, flag."""
    entries = _by_id(shared_path(*SAMPLE))
    afg = entries["AFG0011"]
    assert afg.dates_of_birth == (PartialDate(1968), PartialDate(1967, 11, 12))
    assert [i.number for i in afg.identifiers if i.type == "passport"] == ["D0009720", "D0010442"]
    assert afg.nationalities == ("AF",)
    assert afg.addresses[0].full == "Darul Aman, Kabul, Afghanistan"
    assert afg.addresses[0].country == "AF"
    assert "Zurmat District, Paktia Province, Afghanistan" in afg.places_of_birth
    aqd = entries["AQD0128"]
    assert PartialDate(1958, 9) in aqd.dates_of_birth
    assert [i.number for i in aqd.identifiers if i.type == "national_id"] == ["0075258"]
    assert aqd.countries == ("IQ", "SY")
    ship = entries["DPR0075"]
    assert [i.number for i in ship.identifiers if i.type == "imo"] == ["9562233"]
    assert "KM" in ship.countries  # CurrentBelievedFlagOfShip Comoros
    assert ship.relations[0].target_name == "Global United Shipping India"


def test_round_trip() -> None:
    """Checks: ListEntry.from_dict(e.to_dict()) == e for every entry."""
    for entry in uk_xml.parse([shared_path(*SAMPLE)], "uk").entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_truncated_empty_and_wrong_root(tmp_path: Path) -> None:
    """Checks: a cut file, an empty file and a non-Designations root raise ListFormatError."""
    data = shared_path(*SAMPLE).read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError, match="truncated"):
        uk_xml.parse([cut], "uk")
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError):
        uk_xml.parse([empty], "uk")
    other = tmp_path / "other.xml"
    other.write_text("<export><x/></export>")
    with pytest.raises(ListFormatError, match="Designations"):
        uk_xml.parse([other], "uk")
    nothing = tmp_path / "nothing.xml"
    nothing.write_text("<Designations><DateGenerated>01/01/2026</DateGenerated></Designations>")
    with pytest.raises(ListFormatError, match="no entries"):
        uk_xml.parse([nothing], "uk")


def test_designation_without_unique_id_is_skipped_with_warning(tmp_path: Path) -> None:
    """Checks: a Designation lacking UniqueID is skipped and reported in warnings; the others still parse."""
    text = shared_path(*SAMPLE).read_text(encoding="utf-8")
    extra = (
        "<Designation><Names><Name><Name6>NO ID</Name6><NameType>Primary Name</NameType></Name></Names></Designation>"
    )
    path = tmp_path / "extra.xml"
    path.write_text(text.replace("</Designations>", extra + "</Designations>"), encoding="utf-8")
    parsed = uk_xml.parse([path], "uk")
    assert len(parsed.entries) == 4
    assert parsed.warnings and "no UniqueID" in parsed.warnings[0]
