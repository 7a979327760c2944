"""OFAC SDN Advanced XML (`ofac-advanced-xml`): `Sanctions` with ReferenceValueSets, Locations, IDRegDocuments,
DistinctParties, ProfileRelationships and SanctionsEntries.

Everything in a party is an ID into a value set, so the file is read in two passes: first the lookup tables
(value sets, locations, documents), then the parties. Feature and document labels go through the same OFAC vocabulary
as the legacy CSV remarks (`ofac_csv.EntryBuilder`). Tags are matched by local name, so any namespace works.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from service.core.countries import to_iso2
from service.core.errors import ListFormatError
from service.core.model import Address, EntityType, ListEntry, NameKind, ParsedList, PartialDate, Relation
from service.lists.common import clean, local, parse_xml, require_entries
from service.lists.ofac_csv import (
    CITIZENSHIP,
    COUNTRY_LINK,
    DOB,
    LOCATION,
    NATIONALITY,
    EntryBuilder,
    apply_remarks,
    classify_label,
)

FORMAT = "ofac-advanced-xml"

# ScriptValues names → the script names `detect_script` produces, so names compare across lists.
_SCRIPTS = {"chinese simplified": "Han", "chinese traditional": "Han", "korean": "Hangul", "japanese": ""}
_NAME_PARTS = {
    "last name": "last",
    "first name": "first",
    "middle name": "middle",
    "maiden name": "maiden",
    "patronymic": "patronymic",
    "matronymic": "matronymic",
    "nickname": "nickname",
}
_RELATIONS = {
    "owned or controlled by": "controlled_by",  # OFAC does not say which; control is the weaker, safe reading
    "owns, controls, or operates": "owner_of",
    "associate of": "associate",
    "family member of": "family",
    "providing support to": "supports",
    "acting for or on behalf of": "acting_for",
    "leader or official of": "leader_of",
    "principal executive officer": "director",
    "playing a significant role in": "significant_role_in",
    "property in the interest of": "property_of",
}


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and local(child.tag) == name]


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    if element is None:
        return None
    for child in element:
        if isinstance(child.tag, str) and local(child.tag) == name:
            return child
    return None


def _int(element: etree._Element | None, name: str) -> int | None:
    child = _child(element, name)
    text = clean(child.text) if child is not None else None
    return int(text) if text and text.isdigit() else None


@dataclass(frozen=True, slots=True)
class _Ymd:
    year: int
    month: int
    day: int


def _ymd(element: etree._Element | None) -> _Ymd | None:
    year = _int(element, "Year")
    if year is None:
        return None
    return _Ymd(year, _int(element, "Month") or 1, _int(element, "Day") or 1)


def _simple_date(element: etree._Element | None) -> date | None:
    ymd = _ymd(element)
    if ymd is None:
        return None
    try:
        return date(ymd.year, ymd.month, ymd.day)
    except ValueError:
        return None


def period_to_partial(period: etree._Element) -> PartialDate | None:
    """Decide a DatePeriod's precision: exact day, whole month, whole year or year range; circa if approximate."""
    start, end = _child(period, "Start"), _child(period, "End")
    low = _ymd(_child(start, "From")) or _ymd(_child(start, "To"))
    high = _ymd(_child(end, "To")) or _ymd(_child(end, "From")) or _ymd(_child(start, "To")) or low
    if low is None or high is None:
        return None
    circa = any(e is not None and e.get("Approximate") == "true" for e in (start, end))
    if low == high:
        return PartialDate(low.year, low.month, low.day, circa=circa)
    whole_start = low.month == 1 and low.day == 1
    whole_end = high.month == 12 and high.day == 31
    same_month = low.year == high.year and low.month == high.month
    if same_month and low.day == 1 and high.day == calendar.monthrange(high.year, high.month)[1]:
        return PartialDate(low.year, low.month, circa=circa)
    if low.year == high.year:
        return PartialDate(low.year, circa=circa or not (whole_start and whole_end))
    # A span of years ("1960 to 1962"); a span cut inside years is approximate to those years.
    return PartialDate(low.year, circa=circa or not (whole_start and whole_end), year_to=high.year)


