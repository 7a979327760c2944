"""OFAC SDN Advanced XML parser (`ofac-advanced-xml`) against the real 4-party excerpt (2026-09-09)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from service.core.errors import ListFormatError
from service.core.model import Address, EntityType, Identifier, ListEntry, NameKind, PartialDate, Relation
from service.lists import ofac_advanced_xml
from service.lists.registry import get_parser
from tests.conftest import shared_path

SAMPLE = ("samples", "ofac_sdn_advanced_xml_excerpt_2026-09-09.xml")


def _parse_text(tmp_path: Path, text: str) -> dict[str, ListEntry]:
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(text, encoding="utf-8")
    return {e.entity_id: e for e in ofac_advanced_xml.parse([path], "ofac-sdn").entries}


def _entries() -> dict[str, ListEntry]:
    return {e.entity_id: e for e in ofac_advanced_xml.parse([shared_path(*SAMPLE)], "ofac-sdn").entries}


def test_registry_maps_format_to_this_parser() -> None:
    """Checks: the registry name `ofac-advanced-xml` resolves to this module's parse."""
    assert get_parser("ofac-advanced-xml") is ofac_advanced_xml.parse


def test_header_parties_and_types() -> None:
    """Checks: DateOfIssue → published, 4 parties, PartySubType/PartyType → entity type, SDN List, no warnings."""
    parsed = ofac_advanced_xml.parse([shared_path(*SAMPLE)], "ofac-sdn")
    assert parsed.published == date(2026, 9, 9)
    assert parsed.warnings == []
    assert [(e.entity_id, e.entity_type) for e in parsed.entries] == [
        ("36", EntityType.ORGANIZATION),
        ("2677", EntityType.PERSON),
        ("4238", EntityType.VESSEL),
        ("15432", EntityType.AIRCRAFT),
    ]
    assert {e.source_list for e in parsed.entries} == {"SDN List"}


def test_listing_dates_and_programs() -> None:
    """Checks: EntryEvent date → listed_on, SanctionsMeasure 'Program' comment → programs, legal basis in remarks."""
    entries = _entries()
    assert {k: (e.listed_on, e.programs) for k, e in entries.items()} == {
        "36": (date(1986, 12, 10), ("CUBA",)),
        "2677": (date(1995, 1, 23), ("SDGT",)),
        "4238": (date(1989, 1, 5), ("CUBA",)),
        "15432": (date(2012, 9, 19), ("SDGT",)),
    }
    assert "Legal basis: Executive Order 13224 (Terrorism)" in (entries["2677"].remarks or "")
    assert "Legal basis" not in (entries["36"].remarks or "")  # LegalBasis 1 is "Unknown"


def test_entity_alias_and_location() -> None:
    """Checks: Primary alias → PRIMARY, A.K.A. → ALIAS, Location feature → address with city and ISO country."""
    aero = _entries()["36"]
    assert [(n.value, n.kind) for n in aero.names] == [
        ("AEROCARIBBEAN AIRLINES", NameKind.PRIMARY),
        ("AERO-CARIBBEAN", NameKind.ALIAS),
    ]
    assert aero.addresses == (Address(full="Havana, Cuba", city="Havana", country="CU", country_name="Cuba"),)
    assert aero.countries == ("CU",)


def test_individual_names_scripts_and_features() -> None:
    """Checks: name parts by NamePartType, Arabic-script DocumentedName (script), DatePeriod DOB, POB, nationality
    via VersionLocation, gender and secondary-sanctions text via DetailReference."""
    person = _entries()["2677"]
    primary = person.names[0]
    assert (primary.value, primary.kind, primary.script) == (
        "Al-Zomor, Abboud Abdul Latif Hassan",
        NameKind.PRIMARY,
        "Latin",
    )
    assert primary.parts == (("last", "Al-Zomor"), ("first", "Abboud Abdul Latif Hassan"))
    arabic = person.names[1]
    assert (arabic.value, arabic.kind, arabic.script) == ("الزمر عبود عبداللطيف حسن", NameKind.PRIMARY, "Arabic")
    assert arabic.parts == (("last", "الزمر"), ("first", "عبود عبداللطيف حسن"))
    assert [n.value for n in person.names if n.kind is NameKind.ALIAS] == [
        "ZUMAR, Abbud",
        "AL-Zumar, Abbud",
        "El-Zomor, Aboud Abdul Latif Hasan",
        "Al-Zumur, Abood Abdul Latif Hassan",
        "Al-Zamur, Abboud Abdul Latif Hassan",
    ]
    assert person.primary_name == "Al-Zomor, Abboud Abdul Latif Hassan"
    assert person.dates_of_birth == (PartialDate(1947, 4, 19),)
    assert person.places_of_birth == ("Nahia, Giza, Egypt",)
    assert person.nationalities == ("EG",)
    assert person.gender == "male"
    assert person.addresses == (Address(full="Egypt", country="EG", country_name="Egypt"),)
    assert (person.remarks or "").startswith(
        "Secondary sanctions risk: section 1(b) of Executive Order 13224, as amended by Executive Order 13886"
    )


