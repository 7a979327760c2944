"""`uk-xml`: the FCDO UK Sanctions List XML (root `Designations`, one `Designation` per listed party).

`DateGenerated` (DD/MM/YYYY) → `published`. Quirks of the real file handled here: "Primary Name" / "Primary name"
casing, leading spaces in passport numbers, placeholder dates of birth (`dd/mm/1968` → year only), repeated DOBs,
leading-zero national IDs kept as text, and `ShipDetails/Ship/IMONumbers` for ships.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from lxml import etree

from service.core.errors import ListFormatError
from service.core.model import ListEntry, NameKind, ParsedList, Relation
from service.lists.common import clean, local, parse_date, parse_xml, require_entries
from service.lists.uk_csv import (
    UKEntryBuilder,
    imo_number,
    name_parts,
    split_numbered,
    uk_dob,
    uk_entity_type,
    uk_name_kind,
)

FORMAT = "uk-xml"


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    """Direct children with local tag `name` (the file has no namespace today; tolerate one tomorrow)."""
    return [c for c in el if isinstance(c.tag, str) and local(c.tag) == name]


def _child(el: etree._Element, name: str) -> etree._Element | None:
    found = _children(el, name)
    return found[0] if found else None


def _text(el: etree._Element | None, name: str) -> str | None:
    """Cleaned text of the first child `name`, or None."""
    if el is None:
        return None
    child = _child(el, name)
    return clean(child.text) if child is not None else None


def _texts(el: etree._Element | None, *path: str) -> list[str]:
    """Cleaned texts of all elements reached by the child path (`'DOBs', 'DOB'`)."""
    if el is None:
        return []
    level = [el]
    for name in path:
        level = [c for parent in level for c in _children(parent, name)]
    out: list[str] = []
    for node in level:
        text = clean(node.text)
        if text:
            out.append(text)
    return out


def _details(des: etree._Element, group: str, item: str) -> list[etree._Element]:
    """`IndividualDetails/Individual`, `EntityDetails/Entity`, `ShipDetails/Ship` blocks."""
    return [i for g in _children(des, group) for i in _children(g, item)]


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse the FCDO UK Sanctions List XML into one entry per Designation."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    published: date | None = None
    for path in paths:
        root = parse_xml(path)
        if local(root.tag) != "Designations":
            raise ListFormatError(
                f"{FORMAT}: {path.name} root element is <{local(root.tag)}>, expected <Designations>", field="root"
            )
        published = parse_date(_text(root, "DateGenerated")) or published
        seen: set[str] = set()
        for index, des in enumerate(_children(root, "Designation"), start=1):
            uid = _text(des, "UniqueID")
            if not uid:
                # A record without its key cannot be diffed or cited; skip it loudly rather than invent an id.
                warnings.append(f"{path.name}: Designation #{index} has no UniqueID; skipped")
                continue
            if uid in seen:
                raise ListFormatError(f"{FORMAT}: {path.name} repeats UniqueID {uid}", field="UniqueID")
            seen.add(uid)
            entries.append(_designation(des, uid, list_id))
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)


def _designation(des: etree._Element, uid: str, list_id: str) -> ListEntry:
    b = UKEntryBuilder(list_id, uid)
    b.raw_text = etree.tostring(des, encoding="unicode").strip()
    for name_el in [n for g in _children(des, "Names") for n in _children(g, "Name")]:
        full, parts = name_parts([_text(name_el, f"Name{i}") for i in range(1, 6)], _text(name_el, "Name6"))
        b.add_name(full, uk_name_kind(_text(name_el, "NameType"), _text(name_el, "AliasStrength")), parts)
    for nl in [n for g in _children(des, "NonLatinNames") for n in _children(g, "NonLatinName")]:
        b.add_name(_text(nl, "NameNonLatinScript"), NameKind.ALIAS, lang=_text(nl, "NonLatinScriptLanguage"))
    b.add_type(uk_entity_type(_text(des, "IndividualEntityShip")))
    b.add_program(_text(des, "RegimeName"))
    b.add_listed(_text(des, "DateDesignated"))
    b.add_identifier("other", _text(des, "UNReferenceNumber"), label="UN Reference Number")
    b.add_identifier("other", _text(des, "OFSIGroupID"), label="OFSI Group ID")
    for title in _texts(des, "Titles", "Title"):
        b.add_remark(title, "Title")
    for addr in [a for g in _children(des, "Addresses") for a in _children(g, "Address")]:
        b.add_address(
            [_text(addr, f"AddressLine{i}") for i in range(1, 7)],
            _text(addr, "AddressPostalCode"),
            _text(addr, "AddressCountry"),
        )
    for phone in _texts(des, "PhoneNumbers", "PhoneNumber"):
        b.add_identifier("phone", phone)
    for mail in _texts(des, "EmailAddresses", "EmailAddress"):
        b.add_identifier("email", mail)
    for site in _texts(des, "Websites", "Website"):
        b.add_identifier("website", site)

    for ind in _details(des, "IndividualDetails", "Individual"):
        for dob in _texts(ind, "DOBs", "DOB"):
            b.add_dob(uk_dob(dob))
        for nat in _texts(ind, "Nationalities", "Nationality"):
            b.add_nationality(nat)
        for pp in [p for g in _children(ind, "PassportDetails") for p in _children(g, "Passport")]:
            b.add_identifier("passport", _text(pp, "PassportNumber"), note=_text(pp, "PassportAdditionalInformation"))
        for nid in [n for g in _children(ind, "NationalIdentifierDetails") for n in _children(g, "NationalIdentifier")]:
            b.add_identifier(
                "national_id",
                _text(nid, "NationalIdentifierNumber"),
                note=_text(nid, "NationalIdentifierAdditionalInformation"),
            )
        for loc in [x for g in _children(ind, "BirthDetails") for x in _children(g, "Location")]:
            b.add_pob(_text(loc, "TownOfBirth"), _text(loc, "CountryOfBirth"))
        for gender in _texts(ind, "Genders", "Gender"):
            b.gender = b.gender or gender.lower()
        for position in _texts(ind, "Positions", "Position"):
            b.add_remark(position, "Position")

    for ent in _details(des, "EntityDetails", "Entity"):
        for reg in _texts(ent, "BusinessRegistrationNumbers", "BusinessRegistrationNumber"):
            b.add_identifier("registration", reg)
        for parent in _texts(ent, "ParentCompanies", "ParentCompany"):
            b.add_relation(Relation(kind="owned_by", target_name=parent, note="parent company"))
        for sub in _texts(ent, "Subsidiaries", "Subsidiary"):
            b.add_relation(Relation(kind="owner_of", target_name=sub, note="subsidiary"))
        for kind in _texts(ent, "TypeOfEntities", "TypeOfEntity"):
            b.add_remark(kind, "Type of entity")

    for ship in _details(des, "ShipDetails", "Ship"):
        for imo in _texts(ship, "IMONumbers", "IMONumber"):
            b.add_identifier("imo", imo_number(imo), label="IMO number")
        for owner in _texts(ship, "CurrentOwnerOperators", "CurrentOwnerOperator"):
            b.add_relation(Relation(kind="owned_by", target_name=owner, note="current owner/operator"))
        for flag in _texts(ship, "CurrentBelievedFlagOfShips", "CurrentBelievedFlagOfShip"):
            b.add_country(flag)
        for hin in _texts(ship, "HullIdentificationNumbers", "HullIdentificationNumber"):
            b.add_identifier("other", hin, label="Hull identification number (HIN)")

    b.add_remark(", ".join(dict.fromkeys(split_numbered(_text(des, "SanctionsImposed")))), "Sanctions imposed")
    b.add_remark(_text(des, "OtherInformation"))
    b.add_remark(_text(des, "UKStatementofReasons"), "UK Statement of Reasons")
    return b.build(FORMAT)
