"""`ofsi-csv`: the OFSI Consolidated List (ConList.csv, 36 columns, one row per name, grouped by `Group ID`).

The official file starts with `Last Updated,DD/MM/YYYY` (→ `published`) before the header row; a file without that
line is accepted too. OFSI repeats each name once per date of birth (and per other multi-valued cell), so a group is
the union of its rows with repeats removed. Multi-valued cells use "(1) X (2) Y". `Other Information` carries tagged
facts — `(UK Sanctions List Ref):RUS0001`, `(UN Ref):…`, `(Gender):Male`, `(IMO number):…`, `(Business Reg No):…` —
which become identifiers and the gender. OFSI retired ConList on 28 Jan 2026 (the FCDO list, `uk-csv`/`uk-xml`,
replaced it); this parser serves older snapshots and their history.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from service.core.model import ListEntry, NameKind, ParsedList, Relation
from service.lists.common import clean, csv_rows, parse_date, read_text, require_entries
from service.lists.uk_csv import (
    UKEntryBuilder,
    add_documents,
    find_header,
    group_rows,
    imo_number,
    name_parts,
    split_numbered,
    uk_dob,
    uk_entity_type,
    uk_name_kind,
)

FORMAT = "ofsi-csv"
_REQUIRED = ("Name 6", "Group ID", "Alias Type", "Group Type")

# Tags OFSI embeds in "Other Information" as "(Tag):value"; anything else stays free text.
_TAGS = (
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Email address",
    "Type of entity",
    "Website",
    "Parent company",
    "Business Reg No",
    "Subsidiaries",
    "IMO number",
    "Flag of ship",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
    "Current owners",
    "Fax",
    "Previous flags",
    "Tel",
)
_TAG_RE = re.compile(r"\((" + "|".join(re.escape(t) for t in _TAGS) + r")\):", re.IGNORECASE)


def other_information_tags(text: str | None) -> tuple[str | None, list[tuple[str, str]]]:
    """Split `Other Information` into its leading free text and its `(Tag):value` pairs."""
    body = clean(text)
    if not body:
        return None, []
    pieces = _TAG_RE.split(body)
    free = clean(pieces[0])
    tags: list[tuple[str, str]] = []
    for i in range(1, len(pieces) - 1, 2):
        value = clean(pieces[i + 1])
        if value:
            tags.append(
                (
                    pieces[i].lower(),
                    value.rstrip(".").strip() if pieces[i].lower() != "uk statement of reasons" else value,
                )
            )
    return free, tags


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse OFSI ConList CSV into one entry per Group ID."""
    entries: list[ListEntry] = []
    warnings: list[str] = []
    published: date | None = None
    for path in paths:
        rows = list(csv_rows(read_text(path)))
        header_at = find_header(rows, _REQUIRED, FORMAT, path)
        for pre in rows[:header_at]:
            cells = [c.strip() for c in pre if c.strip()]
            if cells and cells[0].lower().startswith("last updated"):
                # "Last Updated,10/04/2025" (two cells) or "Last Updated 10/04/2025" (one cell, xlsx header).
                published = parse_date(cells[1] if len(cells) > 1 else cells[0][len("last updated") :]) or published
        builders = group_rows(rows, header_at, path, FORMAT, list_id, "Group ID", _add_row)
        for builder in builders.values():
            if not any(n.kind is NameKind.PRIMARY for n in builder.names.values()):
                warnings.append(f"{path.name}: group {builder.entity_id} has no primary name; first alias used")
            entries.append(builder.build(FORMAT))
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)


_NAME_COLUMNS = frozenset(
    [f"Name {i}" for i in range(1, 7)]
    + ["Alias Type", "Alias Quality", "Name Non-Latin Script", "Non-Latin Script Type", "Non-Latin Script Language"]
)


