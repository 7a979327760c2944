"""Parser for the EU Financial Sanctions Files XML `xmlFullSanctionsList_1_1` (format `eu-fsf-xml`).

Root `export` (namespace http://eu.europa.ec/fpi/fsd/export, `generationDate` → published), one `sanctionEntity` per
listed party (`logicalId` → entity_id). The CSV form of the same file (`eu_fsf_csv`) flattens exactly these
sub-records, so both parsers fill the neutral `EuEntity` record below (sub-records as attribute dicts keyed by the
XML attribute names) and share `build_entry`; that is what makes the two formats yield the same entries.

Mapping decisions:
- Names: every `nameAlias` is a name. `strong="false"` → WEAK_ALIAS. The FSF also carries UN "low quality" aliases
  as `strong="true"` with a remark "low quality alias", so such a remark also makes the alias weak (OFAC/UN
  guidance: weak aliases only confirm). The FSF has no primary-name flag; the primary is the strong alias that
  carries `function`/`title` (the EU attaches them to the main listing), else the one with structured
  first/last names, else the lowest `logicalId` (the oldest, i.e. the original listing name). Others are ALIAS.
  `nameLanguage` → lang (lower case), first/middle/last → parts.
- Birth dates: `birthdate` (full) or year/monthOfYear/dayOfMonth; `yearRangeFrom`/`yearRangeTo` → a year range;
  `circa="true"` → circa. `calendarType` other than GREGORIAN (e.g. ISLAMIC): the year/month/day fields are in
  that calendar and are never read as Gregorian. Only the `birthdate` attribute is used, and only when its year
  differs from the non-Gregorian year (i.e. the publisher supplied a Gregorian conversion); otherwise the date is
  skipped with a warning.
- Identifications → Identifier (passport, id → national_id, regnumber → registration, fiscalcode/tin → tax,
  swiftbic → swift, imo, ...); knownExpired/knownFalse/reportedLost/revokedByIssuer/diplomatic, issue/valid dates,
  issuer and remark go into the note. `countryIso2Code="00"` means unknown.
- Citizenship → nationalities; address, birth-place and document countries → countries. Address contactInfo
  (WEB/PHONE/EMAIL/FAX) → website/phone/email identifiers.
- programs: the entity-level `regulation programme` codes ("TERR", "IRN", ...); listed_on: `designationDate`
  (None when absent). euReferenceNumber / unitedNationId are kept as `other` identifiers so EU and UN entries link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
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
from service.lists.common import clean, local, parse_date, parse_xml, require_entries

FORMAT = "eu-fsf-xml"
T = TypeVar("T")
Attrs = Mapping[str, str]

_SUBJECT_TYPES = {"person": EntityType.PERSON, "enterprise": EntityType.ORGANIZATION}
_ID_TYPES = {
    "passport": "passport",
    "id": "national_id",
    "ssn": "national_id",
    "regnumber": "registration",
    "fiscalcode": "tax",
    "tin": "tax",
    "swiftbic": "swift",
    "imo": "imo",
}
_WEAK_REMARK = re.compile(r"\blow\s+quality\s+ali+as\b", re.IGNORECASE)
_CONTACT_TYPES = {"WEB": "website", "PHONE": "phone", "TEL": "phone", "FAX": "phone", "EMAIL": "email"}
_CONTACT_KEY = re.compile(r"(?i)\b(WEB|PHONE|TEL|FAX|EMAIL)\s*[:=]\s*")
_TRUE = ("true", "1", "yes", "y")


@dataclass(slots=True)
class EuEntity:
    """One `sanctionEntity`, format-neutral: attribute dicts per sub-record, in source order."""

    logical_id: str
    attrs: dict[str, str] = field(default_factory=dict)  # logicalId, euReferenceNumber, designationDate...
    remarks: list[str] = field(default_factory=list)
    subject_type: str = ""
    programmes: list[str] = field(default_factory=list)
    name_aliases: list[dict[str, str]] = field(default_factory=list)  # + "remark"
    birthdates: list[dict[str, str]] = field(default_factory=list)  # + "remark"
    identifications: list[dict[str, str]] = field(default_factory=list)  # + "remark"
    citizenships: list[dict[str, str]] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)  # + "remark"
    contacts: list[list[tuple[str, str]]] = field(default_factory=list)  # per address: (key, value)


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    """Order-preserving de-duplication."""
    return tuple(dict.fromkeys(items))


def _get(attrs: Attrs, key: str) -> str | None:
    return clean(attrs.get(key))


def _flag(attrs: Attrs, key: str) -> bool:
    return (attrs.get(key) or "").strip().lower() in _TRUE


def _country(attrs: Attrs) -> str | None:
    """ISO2 from countryIso2Code ("00" = unknown), else from the description."""
    code = (_get(attrs, "countryIso2Code") or "").upper()
    if code and code != "00":
        return to_iso2(code) or code
    description = _get(attrs, "countryDescription")
    if description and description.upper() != "UNKNOWN":
        return to_iso2(description)
    return None


def _country_name(attrs: Attrs) -> str | None:
    description = _get(attrs, "countryDescription")
    return description if description and description.upper() != "UNKNOWN" else None


def _int(attrs: Attrs, key: str) -> int | None:
    text = _get(attrs, key)
    return int(text) if text and text.isdigit() and int(text) > 0 else None


def _birthdate(attrs: Attrs) -> tuple[PartialDate | None, str | None]:
    """One birthdate record → (date, warning); see the module docstring for the calendar rule."""
    circa = _flag(attrs, "circa")
    calendar = (_get(attrs, "calendarType") or "GREGORIAN").upper()
    full = parse_date(_get(attrs, "birthdate"))
    if calendar != "GREGORIAN":
        native_year = _int(attrs, "year")
        if full is not None and full.year != native_year:
            return PartialDate(full.year, full.month, full.day, circa=circa), None
        return None, f"skipped {calendar} calendar birth date (no Gregorian conversion given): {dict(attrs)}"
    if full is not None:
        return PartialDate(full.year, full.month, full.day, circa=circa), None
    year_from, year_to = _int(attrs, "yearRangeFrom"), _int(attrs, "yearRangeTo")
    if year_from and year_to:
        low, high = sorted((year_from, year_to))
        return PartialDate(low, circa=circa, year_to=high if high != low else None), None
    year = _int(attrs, "year") or year_from or year_to
    if year is None:
        return None, None
    month = _int(attrs, "monthOfYear")
    day = _int(attrs, "dayOfMonth") if month else None
    return PartialDate(year, month, day, circa=circa), None


def _birth_place(attrs: Attrs) -> str | None:
    parts = [_get(attrs, k) for k in ("place", "city", "region", "zipCode")]
    parts.append(_country_name(attrs))
    text = ", ".join(p for p in parts if p and p != "-")
    return text or None


def _identifier(attrs: Attrs) -> Identifier | None:
    number = _get(attrs, "number") or _get(attrs, "latinNumber")
    if not number:
        return None
    code = (_get(attrs, "identificationTypeCode") or "").lower()
    flags = [
        label
        for key, label in (
            ("knownExpired", "known expired"),
            ("knownFalse", "known false"),
            ("reportedLost", "reported lost"),
            ("revokedByIssuer", "revoked by issuer"),
            ("diplomatic", "diplomatic"),
        )
        if _flag(attrs, key)
    ]
    details = [
        f"issued {v}" if (v := _get(attrs, "issueDate")) else None,
        f"issued by {v}" if (v := _get(attrs, "issuedBy")) else None,
        f"valid from {v}" if (v := _get(attrs, "validFrom")) else None,
        f"valid to {v}" if (v := _get(attrs, "validTo")) else None,
        f"region {v}" if (v := _get(attrs, "region")) else None,
        f"name on document {v}" if (v := _get(attrs, "nameOnDocument")) else None,
        f"latin number {v}" if (v := _get(attrs, "latinNumber")) and v != number else None,
        _get(attrs, "remark"),
    ]
    note = "; ".join([*flags, *(d for d in details if d)]) or None
    return Identifier(
        type=_ID_TYPES.get(code, "other"),
        number=number,
        country=_country(attrs),
        label=_get(attrs, "identificationTypeDescription") or code or None,
        note=note,
    )


def _address(attrs: Attrs) -> Address | None:
    street, city = _get(attrs, "street"), _get(attrs, "city")
    region, postal = _get(attrs, "region"), _get(attrs, "zipCode")
    po_box, place = _get(attrs, "poBox"), _get(attrs, "place")
    country_name = _country_name(attrs)
    parts = [street, f"P.O. Box {po_box}" if po_box else None, place, city, postal, region, country_name]
    full = ", ".join(p.strip(" ,;") for p in parts if p and p != "-")
    country = _country(attrs)
    if not full and not country:
        return None
    return Address(
        full=full,
        street=street,
        city=city,
        region=region,
        postal_code=postal,
        country=country,
        country_name=country_name,
    )


def parse_contact_info(text: str | None) -> list[tuple[str, str]]:
    """Split a flattened contact-info cell ("PHONE: +98 21 ...; WEB: http://...") into (key, value) pairs."""
    value = clean(text)
    if not value:
        return []
    pieces = _CONTACT_KEY.split(value)
    if len(pieces) == 1:  # no key markers: classify the whole value by its shape
        key = "EMAIL" if "@" in value else "WEB" if re.search(r"(?i)https?://|www\.", value) else "PHONE"
        return [(key, value)]
    pairs: list[tuple[str, str]] = []
    for key, content in zip(pieces[1::2], pieces[2::2], strict=True):
        content = content.strip().rstrip("|;,").strip()
        if content:
            pairs.append((key.upper(), content))
    return pairs


def _contact_identifiers(contacts: Iterable[tuple[str, str]]) -> list[Identifier]:
    out: list[Identifier] = []
    for key, value in contacts:
        kind = _CONTACT_TYPES.get(key.upper(), "other")
        # One PHONE attribute can hold several numbers separated by ';'.
        values = [v.strip() for v in value.split(";")] if kind == "phone" else [value.strip()]
        out.extend(Identifier(type=kind, number=v, label=key.upper()) for v in values if v)
    return out


def _primary_index(aliases: Sequence[Attrs], kinds: Sequence[NameKind]) -> int:
    """Pick the main name (see module docstring): function/title, then structured, then oldest logicalId."""

    def rank(i: int) -> tuple[int, int, int, int]:
        attrs = aliases[i]
        logical = _get(attrs, "logicalId") or ""
        return (
            0 if kinds[i] is NameKind.ALIAS else 1,
            0 if (_get(attrs, "function") or _get(attrs, "title")) else 1,
            0 if _get(attrs, "lastName") else 1,
            int(logical) if logical.isdigit() else 1 << 62,
        )

    return min(range(len(aliases)), key=rank)


def _names(entity: EuEntity) -> tuple[list[Name], list[str], str | None]:
    """Names, plus remark lines (function/title) and the gender found on the aliases."""
    aliases = [a for a in entity.name_aliases if _get(a, "wholeName")]
    kinds = [
        NameKind.WEAK_ALIAS
        if (a.get("strong", "true").strip().lower() == "false" or _WEAK_REMARK.search(a.get("remark") or ""))
        else NameKind.ALIAS
        for a in aliases
    ]
    if not aliases:
        return [], [], None
    primary = _primary_index(aliases, kinds)
    # Strong names rank first; if only weak names exist the party still needs a primary one.
    kinds[primary] = NameKind.PRIMARY
    order = [primary, *(i for i in range(len(aliases)) if i != primary)]
    names: list[Name] = []
    extra: list[str] = []
    gender: str | None = None
    for i in order:
        attrs = aliases[i]
        whole = _get(attrs, "wholeName") or ""
        parts = tuple(
            (label, value)
            for key, label in (("firstName", "first"), ("middleName", "middle"), ("lastName", "last"))
            if (value := _get(attrs, key))
        )
        lang = _get(attrs, "nameLanguage")
        names.append(Name(whole, kinds[i], lang=lang.lower() if lang else None, parts=parts))
        if function := _get(attrs, "function"):
            extra.append(f"Function: {function}")
        if title := _get(attrs, "title"):
            extra.append(f"Title: {title}")
        sex = (_get(attrs, "gender") or "").upper()
        if gender is None and sex in ("M", "F"):
            gender = "male" if sex == "M" else "female"
    # Same wholeName twice (e.g. in two languages): keep the first, i.e. the stronger kind comes first.
    seen: set[tuple[str, NameKind]] = set()
    unique: list[Name] = []
    for name in names:
        if (name.value, name.kind) not in seen:
            seen.add((name.value, name.kind))
            unique.append(name)
    return unique, list(_unique(extra)), gender


def build_entry(entity: EuEntity, list_id: str, raw: str, warnings: list[str]) -> ListEntry | None:
    """Turn a format-neutral EuEntity into a ListEntry (shared by the XML and CSV parsers)."""
    names, extra_remarks, gender = _names(entity)
    if not names:
        warnings.append(f"{entity.logical_id}: no name, skipped")
        return None
    dobs: list[PartialDate] = []
    places: list[str] = []
    countries: list[str] = []
    for attrs in entity.birthdates:
        try:
            dob, warning = _birthdate(attrs)
        except ValueError as exc:  # impossible date in the source: keep the party, drop the date
            dob, warning = None, f"invalid birth date {dict(attrs)} ({exc})"
        if warning:
            warnings.append(f"{entity.logical_id}: {warning}")
        if dob is not None:
            dobs.append(dob)
        if place := _birth_place(attrs):
            places.append(place)
        if country := _country(attrs):
            countries.append(country)
    identifiers = [i for attrs in entity.identifications if (i := _identifier(attrs))]
    countries.extend(i.country for i in identifiers if i.country)
    addresses = [a for attrs in entity.addresses if (a := _address(attrs))]
    countries.extend(a.country for a in addresses if a.country)
    for contacts in entity.contacts:
        identifiers.extend(_contact_identifiers(contacts))
    nationalities = [c for attrs in entity.citizenships if (c := _country(attrs) or _country_name(attrs))]

    eu_ref = _get(entity.attrs, "euReferenceNumber")
    un_ref = _get(entity.attrs, "unitedNationId")
    if eu_ref:
        identifiers.append(Identifier(type="other", number=eu_ref, label="EU reference number"))
    if un_ref:
        identifiers.append(Identifier(type="other", number=un_ref, label="UN reference number"))

    remark_lines = [*entity.remarks]
    if details := _get(entity.attrs, "designationDetails"):
        remark_lines.append(details)
    remark_lines.extend(extra_remarks)
    remark_lines.extend(f"Address: {r}" for attrs in entity.addresses if (r := _get(attrs, "remark")))
    subject = entity.subject_type.strip().lower()
    return ListEntry(
        list_id=list_id,
        entity_id=entity.logical_id,
        entity_type=_SUBJECT_TYPES.get(subject, EntityType.UNKNOWN),
        names=tuple(names),
        dates_of_birth=_unique(dobs),
        places_of_birth=_unique(places),
        nationalities=_unique(nationalities),
        countries=_unique(countries),
        addresses=_unique(addresses),
        identifiers=_unique(identifiers),
        programs=_unique(p for p in entity.programmes if p),
        listed_on=parse_date(_get(entity.attrs, "designationDate")),
        remarks="\n".join(_unique(clean(r) or "" for r in remark_lines if clean(r))) or None,
        gender=gender,
        raw=raw,
    )


def _with_remark(element: etree._Element) -> dict[str, str]:
    """Element attributes plus its `remark` child text(s) under the key "remark"."""
    attrs = {str(k): str(v) for k, v in element.attrib.items()}
    remarks = [r.text for r in element if local(r.tag) == "remark" and r.text and r.text.strip()]
    if remarks:
        attrs["remark"] = "\n".join(remarks)
    return attrs


def entity_from_xml(element: etree._Element) -> EuEntity:
    """Read one `sanctionEntity` element into an EuEntity."""
    entity = EuEntity(logical_id=(element.get("logicalId") or "").strip())
    entity.attrs = {str(k): str(v) for k, v in element.attrib.items()}
    for child in element:
        tag = local(child.tag)
        if tag == "remark":
            if child.text and child.text.strip():
                entity.remarks.append(child.text)
        elif tag == "regulation":
            entity.programmes.append((child.get("programme") or "").strip())
        elif tag == "subjectType":
            entity.subject_type = child.get("code") or ""
        elif tag == "nameAlias":
            entity.name_aliases.append(_with_remark(child))
        elif tag == "birthdate":
            entity.birthdates.append(_with_remark(child))
        elif tag == "identification":
            entity.identifications.append(_with_remark(child))
        elif tag == "citizenship":
            entity.citizenships.append(_with_remark(child))
        elif tag == "address":
            entity.addresses.append(_with_remark(child))
            entity.contacts.append(
                [
                    ((c.get("key") or "").strip(), (c.get("value") or "").strip())
                    for c in child
                    if local(c.tag) == "contactInfo" and (c.get("value") or "").strip()
                ]
            )
    return entity


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse EU FSF `xmlFullSanctionsList_1_1` file(s) into ListEntries (one per sanctionEntity logicalId)."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    published: date | None = None
    seen: set[str] = set()
    for path in paths:
        root = parse_xml(path)
        if local(root.tag) != "export":
            raise ListFormatError(f"{path.name}: root element is {local(root.tag)!r}, expected EU FSF 'export'")
        generated = parse_date(root.get("generationDate"))
        if generated and (published is None or generated > published):
            published = generated
        for element in root:
            if local(element.tag) != "sanctionEntity":
                continue
            entity = entity_from_xml(element)
            if not entity.logical_id:
                warnings.append(f"{path.name}: sanctionEntity without logicalId at line {element.sourceline}")
                continue
            if entity.logical_id in seen:
                warnings.append(f"{path.name}: duplicate logicalId {entity.logical_id} ignored")
                continue
            entry = build_entry(entity, list_id, etree.tostring(element, encoding="unicode").strip(), warnings)
            if entry is not None:
                seen.add(entity.logical_id)
                entries.append(entry)
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)