class _Refs:
    """ReferenceValueSets: value-set element name → ID → element (e.g. refs.text("FeatureType", "8") == "Birthdate")."""

    def __init__(self, root: etree._Element) -> None:
        self.sets: dict[str, dict[str, etree._Element]] = {}
        holder = _child(root, "ReferenceValueSets")
        if holder is None:
            raise ListFormatError(f"{FORMAT}: no ReferenceValueSets; not an OFAC SDN Advanced XML file")
        for value_set in holder:
            if not isinstance(value_set.tag, str):
                continue
            for value in value_set:
                if isinstance(value.tag, str) and value.get("ID") is not None:
                    self.sets.setdefault(local(value.tag), {})[value.get("ID", "")] = value

    def get(self, kind: str, ref: str | None) -> etree._Element | None:
        return self.sets.get(kind, {}).get(ref or "")

    def text(self, kind: str, ref: str | None) -> str | None:
        value = self.get(kind, ref)
        return clean(value.text) if value is not None else None

    def country(self, ref: str | None) -> tuple[str | None, str | None]:
        """(ISO alpha-2, name) of a CountryID; 'undetermined' gives (None, None)."""
        value = self.get("Country", ref)
        if value is None:
            return None, None
        name = clean(value.text)
        if name and name.lower() == "undetermined":
            return None, None
        iso = value.get("ISO2") or (to_iso2(name) if name else None)
        return iso, name


_LOC_PARTS = {
    "address1": "a1",
    "address2": "a2",
    "address3": "a3",
    "city": "city",
    "state/province": "region",
    "postal code": "postal",
    "region": "area",
    "unknown": "text",
}


def _locations(root: etree._Element, refs: _Refs) -> dict[str, Address]:
    """Location ID → Address (parts by LocPartType, country from LocationCountry or LocationAreaCode)."""
    result: dict[str, Address] = {}
    holder = _child(root, "Locations")
    for loc in _children(holder, "Location") if holder is not None else []:
        parts: dict[str, str] = {}
        for part in _children(loc, "LocationPart"):
            kind = _LOC_PARTS.get((refs.text("LocPartType", part.get("LocPartTypeID")) or "unknown").lower(), "text")
            values = _children(part, "LocationPartValue")
            chosen = next((v for v in values if v.get("Primary") == "true"), values[0] if values else None)
            value_el = _child(chosen, "Value")
            text = clean(value_el.text) if value_el is not None else None
            if text:
                parts[kind] = f"{parts[kind]}, {text}" if kind in parts else text
        iso, name = None, None
        country = _child(loc, "LocationCountry")
        if country is not None:
            iso, name = refs.country(country.get("CountryID"))
        if iso is None and name is None:
            area_el = _child(loc, "LocationAreaCode")
            area = refs.get("AreaCode", area_el.get("AreaCodeID") if area_el is not None else None)
            if area is not None and area.get("Description", "").lower() != "undetermined":
                iso, name = clean(area.text), area.get("Description")
        street = ", ".join(parts[k] for k in ("a1", "a2", "a3") if k in parts) or None
        full = ", ".join(
            x
            for x in (
                street,
                parts.get("city"),
                parts.get("region"),
                parts.get("postal"),
                parts.get("area"),
                parts.get("text"),
                name,
            )
            if x
        )
        result[loc.get("ID", "")] = Address(
            full=full,
            street=street,
            city=parts.get("city"),
            region=parts.get("region") or parts.get("area"),
            postal_code=parts.get("postal"),
            country=iso,
            country_name=name or parts.get("text"),
        )
    return result


def _documents(root: etree._Element, refs: _Refs) -> dict[str, list[etree._Element]]:
    by_identity: dict[str, list[etree._Element]] = {}
    holder = _child(root, "IDRegDocuments")
    for doc in _children(holder, "IDRegDocument") if holder is not None else []:
        by_identity.setdefault(doc.get("IdentityID", ""), []).append(doc)
    return by_identity