def _add_row(b: UKEntryBuilder, rec: dict[str, str]) -> None:
    """Merge one ConList row into its group."""
    b.raw.append({k: v for k, v in rec.items() if v.strip()})
    g = rec.get
    kind = uk_name_kind(g("Alias Type"), g("Alias Quality"))
    full, parts = name_parts([g(f"Name {i}") for i in range(1, 6)], g("Name 6"))
    b.add_name(full, kind, parts)
    # The non-Latin spelling sits on the row of the name it transliterates; as a different script it is an alias.
    nonlatin_kind = NameKind.WEAK_ALIAS if kind is NameKind.WEAK_ALIAS else NameKind.ALIAS
    b.add_name(g("Name Non-Latin Script"), nonlatin_kind, lang=clean(g("Non-Latin Script Language")))
    if not b.first_time(rec, _NAME_COLUMNS):
        return
    b.add_type(uk_entity_type(g("Group Type")))
    b.add_program(g("Regime"))
    b.add_listed(g("Listed On"))
    for dob in split_numbered(g("DOB")):
        b.add_dob(uk_dob(dob))
    for nat in split_numbered(g("Nationality")):
        b.add_nationality(nat)
    towns = split_numbered(g("Town of Birth"))
    countries = split_numbered(g("Country of Birth"))
    if len(towns) > 1 and len(countries) == 1:
        # "(1) Baghlan Jadid District (2) Pul-e-Khumri" with one country: both towns are in it.
        countries = countries * len(towns)
    for i in range(max(len(towns), len(countries))):
        b.add_pob(towns[i] if i < len(towns) else None, countries[i] if i < len(countries) else None)
    b.add_address([g(f"Address {i}") for i in range(1, 7)], g("Post/Zip Code"), g("Country"))
    add_documents(b, "passport", g("Passport Number"), g("Passport Details"))
    add_documents(b, "national_id", g("National Identification Number"), g("National Identification Details"))
    title = clean(g("Title"))
    if title:
        b.add_remark(title, "Title")
    b.add_remark(g("Position"), "Position")
    free, tags = other_information_tags(g("Other Information"))
    b.add_remark(free)
    for tag, value in tags:
        _add_tag(b, tag, value)


def _add_tag(b: UKEntryBuilder, tag: str, value: str) -> None:
    """Turn one `(Tag):value` fact of Other Information into the matching field."""
    if tag in ("uk sanctions list ref", "un ref"):
        # "DPR0100. Pursuant to paragraph 6 ..." — the reference is the first token, the rest is narrative.
        token, _, rest = value.partition(" ")
        label = "UK Sanctions List Ref" if tag == "uk sanctions list ref" else "UN Reference Number"
        b.add_identifier("other", token.rstrip(".,;"), label=label)
        b.add_remark(rest)
    elif tag == "gender":
        b.gender = b.gender or value.lower()
    elif tag == "imo number":
        b.add_identifier("imo", imo_number(value), label="IMO number")
    elif tag == "business reg no":
        for reg in split_numbered(value):
            b.add_identifier("registration", reg)
    elif tag in ("phone number", "tel", "fax"):
        for phone in split_numbered(value):
            b.add_identifier("phone", phone, label=tag.title() if tag == "fax" else None)
    elif tag == "email address":
        for mail in split_numbered(value):
            b.add_identifier("email", mail)
    elif tag == "website":
        for site in split_numbered(value):
            b.add_identifier("website", site)
    elif tag == "flag of ship":
        b.add_country(value)
    elif tag == "parent company":
        for parent in split_numbered(value):
            b.add_relation(Relation(kind="owned_by", target_name=parent, note="parent company"))
    elif tag == "subsidiaries":
        for sub in split_numbered(value):
            b.add_relation(Relation(kind="owner_of", target_name=sub, note="subsidiary"))
    elif tag == "current owners":
        for owner in split_numbered(value):
            b.add_relation(Relation(kind="owned_by", target_name=owner, note="current owner/operator"))
    elif tag == "uk statement of reasons":
        b.add_remark(value, "UK Statement of Reasons")
    else:
        b.add_remark(value, tag.capitalize())
