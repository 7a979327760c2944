"""OFAC legacy SDN XML (`ofac-xml`): `sdnList` / `publshInformation` / `sdnEntry`.

Both namespaces in the wild (the old `http://tempuri.org/sdnList.xsd` and the current
`https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML`) are handled by matching local tag
names only. `idList` labels go through the same OFAC vocabulary as the CSV remarks (`ofac_csv.EntryBuilder`), so an
entry parsed from either export has the same normalised fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from service.core.countries import to_iso2
from service.core.errors import ListFormatError
from service.core.model import Address, EntityType, ListEntry, NameKind, ParsedList
from service.lists.common import clean, local, parse_xml, require_entries
from service.lists.ofac_csv import EntryBuilder, apply_remarks, split_person_name

FORMAT = "ofac-xml"

_TYPES = {
    "individual": EntityType.PERSON,
    "entity": EntityType.ORGANIZATION,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
}


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and local(child.tag) == name]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: etree._Element, name: str) -> str | None:
    child = _child(element, name)
    return clean(child.text) if child is not None else None


def _items(element: etree._Element, list_name: str, item_name: str) -> list[etree._Element]:
    holder = _child(element, list_name)
    return _children(holder, item_name) if holder is not None else []


def _compose(
    entity_type: EntityType, first: str | None, last: str | None
) -> tuple[str | None, tuple[tuple[str, str], ...]]:
    """Name value as OFAC publishes it elsewhere ('LAST, First' for people) and its parts."""
    if first and last:
        if entity_type is EntityType.PERSON:
            value = f"{last}, {first}"
            return value, split_person_name(value)
        return f"{first} {last}", ()
    return last or first, ()


def _publish_date(root: etree._Element) -> date | None:
    info = _child(root, "publshInformation")
    text = _text(info, "Publish_Date") if info is not None else None
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%m/%d/%Y").date()  # always US order in this format
    except ValueError as exc:
        raise ListFormatError(f"{FORMAT}: Publish_Date {text!r} is not MM/DD/YYYY") from exc


def _entry(element: etree._Element, list_id: str, source_list: str) -> ListEntry:
    uid = _text(element, "uid")
    if uid is None:
        raise ListFormatError(f"{FORMAT}: an sdnEntry has no uid (line {element.sourceline})")
    sdn_type = (_text(element, "sdnType") or "").lower()
    builder = EntryBuilder(list_id, uid, _TYPES.get(sdn_type, EntityType.UNKNOWN))
    value, parts = _compose(builder.entity_type, _text(element, "firstName"), _text(element, "lastName"))
    builder.add_name(value, NameKind.PRIMARY, parts=parts)
    for aka in _items(element, "akaList", "aka"):
        value, parts = _compose(builder.entity_type, _text(aka, "firstName"), _text(aka, "lastName"))
        category = (_text(aka, "category") or "strong").lower()
        aka_type = (_text(aka, "type") or "a.k.a.").lower()
        if category == "weak":
            kind = NameKind.WEAK_ALIAS  # OFAC FAQ: weak AKAs only corroborate; weakness wins over f.k.a.
        elif aka_type.startswith("f.k.a"):
            kind = NameKind.FORMER
        else:
            kind = NameKind.ALIAS
        builder.add_name(value, kind, parts=parts)
    for program in _items(element, "programList", "program"):
        builder.add_program(program.text)
    builder.apply("Title", _text(element, "title"))
    for item in _items(element, "idList", "id"):
        label = _text(item, "idType") or "Identifier"
        dates = [
            f"{word} {value}"
            for word, value in (("issued", _text(item, "issueDate")), ("expires", _text(item, "expirationDate")))
            if value
        ]
        builder.apply(label, _text(item, "idNumber"), country=_text(item, "idCountry"), note=" ".join(dates) or None)
    for item in _items(element, "addressList", "address"):
        builder.add_address(_address(item))
    for item in _items(element, "nationalityList", "nationality"):
        builder.add_nationality(_text(item, "country"))
    for item in _items(element, "citizenshipList", "citizenship"):
        builder.add_country(_text(item, "country"))
    for item in _items(element, "dateOfBirthList", "dateOfBirthItem"):
        builder.add_dob(_text(item, "dateOfBirth"))
    for item in _items(element, "placeOfBirthList", "placeOfBirthItem"):
        builder.add_pob(_text(item, "placeOfBirth"))
    vessel = _child(element, "vesselInfo")
    if vessel is not None:
        for tag, label in (
            ("callSign", "Vessel Call Sign"),
            ("vesselType", "Vessel Type"),
            ("vesselFlag", "Vessel Flag"),
            ("vesselOwner", "Vessel Owner"),
            ("tonnage", "Vessel Tonnage"),
            ("grossRegisteredTonnage", "Vessel Gross Registered Tonnage"),
        ):
            builder.apply(label, _text(vessel, tag))
    remarks = _text(element, "remarks")
    if remarks:
        apply_remarks(builder, remarks)  # free text may still carry weak a.k.a.s and links
    raw = etree.tostring(element, encoding="unicode", with_tail=False)
    return builder.build(remarks=remarks, source_list=source_list, raw=raw)


def _address(item: etree._Element) -> Address:
    lines = [v for v in (_text(item, "address1"), _text(item, "address2"), _text(item, "address3")) if v]
    city, region, postal = _text(item, "city"), _text(item, "stateOrProvince"), _text(item, "postalCode")
    country = _text(item, "country")
    full = ", ".join(x for x in (*lines, city, region, postal, country) if x)
    return Address(
        full=full,
        street=", ".join(lines) or None,
        city=city,
        region=region,
        postal_code=postal,
        country=to_iso2(country) if country else None,
        country_name=country,
    )


def _files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".xml"))
        else:
            files.append(path)
    if not files:
        raise ListFormatError(f"{FORMAT}: no XML file in {', '.join(map(str, paths)) or '(nothing)'}", field="path")
    return files


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse OFAC SDN.XML (either namespace); Publish_Date becomes `published`, weak a.k.a.s become WEAK_ALIAS."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    seen: set[str] = set()
    published: date | None = None
    files = _files(paths)
    for path in files:
        root = parse_xml(path)
        if local(root.tag) != "sdnList":
            raise ListFormatError(f"{path.name}: root element is <{local(root.tag)}>, not <sdnList>; not OFAC SDN XML")
        file_date = _publish_date(root)
        if file_date and (published is None or file_date > published):
            published = file_date
        # CONS_PRIM.XML carries the consolidated non-SDN list in the same layout; only the file name tells them apart.
        source_list = "CONSOLIDATED" if path.name.lower().startswith("cons") else "SDN"
        count = 0
        for element in _children(root, "sdnEntry"):
            entry = _entry(element, list_id, source_list)
            count += 1
            if entry.entity_id in seen:
                warnings.append(f"{path.name}: uid {entry.entity_id} repeated; first kept")
                continue
            seen.add(entry.entity_id)
            entries.append(entry)
        info = _child(root, "publshInformation")
        declared = _text(info, "Record_Count") if info is not None else None
        if declared and declared.isdigit() and int(declared) != count:
            warnings.append(f"{path.name}: Record_Count says {declared} but the file holds {count} sdnEntry elements")
    require_entries(len(entries), [p.name for p in files], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)
