"""Tests for the EU FSF CSV parser (format `eu-fsf-csv`).

No real csvFullSanctionsList_1_1 with data rows exists in shared/data, so `write_fsf_csv` below generates one from the
real EU FSF XML sample: the documented 118-column `;` header (samples/README.md), UTF-8 with BOM, CRLF, one row per
combination of sub-records (shorter sub-record lists repeat their first record, as the official export repeats
values), regulation columns filled from the XML. The CSV parser must then yield exactly what the XML parser yields.
"""

from __future__ import annotations

import csv
import io
from itertools import zip_longest
from pathlib import Path

import pytest
from lxml import etree

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, ParsedList
from service.lists import eu_fsf_csv, eu_fsf_xml
from service.lists.registry import get_parser
from tests.conftest import shared_path

SAMPLE = ("samples", "eu_fsf_xmlFullSanctionsList_1_1_excerpt_2026-08-05.xml")
# The documented header line, verbatim (samples/README.md).
HEADER_LINE = (
    "fileGenerationDate;Entity_LogicalId;Entity_EU_ReferenceNumber;Entity_UnitedNationId;Entity_DesignationDate;"
    "Entity_DesignationDetails;Entity_Remark;Entity_SubjectType;Entity_SubjectType_ClassificationCode;"
    "Entity_Regulation_Type;Entity_Regulation_OrganisationType;Entity_Regulation_PublicationDate;"
    "Entity_Regulation_EntryIntoForceDate;Entity_Regulation_NumberTitle;Entity_Regulation_Programme;"
    "Entity_Regulation_PublicationUrl;NameAlias_LastName;NameAlias_FirstName;NameAlias_MiddleName;"
    "NameAlias_WholeName;NameAlias_NameLanguage;NameAlias_Gender;NameAlias_Title;NameAlias_Function;"
    "NameAlias_LogicalId;NameAlias_RegulationLanguage;NameAlias_Remark;NameAlias_Regulation_Type;"
    "NameAlias_Regulation_OrganisationType;NameAlias_Regulation_PublicationDate;"
    "NameAlias_Regulation_EntryIntoForceDate;NameAlias_Regulation_NumberTitle;NameAlias_Regulation_Programme;"
    "NameAlias_Regulation_PublicationUrl;Address_City;Address_Street;Address_PoBox;Address_ZipCode;Address_Region;"
    "Address_Place;Address_AsAtListingTime;Address_ContactInfo;Address_CountryIso2Code;Address_CountryDescription;"
    "Address_LogicalId;Address_RegulationLanguage;Address_Remark;Address_Regulation_Type;"
    "Address_Regulation_OrganisationType;Address_Regulation_PublicationDate;Address_Regulation_EntryIntoForceDate;"
    "Address_Regulation_NumberTitle;Address_Regulation_Programme;Address_Regulation_PublicationUrl;"
    "BirthDate_BirthDate;BirthDate_Day;BirthDate_Month;BirthDate_Year;BirthDate_YearRangeFrom;BirthDate_YearRangeTo;"
    "BirthDate_Circa;BirthDate_CalendarType;BirthDate_ZipCode;BirthDate_Region;BirthDate_Place;BirthDate_City;"
    "BirthDate_CountryIso2Code;BirthDate_CountryDescription;BirthDate_LogicalId;BirthDate_RegulationLanguage;"
    "BirthDate_Remark;BirthDate_Regulation_Type;BirthDate_Regulation_OrganisationType;"
    "BirthDate_Regulation_PublicationDate;BirthDate_Regulation_EntryIntoForceDate;BirthDate_Regulation_NumberTitle;"
    "BirthDate_Regulation_Programme;BirthDate_Regulation_PublicationUrl;Identification_Number;"
    "Identification_Diplomatic;Identification_KnownExpired;Identification_KnownFalse;Identification_ReportedLost;"
    "Identification_RevokedByIssuer;Identification_IssuedBy;Identification_IssuedDate;Identification_ValidFrom;"
    "Identification_ValidTo;Identification_LatinNumber;Identification_NameOnDocument;Identification_TypeCode;"
    "Identification_TypeDescription;Identification_Region;Identification_CountryIso2Code;"
    "Identification_CountryDescription;Identification_LogicalId;Identification_RegulationLanguage;"
    "Identification_Remark;Identification_Regulation_Type;Identification_Regulation_OrganisationType;"
    "Identification_Regulation_PublicationDate;Identification_Regulation_EntryIntoForceDate;"
    "Identification_Regulation_NumberTitle;Identification_Regulation_Programme;"
    "Identification_Regulation_PublicationUrl;Citizenship_Region;Citizenship_CountryIso2Code;"
    "Citizenship_CountryDescription;Citizenship_LogicalId;Citizenship_RegulationLanguage;Citizenship_Remark;"
    "Citizenship_Regulation_Type;Citizenship_Regulation_OrganisationType;Citizenship_Regulation_PublicationDate;"
    "Citizenship_Regulation_EntryIntoForceDate;Citizenship_Regulation_NumberTitle;"
    "Citizenship_Regulation_Programme;Citizenship_Regulation_PublicationUrl"
)
HEADER = HEADER_LINE.split(";")