def _apply_document(builder: EntryBuilder, doc: etree._Element, refs: _Refs) -> None:
    label = refs.text("IDRegDocType", doc.get("IDRegDocTypeID")) or "Identifier"
    number_el = _child(doc, "IDRegistrationNo")
    number = clean(number_el.text) if number_el is not None else None
    iso, name = refs.country(doc.get("IssuedBy-CountryID"))
    notes: list[str] = []
    for when in _children(doc, "DocumentDate"):
        kind = (refs.text("IDRegDocDateType", when.get("IDRegDocDateTypeID")) or "date").lower()
        period = _child(when, "DatePeriod")
        partial = period_to_partial(period) if period is not None else None
        if partial:
            notes.append(f"{'issued' if 'issue' in kind else 'expires' if 'expir' in kind else kind} {partial.iso()}")
    for tag in ("IssuingAuthority", "Comment"):
        el = _child(doc, tag)
        if el is not None and clean(el.text) and clean(el.text) != number:
            notes.append(f"{tag}: {clean(el.text)}")
    validity = refs.text("Validity", doc.get("ValidityID"))
    if validity and validity.lower() != "valid":
        notes.append(validity)  # e.g. "Fraudulent": still screened, flagged
    builder.apply(label, number, country=iso or name, note=" ".join(notes) or None)


def _feature(builder: EntryBuilder, feature: etree._Element, refs: _Refs, locations: dict[str, Address]) -> None:
    label = refs.text("FeatureType", feature.get("FeatureTypeID")) or "Feature"
    kind = classify_label(label)
    for version in _children(feature, "FeatureVersion"):
        texts: list[str] = []
        for detail in _children(version, "VersionDetail"):
            ref = detail.get("DetailReferenceID")
            value = refs.text("DetailReference", ref) if ref else clean(detail.text)
            if value:
                texts.append(value)
        period = _child(version, "DatePeriod")
        partial = period_to_partial(period) if period is not None else None
        places = [
            locations[v.get("LocationID", "")]
            for v in _children(version, "VersionLocation")
            if v.get("LocationID") in locations
        ]
        if kind == DOB:
            builder.add_dob(partial)
        elif partial is not None:
            texts.append(partial.iso())  # Aircraft Manufacture Date, Organization Established Date...
        for place in places:
            if kind == LOCATION:
                builder.add_address(place)
            elif kind in (NATIONALITY, CITIZENSHIP, COUNTRY_LINK):
                texts.append(place.country or place.country_name or place.full)
            elif place.full:
                texts.append(place.full)
        for text in texts:
            if kind is None:
                builder.add_note(label.rstrip(" :-"), text)  # a feature type newer than this code: keep its text
            else:
                builder.apply(label, text)


