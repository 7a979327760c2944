"""Tests for the EU Financial Sanctions Files XML parser (format `eu-fsf-xml`) on the real 2026-08-05 excerpt."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, ParsedList, PartialDate
from service.lists import eu_fsf_xml
from service.lists.registry import get_parser
from tests.conftest import shared_path

SAMPLE = ("samples", "eu_fsf_xmlFullSanctionsList_1_1_excerpt_2026-08-05.xml")


@pytest.fixture(scope="module")
def sample() -> Path:
    return shared_path(*SAMPLE)


@pytest.fixture(scope="module")
def parsed(sample: Path) -> ParsedList:
    return eu_fsf_xml.parse([sample], "eu-fsf")


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.entity_id: e for e in parsed.entries}


def test_counts_and_published(parsed: ParsedList) -> None:
    """Checks 5 sanctionEntity (4 person + 1 enterprise), 45 nameAlias → 45 names, 8 birthdate records, 2 citizenships,
    `export generationDate` → published, and that the registry resolves `eu-fsf-xml`."""
    assert [e.entity_id for e in parsed.entries] == ["191", "521", "3822", "6106", "6177"]
    types = [e.entity_type for e in parsed.entries]
    assert types.count(EntityType.PERSON) == 4 and types.count(EntityType.ORGANIZATION) == 1
    assert sum(len(e.names) for e in parsed.entries) == 45
    assert sum(len(e.nationalities) for e in parsed.entries) == 2
    assert parsed.published == date(2026, 8, 5)
    assert get_parser("eu-fsf-xml") is eu_fsf_xml.parse


def test_designation_programme_and_references(by_id: dict[str, ListEntry]) -> None:
    """Checks designationDate → listed_on (191 has none → None), regulation programme → programs,
    euReferenceNumber / unitedNationId → reference identifiers, entity remark and function/title → remarks."""
    assert by_id["191"].listed_on is None
    assert by_id["521"].listed_on == date(2001, 1, 25)
    assert by_id["6106"].listed_on == date(2011, 2, 26)
    assert [by_id[i].programs for i in ("191", "521", "3822", "6106", "6177")] == [
        ("TERR",),
        ("AFG",),
        ("IRN",),
        ("LBY",),
        ("TAQA",),
    ]
    refs = {(i.label, i.number) for i in by_id["6106"].identifiers if i.type == "other"}
    assert refs == {("EU reference number", "EU.3886.3"), ("UN reference number", "LYi.006")}
    remarks = by_id["521"].remarks or ""
    assert "Afghanistan/ Pakistan border area" in remarks
    assert "Function: Minister of Water and Electricity under the Taliban regime" in remarks
    assert "Title: Maulavi" in remarks


def test_names_primary_parts_language_and_weak(by_id: dict[str, ListEntry]) -> None:
    """Checks primary-name choice (function/structured/oldest alias), firstName/middleName/lastName → parts,
    nameLanguage → lang, Arabic/Persian scripts, gender, whitespace collapsing, and that UN low-quality aliases
    (remark "low quality alias") stay WEAK_ALIAS."""
    assert by_id["191"].primary_name == "Khalid Sheikh MOHAMMED"
    assert by_id["191"].names[0].parts == (("first", "Khalid Sheikh"), ("last", "MOHAMMED"))
    assert by_id["191"].gender == "male"
    assert by_id["521"].primary_name == "Ahmed Jan Akhundzada Wazir"
    assert by_id["3822"].primary_name == "Parchin Chemical Industries (PCI)"
    assert by_id["6106"].names[0].parts == (("first", "Abu"), ("middle", "Zayd Umar"), ("last", "DORDA"))
    asiri = by_id["6177"]
    assert asiri.primary_name == "Ibrahim Hassan Tali Al-Asiri"
    weak = sorted(n.value for n in asiri.names if n.kind is NameKind.WEAK_ALIAS)
    assert weak == ["Abosslah", "Abu Saleh", "Abu-Salaah"]
    arabic = [n for n in asiri.names if n.lang == "ar"]
    assert len(arabic) == 2 and all(n.script == "Arabic" for n in arabic)
    persian = [n for n in by_id["3822"].names if n.lang == "fa"]
    assert persian[0].value == "صنایع شیمیایی پارچین" and persian[0].script == "Arabic"
    assert any(n.value == "Tionscail Ceimiceán Parchin" for n in by_id["3822"].names)  # doubled space collapsed


def test_birthdates_circa_range_and_islamic(parsed: ParsedList, by_id: dict[str, ListEntry]) -> None:
    """Checks exact birthdate attrs, circa + yearRangeFrom/To → "~1953..1958", place of birth with city="-" ignored,
    and calendarType ISLAMIC: year/month/day (1402-06-24) are never read as Gregorian; its Gregorian `birthdate`
    attribute (1982-04-19) is used."""
    assert by_id["191"].dates_of_birth == (PartialDate(1965, 4, 14), PartialDate(1964, 3, 1))
    assert by_id["191"].places_of_birth == ("PAKISTAN",)
    assert by_id["521"].dates_of_birth == (PartialDate(1953, circa=True, year_to=1958),)
    assert by_id["521"].places_of_birth[0] == "Tirin Kot District, Uruzgan Province, AFGHANISTAN"
    assert {d.iso() for d in by_id["6177"].dates_of_birth} == {"1982-04-18", "1982-04-19"}
    assert all(d.year > 1900 for e in parsed.entries for d in e.dates_of_birth)


def test_identifications_addresses_citizenship(by_id: dict[str, ListEntry]) -> None:
    """Checks identification type codes (passport/id/regnumber), knownExpired + issue/valid dates in the note,
    countryIso2Code "00" → unknown, citizenship → nationalities, address street/city/poBox/country and contactInfo
    WEB/PHONE → website/phone identifiers."""
    asiri = by_id["6177"]
    passport = next(i for i in asiri.identifiers if i.type == "passport")
    assert (passport.number, passport.country) == ("F654645", "SA")
    assert passport.note is not None and "known expired" in passport.note and "valid to 2010-03-07" in passport.note
    national = next(i for i in asiri.identifiers if i.type == "national_id")
    assert (national.number, national.country) == ("1028745097", "SA")
    assert asiri.nationalities == ("SA",)
    assert by_id["521"].nationalities == ("AF",)
    assert next(i for i in by_id["191"].identifiers if i.type == "passport").country is None

    pci = by_id["3822"]
    reg = next(i for i in pci.identifiers if i.type == "registration")
    assert reg.number == "892"
    assert len(pci.addresses) == 6
    first = pci.addresses[0]
    assert (first.street, first.city, first.country) == ("Pasdaran Square", "Tehran", "IR")
    assert "P.O. Box 16765/358" in first.full
    assert any(a.postal_code == "15765-358" for a in pci.addresses)
    websites = {i.number for i in pci.identifiers if i.type == "website"}
    phones = {i.number for i in pci.identifiers if i.type == "phone"}
    assert websites == {"http://icig.ir/"}
    assert phones == {"+98 21 2258929", "+98 21 35243153", "+98 21 3130626"}


def test_round_trip_and_raw(parsed: ParsedList) -> None:
    """Checks `ListEntry.from_dict(e.to_dict()) == e` for every entry and that raw keeps the sanctionEntity XML."""
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry
        assert "sanctionEntity" in entry.raw and f'logicalId="{entry.entity_id}"' in entry.raw


def test_truncated_and_empty_raise(sample: Path, tmp_path: Path) -> None:
    """Checks a truncated copy of the sample, an empty file and an `export` without entities raise ListFormatError."""
    data = sample.read_bytes()
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(data[: int(len(data) * 0.7)])
    with pytest.raises(ListFormatError):
        eu_fsf_xml.parse([truncated], "eu-fsf")
    empty = tmp_path / "empty.xml"
    empty.write_text("   \n", encoding="utf-8")
    with pytest.raises(ListFormatError):
        eu_fsf_xml.parse([empty], "eu-fsf")
    bare = tmp_path / "bare.xml"
    bare.write_text('<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-08-05"/>', "utf-8")
    with pytest.raises(ListFormatError):
        eu_fsf_xml.parse([bare], "eu-fsf")