# CSV column suffix → XML attribute, per sub-record (written out here independently of the parser's mapping).
COLUMNS: dict[str, dict[str, str]] = {
    "nameAlias": {
        "LastName": "lastName",
        "FirstName": "firstName",
        "MiddleName": "middleName",
        "WholeName": "wholeName",
        "NameLanguage": "nameLanguage",
        "Gender": "gender",
        "Title": "title",
        "Function": "function",
        "LogicalId": "logicalId",
        "RegulationLanguage": "regulationLanguage",
    },
    "address": {
        "City": "city",
        "Street": "street",
        "PoBox": "poBox",
        "ZipCode": "zipCode",
        "Region": "region",
        "Place": "place",
        "AsAtListingTime": "asAtListingTime",
        "CountryIso2Code": "countryIso2Code",
        "CountryDescription": "countryDescription",
        "LogicalId": "logicalId",
        "RegulationLanguage": "regulationLanguage",
    },
    "birthdate": {
        "BirthDate": "birthdate",
        "Day": "dayOfMonth",
        "Month": "monthOfYear",
        "Year": "year",
        "YearRangeFrom": "yearRangeFrom",
        "YearRangeTo": "yearRangeTo",
        "Circa": "circa",
        "CalendarType": "calendarType",
        "ZipCode": "zipCode",
        "Region": "region",
        "Place": "place",
        "City": "city",
        "CountryIso2Code": "countryIso2Code",
        "CountryDescription": "countryDescription",
        "LogicalId": "logicalId",
        "RegulationLanguage": "regulationLanguage",
    },
    "identification": {
        "Number": "number",
        "Diplomatic": "diplomatic",
        "KnownExpired": "knownExpired",
        "KnownFalse": "knownFalse",
        "ReportedLost": "reportedLost",
        "RevokedByIssuer": "revokedByIssuer",
        "IssuedBy": "issuedBy",
        "IssuedDate": "issueDate",
        "ValidFrom": "validFrom",
        "ValidTo": "validTo",
        "LatinNumber": "latinNumber",
        "NameOnDocument": "nameOnDocument",
        "TypeCode": "identificationTypeCode",
        "TypeDescription": "identificationTypeDescription",
        "Region": "region",
        "CountryIso2Code": "countryIso2Code",
        "CountryDescription": "countryDescription",
        "LogicalId": "logicalId",
        "RegulationLanguage": "regulationLanguage",
    },
    "citizenship": {
        "Region": "region",
        "CountryIso2Code": "countryIso2Code",
        "CountryDescription": "countryDescription",
        "LogicalId": "logicalId",
        "RegulationLanguage": "regulationLanguage",
    },
}
PREFIX = {
    "nameAlias": "NameAlias",
    "address": "Address",
    "birthdate": "BirthDate",
    "identification": "Identification",
    "citizenship": "Citizenship",
}


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child_text(element: etree._Element, name: str) -> str:
    return "\n".join(c.text or "" for c in element if _local(c.tag) == name and (c.text or "").strip())


def _sub_record_cells(kind: str, element: etree._Element) -> dict[str, str]:
    prefix = PREFIX[kind]
    cells = {f"{prefix}_{suffix}": element.get(attr, "") for suffix, attr in COLUMNS[kind].items()}
    cells[f"{prefix}_Remark"] = _child_text(element, "remark")
    summary = next((c for c in element if _local(c.tag) == "regulationSummary"), None)
    if summary is not None:
        cells[f"{prefix}_Regulation_Type"] = summary.get("regulationType", "")
        cells[f"{prefix}_Regulation_PublicationDate"] = summary.get("publicationDate", "")
        cells[f"{prefix}_Regulation_NumberTitle"] = summary.get("numberTitle", "")
        cells[f"{prefix}_Regulation_PublicationUrl"] = summary.get("publicationUrl", "")
    if kind == "address":
        contacts = [f"{c.get('key')}: {c.get('value')}" for c in element if _local(c.tag) == "contactInfo"]
        cells["Address_ContactInfo"] = " | ".join(contacts)
    return cells