def test_vessel_features() -> None:
    """Checks: vessel call sign, flag (country), owner (relation), GRT and vessel type via DetailReference 705."""
    vessel = _entries()["4238"]
    assert vessel.identifiers == (Identifier(type="call_sign", number="CL2192", label="Vessel Call Sign"),)
    assert vessel.countries == ("CU",)
    assert vessel.relations == (Relation(kind="owned_by", target_name="Samir de Navegacion S.A.", note="Vessel Owner"),)
    assert vessel.addresses == ()  # its Location is country "undetermined"
    remarks = vessel.remarks or ""
    assert "Vessel Gross Registered Tonnage: 212" in remarks
    assert "Vessel type: Tug" in remarks


def test_aircraft_features() -> None:
    """Checks: construction number and MSN → aircraft_serial, operator → relation, model and whole-year
    manufacture date period → remarks."""
    aircraft = _entries()["15432"]
    assert aircraft.primary_name == "EP-GOL"
    assert aircraft.identifiers == (
        Identifier(
            type="aircraft_serial",
            number="8305",
            label="Aircraft Construction Number (also called L/N or S/N or F/N)",
        ),
        Identifier(type="aircraft_serial", number="1013409297", label="Aircraft Manufacturer's Serial Number (MSN)"),
    )
    assert aircraft.relations == (Relation(kind="operated_by", target_name="YAS AIR", note="Aircraft Operator"),)
    remarks = aircraft.remarks or ""
    assert "Aircraft Model: IL-76TD" in remarks
    assert "Aircraft Manufacture Date: 1991" in remarks  # 1991-01-01..1991-12-31 is the year 1991


def test_round_trip_raw_and_no_empty_marker() -> None:
    """Checks: every entry round-trips through to_dict/from_dict; raw holds the party and its SanctionsEntry."""
    for entry in ofac_advanced_xml.parse([shared_path(*SAMPLE)], "ofac-sdn").entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry
        assert "<DistinctParty" in entry.raw and "<SanctionsEntry" in entry.raw
        assert "-0-" not in str(entry.to_dict(with_raw=False))


def test_low_quality_fka_documents_and_relationships(tmp_path: Path) -> None:
    """Checks: LowQuality="true" → WEAK_ALIAS, AliasTypeID F.K.A. → FORMER, IDRegDocument (type, issuing country,
    issue date), ProfileRelationship → Relation with the target's name and id."""
    text = shared_path(*SAMPLE).read_text(encoding="utf-8")
    text = text.replace(
        '<Alias FixedRef="36" AliasTypeID="1400" Primary="false" LowQuality="false">',
        '<Alias FixedRef="36" AliasTypeID="1400" Primary="false" LowQuality="true">',
    )
    first_zumar = '<Alias FixedRef="2677" AliasTypeID="1400" Primary="false" LowQuality="false">'
    text = text.replace(first_zumar, '<Alias FixedRef="2677" AliasTypeID="1401" Primary="false" LowQuality="false">', 1)
    text = text.replace(
        "<IDRegDocuments></IDRegDocuments>",
        '<IDRegDocuments><IDRegDocument ID="9" IDRegDocTypeID="1571" IdentityID="4423" IssuedBy-CountryID="11082" '
        'ValidityID="1"><Comment /><IDRegistrationNo>1084010</IDRegistrationNo><IssuingAuthority />'
        '<DocumentDate IDRegDocDateTypeID="1480"><DatePeriod CalendarTypeID="1"><Start Approximate="false"><From>'
        "<Year>1990</Year><Month>5</Month><Day>2</Day></From><To><Year>1990</Year><Month>5</Month><Day>2</Day></To>"
        "</Start><End><From><Year>1990</Year><Month>5</Month><Day>2</Day></From><To><Year>1990</Year><Month>5</Month>"
        "<Day>2</Day></To></End></DatePeriod></DocumentDate></IDRegDocument></IDRegDocuments>",
    )
    text = text.replace(
        "<ProfileRelationships />",
        '<ProfileRelationships><ProfileRelationship ID="1" From-ProfileID="4238" To-ProfileID="36" '
        'RelationTypeID="15003" RelationQualityID="1" Former="false" SanctionsEntryID="4238"><Comment />'
        "</ProfileRelationship></ProfileRelationships>",
    )
    entries = _parse_text(tmp_path, text)
    assert [(n.value, n.kind) for n in entries["36"].names][1] == ("AERO-CARIBBEAN", NameKind.WEAK_ALIAS)
    zumar = next(n for n in entries["2677"].names if n.value == "ZUMAR, Abbud")
    assert zumar.kind is NameKind.FORMER
    assert entries["2677"].identifiers == (
        Identifier(type="passport", number="1084010", country="EG", label="Passport", note="issued 1990-05-02"),
    )
    assert entries["4238"].relations[-1] == Relation(
        kind="controlled_by", target_name="AEROCARIBBEAN AIRLINES", target_id="36", note="Owned or Controlled By"
    )


