"""Parser for the UN Security Council Consolidated List XML (format `un-xml`).

Source: `scsanctions.un.org/resources/xml/en/consolidated.xml` (schema sc-sanctions.xsd). Root `CONSOLIDATED_LIST`
with `dateGenerated`; `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY` records keyed by `DATAID`.

Mapping decisions (the file has no formal semantics for some of these, so they are documented here):
- Names: FIRST_NAME..FOURTH_NAME joined is the primary name; the parts are kept as ("first", ...), ("second", ...)
  because the UN order is not reliably given/family (Arabic names put the father's name second).
  NAME_ORIGINAL_SCRIPT is a strong alias in its own script.
- Alias QUALITY: "Good"/"a.k.a."/empty → ALIAS, "Low" → WEAK_ALIAS, "f.k.a." → FORMER. A NOTE of
  "formerly/previously listed as" makes a non-weak alias FORMER. A NOTE giving the name "in Arabic"/"original
  script" adds that text as another alias of the same strength. Per-alias DATE_OF_BIRTH / CITY_OF_BIRTH /
  COUNTRY_OF_BIRTH are added to the entry's DOBs / places of birth (the person used them under that alias).
- Dates of birth: EXACT DATE → full date; EXACT YEAR → year; APPROXIMATELY → circa; BETWEEN FROM_YEAR/TO_YEAR →
  year range (circa when the NOTE says "approximately"); a NOTE-only date ("Nov. 1973") is parsed as a partial date.
  Hijri-calendar notes are skipped (with a warning), never reinterpreted as Gregorian.
- programs and source_list: UN_LIST_TYPE, the sanctions regime ("Al-Qaida", "DRC", ...). REFERENCE_NUMBER is kept
  as an `other` identifier labelled "UN reference number" so EU/UK entries that cite it can be linked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from lxml import etree

from service.core.countries import to_iso2
from service.core.errors import ListFormatError
from service.core.model import (
    Address,
    EntityType,
    Identifier,
    ListEntry,
    Name,
    NameKind,
    ParsedList,
    PartialDate,
)
from service.lists.common import clean, parse_date, parse_partial_date, parse_xml, require_entries

FORMAT = "un-xml"
T = TypeVar("T")

_PART_TAGS = (("FIRST_NAME", "first"), ("SECOND_NAME", "second"), ("THIRD_NAME", "third"), ("FOURTH_NAME", "fourth"))
_QUALITY_KIND = {
    "good": NameKind.ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "f.k.a.": NameKind.FORMER,
}
_FORMER_NOTE = re.compile(r"\b(formerly|previously) listed as\b", re.IGNORECASE)
# "in Arabic script: شركة الكوثر", "original script: Абу Банат", "In Arabic: سيف العدل" inside alias notes.
_SCRIPT_NOTE = re.compile(r"(?:original script|in arabic(?: script)?)\s*:\s*([^()]+)", re.IGNORECASE)
_MONTH_WORD = re.compile(r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?")
_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_PASSPORT_WORDS = ("passport", "passeport", "pasaporte")


def _text(element: etree._Element, tag: str) -> str | None:
    """Cleaned text of the first child `tag`, or None."""
    child = element.find(tag)
    return clean(child.text) if child is not None else None


def _values(element: etree._Element, tag: str) -> list[str]:
    """Cleaned `VALUE` texts under child `tag` (NATIONALITY, TITLE, DESIGNATION...)."""
    out: list[str] = []
    for value in element.iterfind(f"{tag}/VALUE"):
        text = clean(value.text)
        if text and text.lower() not in ("na", "n/a"):
            out.append(text)
    return out


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    """Order-preserving de-duplication (sources repeat values across sub-records)."""
    return tuple(dict.fromkeys(items))


def _place(*parts: str | None) -> str | None:
    text = ", ".join(p for p in parts if p)
    return text or None


def _names(record: etree._Element, is_person: bool) -> list[Name]:
    names: list[Name] = []
    parts = tuple((label, value) for tag, label in _PART_TAGS if (value := _text(record, tag)))
    primary = " ".join(value for _, value in parts)
    if primary:
        names.append(Name(primary, NameKind.PRIMARY, parts=parts if is_person and len(parts) > 1 else ()))
    original = _text(record, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(Name(original, NameKind.ALIAS))
    for alias in record.iterfind("INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS"):
        value = _text(alias, "ALIAS_NAME")
        if not value:
            continue
        quality = (_text(alias, "QUALITY") or "").lower()
        kind = _QUALITY_KIND.get(quality, NameKind.ALIAS)
        note = _text(alias, "NOTE") or ""
        if kind is NameKind.ALIAS and _FORMER_NOTE.search(note):
            kind = NameKind.FORMER
        names.append(Name(value, kind))
        for match in _SCRIPT_NOTE.finditer(note):
            script_name = clean(match.group(1).strip(" .;"))
            if script_name:
                names.append(Name(script_name, kind))
    return list(_unique(names))


def _dob(element: etree._Element, warnings: list[str], entity_id: str) -> PartialDate | None:
    """One INDIVIDUAL_DATE_OF_BIRTH → PartialDate (see module docstring for the rules)."""
    kind = (_text(element, "TYPE_OF_DATE") or "").upper()
    note = _text(element, "NOTE") or ""
    approx = kind == "APPROXIMATELY" or "approx" in note.lower()
    if "hijri" in note.lower() or "islamic" in note.lower():
        warnings.append(f"{entity_id}: skipped non-Gregorian date of birth {note!r}")
        return None
    full = parse_date(_text(element, "DATE"))
    if full is not None:
        return PartialDate(full.year, full.month, full.day, circa=approx)
    from_year, to_year = _text(element, "FROM_YEAR"), _text(element, "TO_YEAR")
    if from_year and to_year and from_year.isdigit() and to_year.isdigit():
        low, high = sorted((int(from_year), int(to_year)))
        return PartialDate(low, circa=approx, year_to=high if high != low else None)
    year = _text(element, "YEAR")
    if year and year.isdigit():
        # A bare month in the note ("Sep.") refines a YEAR; "Between Aug. and Sep." does not.
        month_match = _MONTH_WORD.search(note)
        month = _MONTHS[month_match.group(1).lower()] if month_match and "between" not in note.lower() else None
        return PartialDate(int(year), month, circa=approx)
    if note:
        parsed = parse_partial_date(note)
        if parsed is not None and "between" in note.lower() and parsed.year_to is None:
            # "Between Aug. and Sep. 1977": the month is uncertain, keep the year only.
            parsed = PartialDate(parsed.year, circa=True)
        if parsed is not None and approx and not parsed.circa:
            parsed = PartialDate(parsed.year, parsed.month, parsed.day, circa=True, year_to=parsed.year_to)
        return parsed
    return None


def _address(element: etree._Element) -> Address | None:
    street, city = _text(element, "STREET"), _text(element, "CITY")
    region, postal = _text(element, "STATE_PROVINCE"), _text(element, "ZIP_CODE")
    country_name = _text(element, "COUNTRY")
    note = _text(element, "NOTE")
    full = _place(street, city, region, postal, country_name)
    if not full:
        return None
    if note:
        full = f"{full} ({note})"
    return Address(
        full=full,
        street=street,
        city=city,
        region=region,
        postal_code=postal,
        country=to_iso2(country_name),
        country_name=country_name,
    )


def _document(element: etree._Element) -> Identifier | None:
    number = _text(element, "NUMBER")
    if not number:
        return None
    label = _text(element, "TYPE_OF_DOCUMENT")
    detail = _text(element, "TYPE_OF_DOCUMENT2")
    lowered = f"{label or ''} {detail or ''}".lower()
    if any(word in lowered for word in _PASSPORT_WORDS):
        kind = "passport"
    elif "identification" in lowered or "identity" in lowered:
        kind = "national_id"
    else:
        kind = "other"
    country_name = _text(element, "ISSUING_COUNTRY") or _text(element, "COUNTRY_OF_ISSUE")
    notes = [
        f"type: {detail}" if detail else None,
        f"issued {issued}" if (issued := _text(element, "DATE_OF_ISSUE")) else None,
        f"issued in {city}" if (city := _text(element, "CITY_OF_ISSUE")) else None,
        f"issuing country: {country_name}" if country_name and not to_iso2(country_name) else None,
        _text(element, "NOTE"),
    ]
    note = "; ".join(n for n in notes if n) or None
    return Identifier(type=kind, number=number, country=to_iso2(country_name), label=label, note=note)


def _entry(record: etree._Element, list_id: str, warnings: list[str]) -> ListEntry | None:
    is_person = record.tag == "INDIVIDUAL"
    entity_id = _text(record, "DATAID")
    if not entity_id:
        warnings.append(f"{record.tag} without DATAID skipped (line {record.sourceline})")
        return None
    names = _names(record, is_person)
    if not names:
        warnings.append(f"{entity_id}: no name, skipped")
        return None

    dobs: list[PartialDate] = []
    places: list[str] = []
    countries: list[str] = []
    for element in record.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        try:
            dob = _dob(element, warnings, entity_id)
        except ValueError as exc:  # impossible dates in the source: keep the entry, drop the date
            warnings.append(f"{entity_id}: invalid date of birth ({exc})")
            dob = None
        if dob is not None:
            dobs.append(dob)
    for element in record.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        country_name = _text(element, "COUNTRY")
        place = _place(_text(element, "STREET"), _text(element, "CITY"), _text(element, "STATE_PROVINCE"), country_name)
        if place:
            note = _text(element, "NOTE")
            places.append(f"{place} {note}" if note else place)
        if iso := to_iso2(country_name):
            countries.append(iso)
    for alias in record.iterfind("INDIVIDUAL_ALIAS"):
        alias_dob = parse_date(_text(alias, "DATE_OF_BIRTH"))
        if alias_dob is not None:
            dobs.append(PartialDate(alias_dob.year, alias_dob.month, alias_dob.day))
        place = _place(_text(alias, "CITY_OF_BIRTH"), _text(alias, "COUNTRY_OF_BIRTH"))
        if place:
            places.append(place)

    addresses = [
        a for e in record.iterfind("INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS") if (a := _address(e))
    ]
    countries.extend(a.country for a in addresses if a.country)

    identifiers = [d for e in record.iterfind("INDIVIDUAL_DOCUMENT") if (d := _document(e))]
    countries.extend(i.country for i in identifiers if i.country)
    reference = _text(record, "REFERENCE_NUMBER")
    if reference:
        identifiers.append(Identifier(type="other", number=reference, label="UN reference number"))

    nationalities = [to_iso2(v) or v for v in _values(record, "NATIONALITY")]
    regime = _text(record, "UN_LIST_TYPE")
    remark_parts = [_text(record, "COMMENTS1")]
    if titles := _values(record, "TITLE"):
        remark_parts.append("Title: " + "; ".join(titles))
    if designations := _values(record, "DESIGNATION"):
        remark_parts.append("Designation: " + "; ".join(designations))
    gender = _text(record, "GENDER")

    return ListEntry(
        list_id=list_id,
        entity_id=entity_id,
        entity_type=EntityType.PERSON if is_person else EntityType.ORGANIZATION,
        names=tuple(names),
        dates_of_birth=_unique(dobs),
        places_of_birth=_unique(places),
        nationalities=_unique(nationalities),
        countries=_unique(countries),
        addresses=_unique(addresses),
        identifiers=_unique(identifiers),
        programs=(regime,) if regime else (),
        listed_on=parse_date(_text(record, "LISTED_ON")),
        remarks="\n".join(p for p in remark_parts if p) or None,
        source_list=regime,
        gender=gender.lower() if gender else None,
        raw=etree.tostring(record, encoding="unicode").strip(),
    )


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse one or more UN consolidated.xml files into ListEntries (one per DATAID)."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    published = None
    seen: set[str] = set()
    for path in paths:
        root = parse_xml(path)
        if root.tag != "CONSOLIDATED_LIST":
            raise ListFormatError(f"{path.name}: root element is {root.tag!r}, expected CONSOLIDATED_LIST")
        generated = parse_date(root.get("dateGenerated"))
        if generated and (published is None or generated > published):
            published = generated
        for record in root.iterfind("INDIVIDUALS/INDIVIDUAL"):
            entry = _entry(record, list_id, warnings)
            if entry is not None and entry.entity_id not in seen:
                seen.add(entry.entity_id)
                entries.append(entry)
        for record in root.iterfind("ENTITIES/ENTITY"):
            entry = _entry(record, list_id, warnings)
            if entry is not None and entry.entity_id not in seen:
                seen.add(entry.entity_id)
                entries.append(entry)
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)