def fsf_csv_text(xml_path: Path) -> str:
    """Generate a csvFullSanctionsList_1_1 text holding the same entities as the EU FSF XML at `xml_path`."""
    root = etree.parse(str(xml_path)).getroot()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for entity in root:
        if _local(entity.tag) != "sanctionEntity":
            continue
        regulation = next(c for c in entity if _local(c.tag) == "regulation")
        subject = next(c for c in entity if _local(c.tag) == "subjectType")
        base = {
            "fileGenerationDate": (root.get("generationDate") or "")[:10],
            "Entity_LogicalId": entity.get("logicalId", ""),
            "Entity_EU_ReferenceNumber": entity.get("euReferenceNumber", ""),
            "Entity_UnitedNationId": entity.get("unitedNationId", ""),
            "Entity_DesignationDate": entity.get("designationDate", ""),
            "Entity_DesignationDetails": entity.get("designationDetails", ""),
            "Entity_Remark": _child_text(entity, "remark"),
            "Entity_SubjectType": subject.get("code", ""),
            "Entity_SubjectType_ClassificationCode": subject.get("classificationCode", ""),
            "Entity_Regulation_Type": regulation.get("regulationType", ""),
            "Entity_Regulation_OrganisationType": regulation.get("organisationType", ""),
            "Entity_Regulation_PublicationDate": regulation.get("publicationDate", ""),
            "Entity_Regulation_EntryIntoForceDate": regulation.get("entryIntoForceDate", ""),
            "Entity_Regulation_NumberTitle": regulation.get("numberTitle", ""),
            "Entity_Regulation_Programme": regulation.get("programme", ""),
            "Entity_Regulation_PublicationUrl": _child_text(regulation, "publicationUrl"),
        }
        records = {kind: [c for c in entity if _local(c.tag) == kind] for kind in COLUMNS}
        # One row per combination: shorter sub-record lists repeat their first record (duplicates to fold).
        for combo in zip_longest(*records.values()):
            row = dict(base)
            for kind, element in zip(records, combo, strict=True):
                chosen = element if element is not None else (records[kind][0] if records[kind] else None)
                if chosen is not None:
                    row.update(_sub_record_cells(kind, chosen))
            writer.writerow([row.get(column, "") for column in HEADER])
    return out.getvalue()


@pytest.fixture(scope="module")
def sample() -> Path:
    return shared_path(*SAMPLE)


@pytest.fixture(scope="module")
def csv_file(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fsf") / "csvFullSanctionsList_1_1.csv"
    path.write_bytes(fsf_csv_text(sample).encode("utf-8-sig"))
    return path


@pytest.fixture(scope="module")
def parsed(csv_file: Path) -> ParsedList:
    return eu_fsf_csv.parse([csv_file], "eu-fsf")


def test_generated_fixture_layout(csv_file: Path) -> None:
    """Checks the generated fixture itself: BOM, 118 `;` columns in every row, rows repeat entities (one per combo)."""
    data = csv_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(HEADER) == 118
    assert all(len(r) == 118 for r in rows)
    ids = [r[1] for r in rows[1:]]
    assert sorted(set(ids)) == ["191", "3822", "521", "6106", "6177"]
    assert len(ids) > 5


def test_same_entries_as_xml(parsed: ParsedList, sample: Path) -> None:
    """Checks cross-format equivalence: the CSV yields the XML parser's entries field for field (ids, types, all
    45 names with kinds/lang/parts, DOBs incl. circa range and the ISLAMIC-calendar rule, places, nationalities,
    identifiers incl. contact info, addresses, programs, listed_on, remarks, gender) and the same published date."""
    xml = eu_fsf_xml.parse([sample], "eu-fsf")
    assert [e.entity_id for e in parsed.entries] == [e.entity_id for e in xml.entries]
    for from_csv, from_xml in zip(parsed.entries, xml.entries, strict=True):
        assert from_csv.to_dict(with_raw=False) == from_xml.to_dict(with_raw=False)
    assert sum(len(e.names) for e in parsed.entries) == 45
    assert parsed.published == xml.published
    assert get_parser("eu-fsf-csv") is eu_fsf_csv.parse


def test_key_fields(parsed: ParsedList) -> None:
    """Checks a few fields directly (not only via the XML): subject types, weak aliases, range DOB, passport."""
    by_id = {e.entity_id: e for e in parsed.entries}
    assert by_id["3822"].entity_type is EntityType.ORGANIZATION
    assert by_id["521"].dates_of_birth[0].iso() == "~1953..1958"
    weak = {n.value for n in by_id["6177"].names if n.kind is NameKind.WEAK_ALIAS}
    assert weak == {"Abu-Salaah", "Abosslah", "Abu Saleh"}
    assert any(i.type == "passport" and i.number == "FK117RK0" for i in by_id["6106"].identifiers)
    assert by_id["191"].listed_on is None


def test_round_trip_and_raw(parsed: ParsedList) -> None:
    """Checks `ListEntry.from_dict(e.to_dict()) == e` for every entry and that raw holds the entity's CSV rows."""
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry
        assert entry.raw.startswith("fileGenerationDate;Entity_LogicalId")
        assert f";{entry.entity_id};" in entry.raw


def test_truncated_wrong_and_empty_files_raise(csv_file: Path, tmp_path: Path) -> None:
    """Checks a CSV cut mid-row, a comma-delimited file, a header-only file and an empty file raise ListFormatError."""
    text = csv_file.read_bytes().decode("utf-8-sig")
    truncated = tmp_path / "truncated.csv"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ListFormatError):
        eu_fsf_csv.parse([truncated], "eu-fsf")
    comma = tmp_path / "comma.csv"
    comma.write_text(text.replace(";", ","), encoding="utf-8")
    with pytest.raises(ListFormatError):
        eu_fsf_csv.parse([comma], "eu-fsf")
    header_only = tmp_path / "header.csv"
    header_only.write_text(";".join(HEADER) + "\r\n", encoding="utf-8")
    with pytest.raises(ListFormatError):
        eu_fsf_csv.parse([header_only], "eu-fsf")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ListFormatError):
        eu_fsf_csv.parse([empty], "eu-fsf")