def _names(builder: EntryBuilder, identity: etree._Element, refs: _Refs) -> None:
    groups: dict[str, str] = {}
    holder = _child(identity, "NamePartGroups")
    for master in _children(holder, "MasterNamePartGroup") if holder is not None else []:
        for group in _children(master, "NamePartGroup"):
            groups[group.get("ID", "")] = (refs.text("NamePartType", group.get("NamePartTypeID")) or "").lower()
    # Primary alias first so `primary_name` is the Latin primary name.
    aliases = sorted(_children(identity, "Alias"), key=lambda a: a.get("Primary") != "true")
    for alias in aliases:
        alias_type = (refs.text("AliasType", alias.get("AliasTypeID")) or "").upper()
        if alias.get("LowQuality") == "true":
            kind = NameKind.WEAK_ALIAS  # OFAC's weak a.k.a.: corroborates only, scored lower
        elif alias.get("Primary") == "true":
            kind = NameKind.PRIMARY
        elif alias_type == "F.K.A.":
            kind = NameKind.FORMER
        else:
            kind = NameKind.ALIAS
        for documented in _children(alias, "DocumentedName"):
            values: list[tuple[str, str]] = []
            script = ""
            for part in _children(documented, "DocumentedNamePart"):
                npv = _child(part, "NamePartValue")
                text = clean(npv.text) if npv is not None else None
                if npv is None or text is None:
                    continue
                values.append((_NAME_PARTS.get(groups.get(npv.get("NamePartGroupID", ""), ""), ""), text))
                script_name = refs.text("Script", npv.get("ScriptID")) or ""
                script = _SCRIPTS.get(script_name.lower(), script_name)
            if not values:
                continue
            parts = tuple((k, v) for k, v in values if k)
            last = [v for k, v in values if k == "last"]
            rest = [v for k, v in values if k != "last"]
            if builder.entity_type is EntityType.PERSON and last and rest and script in ("Latin", ""):
                value = f"{' '.join(last)}, {' '.join(rest)}"  # OFAC's published 'LAST, First' order
            else:
                value = " ".join(v for _, v in values)
            builder.add_name(
                value, kind, script=script, parts=parts if builder.entity_type is EntityType.PERSON else ()
            )


def _entity_type(profile: etree._Element, refs: _Refs) -> EntityType:
    subtype = refs.get("PartySubType", profile.get("PartySubTypeID"))
    if subtype is None:
        return EntityType.UNKNOWN
    sub = (clean(subtype.text) or "").lower()
    party = (refs.text("PartyType", subtype.get("PartyTypeID")) or "").lower()
    if sub in ("vessel", "aircraft"):
        return EntityType(sub)
    return {"individual": EntityType.PERSON, "entity": EntityType.ORGANIZATION}.get(party, EntityType.UNKNOWN)


@dataclass
class _Sanction:
    list_name: str | None
    listed_on: date | None
    programs: list[str]
    notes: list[str]
    raw: str


def _sanctions(root: etree._Element, refs: _Refs) -> dict[str, list[_Sanction]]:
    result: dict[str, list[_Sanction]] = {}
    holder = _child(root, "SanctionsEntries")
    for entry in _children(holder, "SanctionsEntry") if holder is not None else []:
        dates: list[date] = []
        notes: list[str] = []
        programs: list[str] = []
        for event in _children(entry, "EntryEvent"):
            when = _simple_date(_child(event, "Date"))
            if when:
                dates.append(when)
            basis = refs.get("LegalBasis", event.get("LegalBasisID"))
            basis_text = clean(basis.text) if basis is not None else None
            if basis_text and basis_text.lower() != "unknown":
                notes.append(f"Legal basis: {basis_text}")
        for measure in _children(entry, "SanctionsMeasure"):
            measure_type = refs.text("SanctionsType", measure.get("SanctionsTypeID")) or ""
            comment_el = _child(measure, "Comment")
            comment = clean(comment_el.text) if comment_el is not None else None
            if measure_type.lower() == "program" and comment:
                programs.append(comment)
            elif measure_type:
                notes.append(f"Sanctions measure: {measure_type}" + (f" ({comment})" if comment else ""))
        result.setdefault(entry.get("ProfileID", ""), []).append(
            _Sanction(
                list_name=refs.text("List", entry.get("ListID")),
                listed_on=min(dates) if dates else None,
                programs=programs,
                notes=notes,
                raw=etree.tostring(entry, encoding="unicode", with_tail=False),
            )
        )
    return result


