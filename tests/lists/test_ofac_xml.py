"""OFAC legacy SDN XML parser (`ofac-xml`) against the two real excerpts (current and 2014 namespace)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import Address, EntityType, Identifier, ListEntry, NameKind, PartialDate, Relation
from service.lists import ofac_csv, ofac_xml
from service.lists.registry import get_parser
from tests.conftest import shared_path

CURRENT = ("samples", "ofac_sdn_xml_excerpt_2026-08-07.xml")
OLD_2014 = ("samples", "ofac_sdn_xml_first5_2014-05-30.xml")


def _entries(*parts: str) -> dict[str, ListEntry]:
    return {e.entity_id: e for e in ofac_xml.parse([shared_path(*parts)], "ofac-sdn").entries}


def test_registry_maps_format_to_this_parser() -> None:
    """Checks: the registry name `ofac-xml` resolves to this module's parse."""
    assert get_parser("ofac-xml") is ofac_xml.parse


def test_current_namespace_header_and_types() -> None:
    """Checks: Publish_Date → published, entry count, sdnType → entity type, no warnings (Record_Count matches)."""
    parsed = ofac_xml.parse([shared_path(*CURRENT)], "ofac-sdn")
    assert parsed.format == "ofac-xml"
    assert parsed.published == date(2026, 8, 7)
    assert parsed.warnings == []
    assert [(e.entity_id, e.entity_type) for e in parsed.entries] == [
        ("36", EntityType.ORGANIZATION),
        ("2674", EntityType.PERSON),
        ("4238", EntityType.VESSEL),
        ("9758", EntityType.PERSON),
        ("6944", EntityType.PERSON),
    ]


def test_nationality_citizenship_passport_address() -> None:
    """Checks: nationalityList → nationalities, citizenshipList → countries, idList passport + issue date, address1."""
    dawood = _entries(*CURRENT)["9758"]
    assert dawood.names[0].value == "IBRAHIM, Dawood"
    assert dawood.names[0].parts == (("last", "IBRAHIM"), ("first", "Dawood"))
    assert (dawood.names[1].value, dawood.names[1].kind) == ("EBRAHIM, Dawood", NameKind.ALIAS)
    assert dawood.nationalities == ("IN",)
    assert dawood.countries == ("IN", "PK", "AE")  # citizenships (India once), then the address country (Pakistan)
    assert dawood.identifiers == (
        Identifier(type="passport", number="M-110522", country="IN", label="Passport", note="issued 13 Nov 1978"),
    )
    assert dawood.addresses == (
        Address(
            full="617 CP Berar Society, Block 7-8, Karachi, Pakistan",
            street="617 CP Berar Society, Block 7-8",
            city="Karachi",
            country="PK",
            country_name="Pakistan",
        ),
    )
    assert dawood.dates_of_birth == (PartialDate(1955, 12, 26),)
    assert dawood.places_of_birth == ("Ratnagiri, Maharashtra, India",)
    assert dawood.programs == ("SDNTK", "SDGT")


def test_year_only_dob_and_nationality_only() -> None:
    """Checks: a year-only dateOfBirth → PartialDate(1969), POB, nationality without citizenship."""
    sharif = _entries(*CURRENT)["6944"]
    assert sharif.dates_of_birth == (PartialDate(1969),)
    assert sharif.places_of_birth == ("Al-Medinah, Saudi Arabia",)
    assert sharif.nationalities == ("SA",)
    assert sharif.countries == ()


def test_title_info_ids_and_vessel_info() -> None:
    """Checks: title and descriptive idList items go to remarks; vesselInfo → call sign, flag, type; DOB exact."""
    entries = _entries(*CURRENT)
    abbas = entries["2674"]
    assert abbas.remarks == (
        "Title: Director of PALESTINE LIBERATION FRONT - ABU ABBAS FACTION; "
        "Secondary sanctions risk: section 1(b) of Executive Order 13224"
    )
    assert abbas.identifiers == ()
    assert abbas.dates_of_birth == (PartialDate(1948, 12, 10),)
    vessel = entries["4238"]
    assert vessel.identifiers == (Identifier(type="call_sign", number="CL2192", label="Vessel Call Sign"),)
    assert vessel.countries == ("CU",)
    assert vessel.remarks == "Vessel Type: Tug; Vessel Flag: Cuba"


def test_old_namespace_2014() -> None:
    """Checks: tempuri.org namespace, Publish_Date 05/30/2014, the five uids, Record_Count mismatch is a warning."""
    parsed = ofac_xml.parse([shared_path(*OLD_2014)], "ofac-sdn")
    assert parsed.published == date(2014, 5, 30)
    assert [e.entity_id for e in parsed.entries] == ["10", "15", "25", "36", "39"]
    assert parsed.warnings == [
        "ofac_sdn_xml_first5_2014-05-30.xml: Record_Count says 5931 but the file holds 5 sdnEntry elements"
    ]
    person = next(e for e in parsed.entries if e.entity_id == "15")
    assert person.names[0].value == "ABDELNUR, Nury de Jesus"
    assert person.countries == ("PA",)


def test_same_entry_same_fields_across_namespaces_and_csv() -> None:
    """Checks: uid 36 parses identically from both XML namespaces and from the 2021 legacy CSV set (except raw)."""
    old = _entries(*OLD_2014)["36"].to_dict(with_raw=False)
    new = _entries(*CURRENT)["36"].to_dict(with_raw=False)
    assert old == new
    from_csv = ofac_csv.parse([shared_path("ofac", "sdn_full_set_2021-07-07")], "ofac-sdn")
    csv_36 = next(e for e in from_csv.entries if e.entity_id == "36").to_dict(with_raw=False)
    assert csv_36 == new