def test_namespace_is_irrelevant(tmp_path: Path) -> None:
    """Checks: the same file without any namespace gives the same entries (tags matched by local name)."""
    text = re.sub(r'\sxmlns="[^"]+"', "", shared_path(*SAMPLE).read_text(encoding="utf-8"))
    plain = _parse_text(tmp_path, text)
    assert {k: e.to_dict(with_raw=False) for k, e in plain.items()} == {
        k: e.to_dict(with_raw=False) for k, e in _entries().items()
    }


def _period(start: tuple[int, int, int], end: tuple[int, int, int], approximate: bool = False) -> etree._Element:
    def ymd(value: tuple[int, int, int]) -> str:
        return f"<Year>{value[0]}</Year><Month>{value[1]}</Month><Day>{value[2]}</Day>"

    flag = "true" if approximate else "false"
    return etree.fromstring(
        f'<DatePeriod><Start Approximate="{flag}"><From>{ymd(start)}</From><To>{ymd(start)}</To></Start>'
        f'<End Approximate="{flag}"><From>{ymd(end)}</From><To>{ymd(end)}</To></End></DatePeriod>'
    )


@pytest.mark.parametrize(
    ("start", "end", "approximate", "expected"),
    [
        ((1947, 4, 19), (1947, 4, 19), False, PartialDate(1947, 4, 19)),
        ((1962, 3, 1), (1962, 3, 31), False, PartialDate(1962, 3)),
        ((1991, 1, 1), (1991, 12, 31), False, PartialDate(1991)),
        ((1960, 1, 1), (1962, 12, 31), False, PartialDate(1960, year_to=1962)),
        ((1951, 1, 1), (1951, 12, 31), True, PartialDate(1951, circa=True)),
    ],
)
def test_date_period_precision(
    start: tuple[int, int, int], end: tuple[int, int, int], approximate: bool, expected: PartialDate
) -> None:
    """Checks: DatePeriod → PartialDate precision: exact day, month, year, year range, circa."""
    assert ofac_advanced_xml.period_to_partial(_period(start, end, approximate)) == expected


def test_truncated_empty_and_foreign_files_are_rejected(tmp_path: Path) -> None:
    """Checks: a cut file, an empty file and a file of another format raise ListFormatError."""
    data = shared_path(*SAMPLE).read_bytes()
    path = tmp_path / "sdn_advanced.xml"
    path.write_bytes(data[: data.index(b'<DistinctParty xmlns="') + 300])
    with pytest.raises(ListFormatError, match="truncated"):
        ofac_advanced_xml.parse([path], "ofac-sdn")
    path.write_bytes(b"")
    with pytest.raises(ListFormatError, match="empty"):
        ofac_advanced_xml.parse([path], "ofac-sdn")
    path.write_bytes(shared_path("samples", "ofac_sdn_xml_first5_2014-05-30.xml").read_bytes())
    with pytest.raises(ListFormatError, match="not <Sanctions>"):
        ofac_advanced_xml.parse([path], "ofac-sdn")