def _published(root: etree._Element) -> date | None:
    return _simple_date(_child(root, "DateOfIssue"))


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse SDN_ADVANCED.XML: resolve every reference ID; listed_on from EntryEvent, programs from SanctionsMeasure."""
    if len(paths) != 1 or paths[0].is_dir():
        files = [p for path in paths for p in (sorted(path.glob("*.xml")) if path.is_dir() else [path])]
        if len(files) != 1:
            raise ListFormatError(
                f"{FORMAT}: expected exactly one SDN_ADVANCED.XML file, got {len(files)}", field="path"
            )
        path = files[0]
    else:
        path = paths[0]
    root = parse_xml(path)
    if local(root.tag) != "Sanctions":
        raise ListFormatError(
            f"{path.name}: root element is <{local(root.tag)}>, not <Sanctions>; not OFAC Advanced XML"
        )
    refs = _Refs(root)
    locations = _locations(root, refs)
    documents = _documents(root, refs)
    sanctions = _sanctions(root, refs)
    warnings: list[str] = []

    holder = _child(root, "DistinctParties")
    parties = _children(holder, "DistinctParty") if holder is not None else []
    builders: dict[str, tuple[EntryBuilder, etree._Element]] = {}  # profile ID → builder
    for party in parties:
        profile = _child(party, "Profile")
        fixed_ref = party.get("FixedRef")
        if profile is None or not fixed_ref:
            raise ListFormatError(f"{path.name} line {party.sourceline}: DistinctParty without FixedRef or Profile")
        builder = EntryBuilder(list_id, fixed_ref, _entity_type(profile, refs))
        for identity in _children(profile, "Identity"):
            _names(builder, identity, refs)
            for doc in documents.pop(identity.get("ID", ""), []):
                _apply_document(builder, doc, refs)
        for feature in _children(profile, "Feature"):
            _feature(builder, feature, refs, locations)
        comment = _child(party, "Comment")
        if comment is not None and clean(comment.text):
            apply_remarks(builder, clean(comment.text) or "")
            builder.add_note("Comment", comment.text)
        builders[profile.get("ID", "")] = (builder, party)
    if documents:
        warnings.append(f"{sum(map(len, documents.values()))} IDRegDocuments refer to no identity in the file; skipped")

    rel_holder = _child(root, "ProfileRelationships")
    orphan_relations = 0
    for rel in _children(rel_holder, "ProfileRelationship") if rel_holder is not None else []:
        source = builders.get(rel.get("From-ProfileID", ""))
        if source is None:
            orphan_relations += 1
            continue
        label = refs.text("RelationType", rel.get("RelationTypeID")) or "related to"
        target = builders.get(rel.get("To-ProfileID", ""))
        target_name = None
        if target is not None and target[0].names:
            target_name = target[0].names[0].value
        notes = [label]
        quality = refs.text("RelationQuality", rel.get("RelationQualityID"))
        if quality and quality.lower() != "unknown":
            notes.append(f"quality: {quality}")
        if rel.get("Former") == "true":
            notes.append("former")
        source[0].add_relation(
            Relation(
                kind=_RELATIONS.get(label.lower(), "_".join(label.lower().split())),
                target_name=target_name,
                target_id=target[0].entity_id if target else rel.get("To-ProfileID"),
                note="; ".join(notes),
            )
        )
    if orphan_relations:
        warnings.append(f"{orphan_relations} ProfileRelationships start from a profile not in the file; skipped")

    entries: list[ListEntry] = []
    for profile_id, (builder, party) in builders.items():
        entry_sanctions = sanctions.pop(profile_id, [])
        lists: list[str] = []
        listed: list[date] = []
        for sanction in entry_sanctions:
            for program in sanction.programs:
                builder.add_program(program)
            for note in sanction.notes:
                if note not in builder.notes:
                    builder.notes.append(note)
            if sanction.list_name and sanction.list_name not in lists:
                lists.append(sanction.list_name)
            if sanction.listed_on:
                listed.append(sanction.listed_on)
        raw = etree.tostring(party, encoding="unicode", with_tail=False) + "".join(s.raw for s in entry_sanctions)
        entries.append(
            builder.build(
                remarks=None, listed_on=min(listed) if listed else None, source_list="; ".join(lists) or None, raw=raw
            )
        )
    if sanctions:
        warnings.append(f"{len(sanctions)} SanctionsEntries refer to no DistinctParty in the file; skipped")
    require_entries(len(entries), [path.name], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=_published(root), warnings=warnings)
