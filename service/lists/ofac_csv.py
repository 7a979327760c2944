"""OFAC legacy CSV set (`ofac-csv`): SDN.CSV/ADD.CSV/ALT.CSV/SDN_COMMENTS.CSV or the CONS_* non-SDN set.

The files have no header; `ent_num` joins them and `-0-` (usually `-0- `) means empty. Most of what an entry carries
(DOB, POB, nationality, documents, weak a.k.a.s, links) is packed into the free-text Remarks column as `; `-separated
segments, so this module also holds the OFAC label vocabulary (`EntryBuilder`, `classify_label`) that the SDN XML and
Advanced XML parsers reuse: the same OFAC feature gives the same normalised field whatever the export format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

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
    Relation,
)
from service.lists.common import clean, csv_rows, decode, parse_partial_date, read_bytes, require_entries

FORMAT = "ofac-csv"

# ---------------------------------------------------------------------------------------------------------------------
# OFAC label vocabulary, shared by the three OFAC parsers.
# ---------------------------------------------------------------------------------------------------------------------

# Field kinds that are not identifiers. Everything else a label maps to is an IDENTIFIER_TYPES value.
DOB, POB, NATIONALITY, CITIZENSHIP, GENDER = "dob", "pob", "nationality", "citizenship", "gender"
LINKED_TO, OPERATOR, OWNER, COUNTRY_LINK, TITLE, LOCATION, INFO = (
    "linked_to",
    "operator",
    "owner",
    "country_link",
    "title",
    "location",
    "info",
)

# Exact OFAC labels (lower case, trailing ':'/'-' removed): idType values of SDN.XML, IDRegDocType and FeatureType
# values of SDN_ADVANCED.XML, and the Remarks prefixes of the legacy CSV (the three are generated from one database).
_LABELS: dict[str, str] = {
    # personal data
    "dob": DOB,
    "birthdate": DOB,
    "pob": POB,
    "place of birth": POB,
    "nationality": NATIONALITY,
    "nationality country": NATIONALITY,
    "citizen": CITIZENSHIP,
    "citizenship country": CITIZENSHIP,
    "gender": GENDER,
    "title": TITLE,
    "location": LOCATION,
    # links to other parties
    "linked to": LINKED_TO,
    "aircraft operator": OPERATOR,
    "vessel owner": OWNER,
    # country links of vessels/companies
    "vessel flag": COUNTRY_LINK,
    "former vessel flag": COUNTRY_LINK,
    "other vessel flag": COUNTRY_LINK,
    "nationality of registration": COUNTRY_LINK,
    "registration country": COUNTRY_LINK,
    # passports and travel documents
    "passport": "passport",
    "diplomatic passport": "passport",
    "british national overseas passport": "passport",
    "stateless person passport": "passport",
    "travel document number": "passport",
    # personal identity numbers
    "national id no.": "national_id",
    "cedula no.": "national_id",
    "d.n.i.": "national_id",
    "ssn": "national_id",
    "c.u.r.p.": "national_id",
    "personal id card": "national_id",
    "identification number": "national_id",
    "kenyan id no.": "national_id",
    "bosnian personal id no.": "national_id",
    "moroccan personal id no.": "national_id",
    "c.i.n.": "national_id",
    "c.u.i.": "national_id",
    "c.u.i.p.": "national_id",
    "n.i.e.": "national_id",
    "credencial electoral": "national_id",
    "electoral registry no.": "national_id",
    "i.f.e.": "national_id",
    "federal id card": "national_id",
    "turkish identification number": "national_id",
    "cnp (personal numerical code)": "national_id",
    "numero de identidad": "national_id",
    "tarjeta de identidad": "national_id",
    "tazkira national id card": "national_id",
    "citizen's card number": "national_id",
    "uae identification": "national_id",
    "birth certificate number": "national_id",
    "residency number": "national_id",
    "refugee id card": "national_id",
    "stateless person id card": "national_id",
    "national foreign id number": "national_id",
    "romanian permanent resident": "national_id",
    "immigration no.": "national_id",
    "public security and immigration no.": "national_id",
    # tax numbers
    "tax id no.": "tax",
    "v.a.t. number": "tax",
    "rfc": "tax",
    "r.f.c.": "tax",
    "nit #": "tax",
    "us fein": "tax",
    "ruc #": "tax",
    "c.u.i.t.": "tax",
    "c.i.f.": "tax",
    "n.i.f.": "tax",
    "italian fiscal code": "tax",
    "fiscal code": "tax",
    "paraguayan tax identification number": "tax",
    "romanian tax registration": "tax",
    "numero unico de identificacao tributaria (nuit)": "tax",
    "rtn": "tax",
    "rif #": "tax",
    # company / registry numbers
    "registration number": "registration",
    "registration id": "registration",
    "company number": "registration",
    "uk company number": "registration",
    "business registration number": "registration",
    "business registration document #": "registration",
    "commercial registry number": "registration",
    "certificate of incorporation number": "registration",
    "chamber of commerce number": "registration",
    "istanbul chamber of comm. no.": "registration",
    "dubai chamber of commerce membership no.": "registration",
    "trade license no.": "registration",
    "c.r. no.": "registration",
    "romanian c.r.": "registration",
    "folio mercantil no.": "registration",
    "matricula mercantil no": "registration",
    "government gazette number": "registration",
    "unified social credit code (uscc)": "registration",
    "united social credit code certificate (usccc)": "registration",
    "economic register number (cbls)": "registration",
    "enterprise number": "registration",
    "organization code": "registration",
    "business number": "registration",
    "branch unit number": "registration",
    "registered charity no.": "registration",
    "public registration number": "registration",
    "central registration system number": "registration",
    "le number": "registration",
    "d-u-n-s number": "registration",
    "license": "registration",
    "tourism license no.": "registration",
    "msb registration number": "registration",
    "entity code": "registration",
    "russian state individual business registration number pattern (ogrnip)": "registration",
    "registration certificate number (dubai)": "registration",
    "afghan money service provider license number": "registration",
    "global intermediary identification number": "registration",
    # specific identifier kinds
    "vessel registration identification": "imo",
    "mmsi": "mmsi",
    "swift/bic": "swift",
    "legal entity number": "lei",
    "aircraft manufacturer's serial number (msn)": "aircraft_serial",
    "aircraft construction number (also called l/n or s/n or f/n)": "aircraft_serial",
    "aircraft serial identification": "aircraft_serial",
    "aircraft tail number": "aircraft_tail",
    "previous aircraft tail number": "aircraft_tail",
    "vessel call sign": "call_sign",
    "other vessel call sign": "call_sign",
    "email address": "email",
    "website": "website",
    "phone number": "phone",
    "telephone": "phone",
    "fax": "phone",
    # identifiers without a normalised kind (label kept)
    "isin": "other",
    "equity ticker": "other",
    "bik (ru)": "other",
    "micex code": "other",
    "un/locode": "other",
    "aircraft mode s transponder code": "other",
    "chinese commercial code": "other",
    "seafarer's identification document": "other",
    "pilot license number": "other",
    "military registration number": "other",
    "visanumberid": "other",
    "file number": "other",
    "serial no.": "other",
    "permit number": "other",
    "sre permit no.": "other",
    "trademark number": "other",
    "driver's license no.": "other",
    "cartilla de servicio militar nacional": "other",
    # descriptive items: kept as text in remarks, nothing to normalise
    "vessel type": INFO,
    "other vessel type": INFO,
    "vessel tonnage": INFO,
    "vessel gross registered tonnage": INFO,
    "vessel year of build": INFO,
    "aircraft model": INFO,
    "aircraft manufacture date": INFO,
    "organization established date": INFO,
    "organization type": INFO,
    "target type": INFO,
    "secondary sanctions risk": INFO,
    "additional sanctions information": INFO,
    "transactions prohibited for persons owned or controlled by u.s. financial institutions": INFO,
    "executive order 13662 directive determination": INFO,
    "executive order 14024 directive information": INFO,
    "executive order 13846 information": INFO,
    "caatsa section 235 information": INFO,
    "ifca determination": INFO,
    "peesa information": INFO,
    "paipa section 2 information": INFO,
}

# Dated directive items ("Listing Date (EO 14024 Directive 2):") vary in their parenthesis; match them by prefix.
_INFO_PREFIXES = ("listing date", "effective date", "purchase/sales for divestment date")


def label_key(label: str) -> str:
    """Normalise an OFAC label for lookup: lower case, single spaces, no trailing ':' or '-'."""
    return " ".join(label.split()).lower().rstrip(" :-").strip()


def classify_label(label: str) -> str | None:
    """Decide what an OFAC label (idType / FeatureType / IDRegDocType / Remarks prefix) is; None when unknown."""
    key = label_key(label)
    if key in _LABELS:
        return _LABELS[key]
    if key.startswith("digital currency address"):
        return "crypto_wallet"
    if key.startswith(_INFO_PREFIXES):
        return INFO
    return None


_ABBREV_END = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:LTD|LTDA|INC|CO|CORP|JR|SR|BHD|PTE|PVT|CIA|NO)\.)$", re.I)


def strip_final_period(text: str) -> str:
    """Drop the sentence-final '.' OFAC adds to remarks, but not the dot of a final 'S.A.' or 'LTD.'."""
    if text.endswith(".") and not _ABBREV_END.search(text):
        return text[:-1].rstrip()
    return text


def split_person_name(value: str) -> tuple[tuple[str, str], ...]:
    """'LAST, First Middle' (OFAC's person form) → (("last", ...), ("first", ...)); () when not in that form."""
    last, sep, first = value.partition(",")
    last, first = last.strip(), first.strip()
    if not sep or not last or not first:
        return ()
    return (("last", last), ("first", first))


_NO_COUNTRY = frozenset({"none identified", "unknown", "undetermined"})


def _country(text: str | None) -> str | None:
    """ISO alpha-2 for a country name, else the name as published (so nothing is silently dropped)."""
    value = clean(text)
    if value is None or value.lower() in _NO_COUNTRY:
        return None
    return to_iso2(value) or value


_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, start=1)}
_OFAC_DATE = re.compile(r"^(?:(\d{1,2}) )?(?:([A-Za-z]{3}) )?(\d{4})$")