def test_weak_and_former_aka_categories(tmp_path: Path) -> None:
    """Checks: category weak → WEAK_ALIAS (even for f.k.a.), strong f.k.a. → FORMER, strong a.k.a. → ALIAS."""
    text = shared_path(*CURRENT).read_text(encoding="utf-8")
    text = text.replace(
        "<category>strong</category>\n        <lastName>AERO-CARIBBEAN</lastName>",
        "<category>weak</category>\n        <lastName>AERO-CARIBBEAN</lastName>",
    )
    text = text.replace(
        "<type>a.k.a.</type>\n        <category>strong</category>\n        <lastName>ZAYDAN</lastName>",
        "<type>f.k.a.</type>\n        <category>strong</category>\n        <lastName>ZAYDAN</lastName>",
    )
    text = text.replace(
        "<type>a.k.a.</type>\n        <category>strong</category>\n        <lastName>EBRAHIM</lastName>",
        "<type>f.k.a.</type>\n        <category>weak</category>\n        <lastName>EBRAHIM</lastName>",
    )
    path = tmp_path / "sdn.xml"
    path.write_text(text, encoding="utf-8")
    entries = {e.entity_id: e for e in ofac_xml.parse([path], "ofac-sdn").entries}
    assert [(n.value, n.kind) for n in entries["36"].names] == [
        ("AEROCARIBBEAN AIRLINES", NameKind.PRIMARY),
        ("AERO-CARIBBEAN", NameKind.WEAK_ALIAS),
    ]
    assert entries["2674"].names[1].kind is NameKind.FORMER
    assert entries["9758"].names[1].kind is NameKind.WEAK_ALIAS
    assert entries["6944"].names[0].kind is NameKind.PRIMARY


def test_remarks_and_more_id_kinds(tmp_path: Path) -> None:
    """Checks: remarks kept and parsed (Linked To), Gender/Website/IMO idList items, vessel owner, expiry note."""
    text = shared_path(*CURRENT).read_text(encoding="utf-8")
    text = text.replace(
        "<vesselFlag>Cuba</vesselFlag>",
        "<vesselFlag>Cuba</vesselFlag>\n      <vesselOwner>Samir de Navegacion S.A.</vesselOwner>",
    )
    text = text.replace(
        "<sdnType>Vessel</sdnType>",
        "<sdnType>Vessel</sdnType>\n    <remarks>Linked To: NAVIERA SAMIR.</remarks>\n    <idList><id><uid>1</uid>"
        "<idType>Vessel Registration Identification</idType><idNumber>IMO 8321785</idNumber></id></idList>",
    )
    text = text.replace(
        "<idType>Passport</idType>",
        "<idType>Gender</idType><idNumber>Male</idNumber></id><id><uid>2</uid>"
        "<idType>Website</idType><idNumber>www.example.com</idNumber></id><id><uid>3</uid>"
        "<idType>Passport</idType><expirationDate>01 Jan 1990</expirationDate>",
    )
    path = tmp_path / "sdn.xml"
    path.write_text(text, encoding="utf-8")
    entries = {e.entity_id: e for e in ofac_xml.parse([path], "ofac-sdn").entries}
    vessel = entries["4238"]
    assert Identifier(type="imo", number="8321785", label="Vessel Registration Identification") in vessel.identifiers
    assert vessel.relations == (
        Relation(kind="owned_by", target_name="Samir de Navegacion S.A.", note="Vessel Owner"),
        Relation(kind="linked_to", target_name="NAVIERA SAMIR"),
    )
    assert vessel.remarks == "Vessel Type: Tug; Vessel Flag: Cuba; Linked To: NAVIERA SAMIR."
    dawood = entries["9758"]
    assert dawood.gender == "male"
    assert Identifier(type="website", number="www.example.com", label="Website") in dawood.identifiers
    passport = next(i for i in dawood.identifiers if i.type == "passport")
    assert passport.note == "issued 13 Nov 1978 expires 01 Jan 1990"


@pytest.mark.parametrize("parts", [CURRENT, OLD_2014], ids=["2026", "2014"])
def test_round_trip_and_no_empty_marker(parts: tuple[str, ...]) -> None:
    """Checks: every entry round-trips through to_dict/from_dict and keeps its source XML in raw."""
    for entry in ofac_xml.parse([shared_path(*parts)], "ofac-sdn").entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry
        assert entry.raw.startswith("<sdnEntry")
        assert "-0-" not in str(entry.to_dict(with_raw=False))


def test_truncated_empty_and_foreign_files_are_rejected(tmp_path: Path) -> None:
    """Checks: a cut file, an empty file, another root element and an sdnList with no entries raise ListFormatError."""
    data = shared_path(*CURRENT).read_bytes()
    path = tmp_path / "sdn.xml"
    path.write_bytes(data[: data.index(b"<uid>9758</uid>") + 8])
    with pytest.raises(ListFormatError, match="truncated"):
        ofac_xml.parse([path], "ofac-sdn")
    path.write_bytes(b"")
    with pytest.raises(ListFormatError, match="empty"):
        ofac_xml.parse([path], "ofac-sdn")
    path.write_bytes(b"<export><sanctionEntity/></export>")
    with pytest.raises(ListFormatError, match="not <sdnList>"):
        ofac_xml.parse([path], "ofac-sdn")
    header_only = data[: data.index(b"<sdnEntry>")] + b"</sdnList>"
    path.write_bytes(header_only)
    with pytest.raises(ListFormatError, match="no entries"):
        ofac_xml.parse([path], "ofac-sdn")