def parse_ofac_date(value: str | None) -> PartialDate | None:
    """OFAC's own 'DD Mon YYYY' / 'Mon YYYY' / 'YYYY' directly (fast path); anything else via parse_partial_date."""
    text = clean(value)
    if text is None:
        return None
    match = _OFAC_DATE.match(text)
    if match:
        day, month_name, year = match.groups()
        month = _MONTHS.get(month_name.lower()) if month_name else None
        if (month_name is None or month is not None) and not (day and month is None):
            try:
                return PartialDate(int(year), month, int(day) if day else None)
            except ValueError:
                return None  # impossible date such as 31 Feb: not a usable DOB
    return parse_partial_date(text)


_ID_TAIL = re.compile(r"\s+((?:issued|expires)\b.*)$", re.I)
_ID_COUNTRY = re.compile(r"\s*\(([^()]+)\)$")


@dataclass
class EntryBuilder:
    """Collects the normalised fields of one OFAC entry from any export form, de-duplicating as it goes."""

    list_id: str
    entity_id: str
    entity_type: EntityType
    names: list[Name] = field(default_factory=list)
    dates_of_birth: list[PartialDate] = field(default_factory=list)
    places_of_birth: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # descriptive items shown before the published remarks
    gender: str | None = None

    def add_name(
        self, value: str | None, kind: NameKind, *, script: str = "", parts: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Add a name once; a weak alias repeating a name already listed under any kind adds nothing."""
        text = clean(value)
        if text is None:
            return
        if any(n.value == text and (n.kind is kind or kind is NameKind.WEAK_ALIAS) for n in self.names):
            return
        if not script and text.isascii() and any(ch.isalpha() for ch in text):
            script = "Latin"  # what detect_script would say, without its per-character Unicode lookups
        self.names.append(Name(text, kind, script=script, parts=tuple(parts)))

    def add_person_or_other_name(self, value: str | None, kind: NameKind) -> None:
        """Add a name; persons get last/first parts from OFAC's 'LAST, First' form."""
        text = clean(value)
        if text is None:
            return
        parts = split_person_name(text) if self.entity_type is EntityType.PERSON else ()
        self.add_name(text, kind, parts=parts)

    def add_program(self, value: str | None) -> None:
        text = clean(value)
        if text and text not in self.programs:
            self.programs.append(text)

    def add_country(self, value: str | None) -> None:
        code = _country(value)
        if code and code not in self.countries:
            self.countries.append(code)

    def add_nationality(self, value: str | None) -> None:
        code = _country(value)
        if code and code not in self.nationalities:
            self.nationalities.append(code)

    def add_dob(self, value: PartialDate | str | None) -> None:
        parsed = parse_ofac_date(value) if isinstance(value, str) or value is None else value
        if parsed is not None and parsed not in self.dates_of_birth:
            self.dates_of_birth.append(parsed)

    def add_pob(self, value: str | None) -> None:
        text = clean(value)
        if text and text not in self.places_of_birth:
            self.places_of_birth.append(text)

    def add_address(self, address: Address) -> None:
        if address.full and address not in self.addresses:
            self.addresses.append(address)
        if address.country or address.country_name:
            self.add_country(address.country or address.country_name)

    def add_relation(self, relation: Relation) -> None:
        if (relation.target_name or relation.target_id) and relation not in self.relations:
            self.relations.append(relation)

    def add_note(self, label: str, value: str | None) -> None:
        """Keep a descriptive item (title, vessel type, sanctions information) as 'Label: value' for the remarks."""
        text = clean(value)
        if text is None:
            return
        if label.isupper() and len(label) > 4:
            label = label.capitalize()  # the advanced XML's "VESSEL TYPE" reads as the other forms' "Vessel type"
        note = f"{label}: {text}"
        if note not in self.notes:
            self.notes.append(note)

    def add_identifier(
        self,
        id_type: str,
        number: str | None,
        *,
        country: str | None = None,
        label: str | None = None,
        note: str | None = None,
    ) -> None:
        """Add a document/registry number; the country goes to ISO alpha-2 or, if unresolvable, into the note."""
        text = clean(number)
        if text is None:
            return
        if id_type != "imo" and text.upper().startswith("IMO "):
            # "Identification Number IMO 5342883" / "Company Number IMO ...": a ship-owner's IMO company number.
            id_type = "imo"
        if id_type == "imo":
            text = re.sub(r"^IMO\s*", "", text, flags=re.I)
        iso = to_iso2(country) if country else None
        if country and iso is None:
            note = "; ".join(x for x in (f"country: {country}", note) if x)
        ident = Identifier(type=id_type, number=text, country=iso, label=clean(label), note=clean(note))
        if ident not in self.identifiers:
            self.identifiers.append(ident)
        if iso and iso not in self.countries:
            self.countries.append(iso)

    def apply(self, label: str, value: str | None, *, country: str | None = None, note: str | None = None) -> None:
        """Route one labelled OFAC item to its field; an unknown label is kept as an "other" identifier."""
        kind = classify_label(label)
        text = clean(value)
        if text is None:
            return
        if kind is None:
            kind = "other"  # a document type newer than this table: still screenable by number
        if kind == DOB:
            self.add_dob(text)
        elif kind == POB:
            self.add_pob(text)
        elif kind == NATIONALITY:
            self.add_nationality(text)
        elif kind in (CITIZENSHIP, COUNTRY_LINK):
            self.add_country(text)
            if kind == COUNTRY_LINK:
                self.add_note(clean(label) or label, text)
        elif kind == GENDER:
            self.gender = text.lower()
        elif kind == LINKED_TO:
            self.add_relation(Relation(kind="linked_to", target_name=text))
        elif kind == OPERATOR:
            self.add_relation(Relation(kind="operated_by", target_name=text, note=clean(label)))
        elif kind == OWNER:
            self.add_relation(Relation(kind="owned_by", target_name=text, note=clean(label)))
        elif kind in (TITLE, INFO, LOCATION):
            self.add_note((clean(label) or label).rstrip(" :-"), text)
        else:
            self.add_identifier(kind, text, country=country, label=label, note=note)

    def build(
        self, *, remarks: str | None, listed_on: date | None = None, source_list: str | None, raw: str
    ) -> ListEntry:
        """Freeze into a ListEntry; descriptive notes (title, vessel data...) precede the published remarks."""
        text = "; ".join([*self.notes, *([remarks] if remarks else [])]) or None
        return ListEntry(
            list_id=self.list_id,
            entity_id=self.entity_id,
            entity_type=self.entity_type,
            names=tuple(self.names),
            dates_of_birth=tuple(self.dates_of_birth),
            places_of_birth=tuple(self.places_of_birth),
            nationalities=tuple(self.nationalities),
            countries=tuple(self.countries),
            addresses=tuple(self.addresses),
            identifiers=tuple(self.identifiers),
            programs=tuple(self.programs),
            listed_on=listed_on,
            remarks=text,
            source_list=source_list,
            relations=tuple(self.relations),
            gender=self.gender,
            raw=raw,
        )


# Remarks segments: "alt. " marks a second value of the same kind; the label is one of the known ones (longest first).
_ALT = re.compile(r"^alt\.\s+", re.I)
_AKA = re.compile(r"^([afn])\.k\.a\.,?\s+'(.+)'$", re.I | re.S)
_LABEL_RE = re.compile(
    r"^(?P<label>"
    + "|".join(
        re.escape(k)
        for k in sorted((k for k, v in _LABELS.items() if v not in (INFO, TITLE, LOCATION)), key=len, reverse=True)
    )
    + r"|digital currency address - \w+)(?P<sep>\s*:)?(?:\s+|$)(?P<rest>.*)$",
    re.I | re.S,
)


def split_remarks(remarks: str) -> list[str]:
    """Split OFAC remarks into their '; '-separated segments, without the sentence-final period."""
    return [seg.strip() for seg in re.split(r";\s+", strip_final_period(remarks.strip())) if seg.strip()]


def parse_id_value(rest: str) -> tuple[str, str | None, str | None]:
    """'K754050 (Egypt) issued 26 May 1999 expires 2004' → (number, country text, 'issued ... expires ...')."""
    note: str | None = None
    tail = _ID_TAIL.search(rest)
    if tail:
        note = tail.group(1).strip()
        rest = rest[: tail.start()]
    country: str | None = None
    paren = _ID_COUNTRY.search(rest)
    if paren and rest[: paren.start()].strip():
        candidate = paren.group(1).strip()
        # Digits mean a second number or a date, never a country: skip the (slow) fuzzy country lookup.
        if not any(ch.isdigit() for ch in candidate) and to_iso2(candidate):
            country = candidate
            rest = rest[: paren.start()]
    return rest.strip(), country, note


def apply_remarks(builder: EntryBuilder, remarks: str) -> list[str]:
    """Parse every structured segment of OFAC remarks into `builder`; returns the segments left as free text."""
    leftover: list[str] = []
    for segment in split_remarks(remarks):
        body = _ALT.sub("", segment)
        aka = _AKA.match(body)
        if aka:
            # A.k.a.s written only in the remarks, in single quotes, are OFAC's weak (low-quality) aliases: the strong
            # ones are the ALT.CSV rows. A weak f.k.a./n.k.a. stays weak: weakness is what matters for scoring.
            name = aka.group(2)
            if len(name) > 2 and name.startswith("'") and name.endswith("'"):
                name = name[1:-1]  # a nickname quoted twice: a.k.a. ''FOOPIE''
            builder.add_person_or_other_name(name, NameKind.WEAK_ALIAS)
            continue
        if re.match(r"^[afn]\.k\.a\.", body, re.I):
            leftover.append(segment)  # quote never closed: remarks cut at 1000 chars without their comments row
            continue
        match = _LABEL_RE.match(body)
        if not match or not match.group("rest").strip():
            leftover.append(segment)
            continue
        label, rest = match.group("label"), match.group("rest").strip()
        kind = classify_label(label)
        if kind in (DOB, POB, NATIONALITY, CITIZENSHIP, GENDER, LINKED_TO, OPERATOR, OWNER, COUNTRY_LINK):
            # Notes for these would repeat the remarks text: store the field only.
            if kind == COUNTRY_LINK:
                builder.add_country(rest)
            else:
                builder.apply(label, rest)
            continue
        number, country, note = parse_id_value(rest)
        builder.apply(label, number, country=country, note=note)
    return leftover


# ---------------------------------------------------------------------------------------------------------------------
# The CSV file set.
# ---------------------------------------------------------------------------------------------------------------------

_ROLES = {
    "sdn.csv": ("sdn", "primary"),
    "add.csv": ("sdn", "add"),
    "alt.csv": ("sdn", "alt"),
    "sdn_comments.csv": ("sdn", "comments"),
    "cons_prim.csv": ("cons", "primary"),
    "cons_add.csv": ("cons", "add"),
    "cons_alt.csv": ("cons", "alt"),
    "cons_comments.csv": ("cons", "comments"),
}
_COLUMNS = {"primary": 12, "add": 6, "alt": 5, "comments": 2}
_TYPES = {
    "individual": EntityType.PERSON,
    "vessel": EntityType.VESSEL,
    "aircraft": EntityType.AIRCRAFT,
    None: EntityType.ORGANIZATION,  # SDN_Type -0- = entity
}
_ALT_KINDS = {"aka": NameKind.ALIAS, "fka": NameKind.FORMER, "nka": NameKind.ALIAS}
_REMARKS_LIMIT = 1000  # OFAC cuts Remarks at 1000 characters and continues them in SDN_COMMENTS.CSV


def _role(path: Path) -> tuple[str, str] | None:
    return _ROLES.get(path.name.lower())


def resolve_files(paths: Sequence[Path]) -> dict[str, Path]:
    """Decide which file plays which part (primary/add/alt/comments) from folders, a primary file or explicit files."""
    explicit: dict[str, Path] = {}
    set_names: set[str] = set()
    folders: list[Path] = []
    for path in paths:
        if path.is_dir():
            folders.append(path)
            continue
        role = _role(path)
        if role is None:
            if len(paths) == 1:
                role = ("sdn", "primary")  # a renamed single primary file (e.g. a dated download)
            else:
                raise ListFormatError(
                    f"{FORMAT}: cannot tell what {path.name} is; expected sdn.csv, add.csv, alt.csv, sdn_comments.csv "
                    "or cons_prim.csv, cons_add.csv, cons_alt.csv, cons_comments.csv",
                    field="path",
                )
        set_names.add(role[0])
        if role[1] in explicit:
            raise ListFormatError(f"{FORMAT}: two {role[1]} files given ({explicit[role[1]].name}, {path.name})")
        explicit[role[1]] = path
    # Siblings of an explicit primary file, then the contents of any folder, fill the parts not given explicitly.
    search_dirs = [explicit["primary"].parent] if "primary" in explicit else []
    search_dirs += folders
    found: dict[str, dict[str, Path]] = {}
    for folder in search_dirs:
        if not folder.exists():
            raise ListFormatError(f"{FORMAT}: folder not found: {folder}", field="path")
        for child in sorted(folder.iterdir()):
            role = _role(child)
            if role and child.is_file():
                found.setdefault(role[0], {}).setdefault(role[1], child)
    wanted = set_names or {name for name, parts in found.items() if "primary" in parts} or set(found)
    if len(wanted) > 1:
        raise ListFormatError(
            f"{FORMAT}: both the SDN set (sdn.csv) and the consolidated set (cons_prim.csv) were given; import them "
            "as two lists",
            field="path",
        )
    files = dict(found.get(next(iter(wanted)), {})) if wanted else {}
    files.update(explicit)
    if "primary" not in files:
        given = ", ".join(str(p) for p in paths) or "(nothing)"
        raise ListFormatError(
            f"{FORMAT}: no primary file (sdn.csv or cons_prim.csv) in {given}; add/alt files alone cannot be imported",
            field="path",
        )
    return files


def read_rows(path: Path, part: str) -> list[list[str]]:
    """Read one legacy CSV file strictly: every row has the part's column count and a numeric ent_num."""
    text = decode(read_bytes(path), path)
    # OFAC files end with CRLF and a DOS end-of-file mark (Ctrl-Z); anything else at the end is a cut download.
    text = text.rstrip("\x1a")
    if not text.endswith(("\n", "\r")):
        raise ListFormatError(f"{path.name} ends in the middle of a line; the file is truncated", field="path")
    expected = _COLUMNS[part]
    rows: list[list[str]] = []
    try:
        for line, row in enumerate(csv_rows(text), start=1):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != expected:
                raise ListFormatError(
                    f"{path.name} row {line}: {len(row)} columns where {expected} are expected; the file is "
                    "truncated or not an OFAC legacy CSV",
                    field="path",
                )
            if not row[0].strip().isdigit():
                raise ListFormatError(
                    f"{path.name} row {line}: ent_num {row[0][:20]!r} is not a number; not an OFAC legacy CSV",
                    field="path",
                )
            rows.append(row)
    except Exception as exc:  # csv.Error on an unterminated quote at end of data
        if isinstance(exc, ListFormatError):
            raise
        raise ListFormatError(f"{path.name} is not valid CSV ({exc}); the file may be truncated", field="path") from exc
    if not rows:
        raise ListFormatError(f"{path.name} has no data rows", field="path")
    return rows


def _split_programs(value: str | None) -> list[str]:
    text = clean(value)
    if text is None:
        return []
    # Several programs share the field as "SDGT] [IRGC" (the brackets of the first and last are implied).
    return [p.strip(" []") for p in text.split("] [") if p.strip(" []")]


def _address(row: list[str]) -> Address:
    street, city, country, remarks = clean(row[2]), clean(row[3]), clean(row[4]), clean(row[5])
    full = ", ".join(x for x in (street, city, country) if x)
    if remarks:
        full = f"{full} ({remarks})" if full else remarks
    # The legacy form packs city, state and postal code into one column; it is kept whole as `city`.
    return Address(
        full=full, street=street, city=city, country=to_iso2(country) if country else None, country_name=country
    )


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse an OFAC legacy CSV set (SDN or consolidated non-SDN) into entries joined on ent_num."""
    files = resolve_files(paths)
    primary = read_rows(files["primary"], "primary")
    is_cons = files["primary"].name.lower().startswith("cons")
    source_list = "CONSOLIDATED" if is_cons else "SDN"
    extra: dict[str, dict[str, list[list[str]]]] = {"add": {}, "alt": {}, "comments": {}}
    for part in extra:
        if part in files:
            for row in read_rows(files[part], part):
                extra[part].setdefault(row[0].strip(), []).append(row)

    warnings: list[str] = []
    ent_nums: set[str] = set()
    duplicates = 0
    entries: list[ListEntry] = []
    truncated_remarks = 0
    for row in primary:
        ent = row[0].strip()
        if ent in ent_nums:
            duplicates += 1
            continue
        ent_nums.add(ent)
        entries.append(_entry(row, list_id, source_list, extra))
        if len(row[11]) >= _REMARKS_LIMIT and ent not in extra["comments"]:
            truncated_remarks += 1
    if duplicates:
        warnings.append(f"{files['primary'].name}: {duplicates} repeated ent_num rows skipped (first row kept)")
    for part, by_ent in extra.items():
        orphans = sum(len(rows) for ent, rows in by_ent.items() if ent not in ent_nums)
        if orphans:
            warnings.append(
                f"{files[part].name}: {orphans} rows skipped whose ent_num is not in {files['primary'].name}"
            )
    if truncated_remarks:
        warnings.append(
            f"{truncated_remarks} entries have remarks cut at {_REMARKS_LIMIT} characters and no comments file row; "
            "their remarks are incomplete"
        )
    require_entries(len(entries), [p.name for p in files.values()], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=None, warnings=warnings)


def _entry(row: list[str], list_id: str, source_list: str, extra: dict[str, dict[str, list[list[str]]]]) -> ListEntry:
    ent = row[0].strip()
    sdn_type = clean(row[2])
    builder = EntryBuilder(list_id, ent, _TYPES.get(sdn_type.lower() if sdn_type else None, EntityType.UNKNOWN))
    builder.add_person_or_other_name(row[1], NameKind.PRIMARY)
    alt_rows = extra["alt"].get(ent, [])
    for alt in alt_rows:
        alt_type = (clean(alt[2]) or "aka").lower()
        builder.add_person_or_other_name(alt[3], _ALT_KINDS.get(alt_type, NameKind.ALIAS))
    for program in _split_programs(row[3]):
        builder.add_program(program)
    builder.apply("Title", row[4])
    if builder.entity_type is EntityType.VESSEL or any(clean(v) for v in row[5:11]):
        builder.apply("Vessel Call Sign", row[5])
        builder.apply("Vessel Type", row[6])
        builder.apply("Vessel Tonnage", row[7])
        builder.apply("Vessel Gross Registered Tonnage", row[8])
        builder.apply("Vessel Flag", row[9])
        builder.apply("Vessel Owner", row[10])
    add_rows = extra["add"].get(ent, [])
    for add in add_rows:
        builder.add_address(_address(add))
    comment_rows = extra["comments"].get(ent, [])
    # SDN_COMMENTS.CSV continues the cut Remarks mid-word: concatenate without a separator.
    remarks = ("" if clean(row[11]) is None else row[11]) + "".join(c[1] for c in comment_rows)
    remarks_text = clean(remarks)
    if remarks_text:
        apply_remarks(builder, remarks_text)
    raw = json.dumps(
        {"sdn": row, "add": add_rows, "alt": alt_rows, "comments": comment_rows},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return builder.build(remarks=remarks_text, source_list=source_list, raw=raw)
