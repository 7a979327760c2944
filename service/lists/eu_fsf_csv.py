"""Parser for the EU Financial Sanctions Files CSV `csvFullSanctionsList_1_1` (format `eu-fsf-csv`).

`;`-delimited, UTF-8 (often with a BOM), 118 columns (header documented in shared/data/samples/README.md). Each row
repeats the entity columns (`Entity_*`) and carries at most one name alias, address, birth date, identification and
citizenship; rows are grouped by `Entity_LogicalId` into one ListEntry. Sub-records repeat across rows (one row per
combination), so they are de-duplicated by their own `*_LogicalId` (or, lacking one, by their full content).

Each column is mapped back to the XML attribute name (NameAlias_LastName → lastName, BirthDate_Day → dayOfMonth,
Identification_TypeCode → identificationTypeCode...) and the entry is built by the XML parser's `build_entry`, so the
CSV and XML forms of the same export give the same entries (tests check this on the EU sample).

Differences from the XML that the CSV layout forces (documented, not guessed away):
- There is no `strong` column, so weak aliases are recognised only from a "low quality alias" remark.
- `Address_ContactInfo` is one flattened cell; it is split on WEB/PHONE/EMAIL/FAX key markers (no real sample
  with data rows was available to confirm the exact separator, so the split is tolerant).
- `raw` is the entity's rows re-serialised as `;`-CSV (header order), since there is no single source element.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from service.core.errors import ListFormatError
from service.core.model import ListEntry, ParsedList
from service.lists.common import clean, parse_date, read_text, require_entries
from service.lists.eu_fsf_xml import EuEntity, build_entry, parse_contact_info

FORMAT = "eu-fsf-csv"
REQUIRED_COLUMNS = ("Entity_LogicalId", "Entity_SubjectType", "NameAlias_WholeName")

# Column suffixes whose XML attribute name is not simply the lower-camel-cased suffix.
_SPECIAL = {
    ("BirthDate", "BirthDate"): "birthdate",
    ("BirthDate", "Day"): "dayOfMonth",
    ("BirthDate", "Month"): "monthOfYear",
    ("Identification", "IssuedDate"): "issueDate",
    ("Identification", "TypeCode"): "identificationTypeCode",
    ("Identification", "TypeDescription"): "identificationTypeDescription",
}
_SUB_RECORDS = ("NameAlias", "Address", "BirthDate", "Identification", "Citizenship")


def _attr_name(prefix: str, suffix: str) -> str:
    return _SPECIAL.get((prefix, suffix)) or suffix[:1].lower() + suffix[1:]


def _column_plan(header: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Sub-record prefix → [(column index, XML attribute name)], skipping the per-record regulation columns."""
    plan: dict[str, list[tuple[int, str]]] = {p: [] for p in _SUB_RECORDS}
    for index, column in enumerate(header):
        prefix, _, suffix = column.partition("_")
        if prefix in plan and not suffix.startswith("Regulation_"):
            plan[prefix].append((index, _attr_name(prefix, suffix)))
    return plan


class _Group:
    """Rows of one Entity_LogicalId being folded into an EuEntity."""

    def __init__(self, logical_id: str) -> None:
        self.entity = EuEntity(logical_id=logical_id)
        self.rows: list[list[str]] = []
        self.seen: dict[str, set[str]] = {p: set() for p in _SUB_RECORDS}

    def add_sub_record(self, prefix: str, attrs: dict[str, str]) -> None:
        key = attrs.get("logicalId") or "\x1f".join(f"{k}={v}" for k, v in sorted(attrs.items()))
        if key in self.seen[prefix]:
            return
        self.seen[prefix].add(key)
        if prefix == "NameAlias":
            self.entity.name_aliases.append(attrs)
        elif prefix == "BirthDate":
            self.entity.birthdates.append(attrs)
        elif prefix == "Identification":
            self.entity.identifications.append(attrs)
        elif prefix == "Citizenship":
            self.entity.citizenships.append(attrs)
        elif prefix == "Address":
            contact = attrs.pop("contactInfo", "")
            self.entity.addresses.append(attrs)
            self.entity.contacts.append(parse_contact_info(contact))


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ListFormatError(f"{path.name}: malformed CSV ({exc}); the file may be truncated") from exc
    if not rows:
        raise ListFormatError(f"{path.name}: no header row", field="path")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ListFormatError(
            f"{path.name}: not an EU FSF CSV (missing column(s) {', '.join(missing)}; is the delimiter ';'?)"
        )
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ListFormatError(
                f"{path.name}: record {number} has {len(row)} fields, expected {len(header)}; the file may be truncated"
            )
    return header, rows[1:]


def _cell(row: list[str], col: dict[str, int], name: str) -> str:
    index = col.get(name)
    return row[index].strip() if index is not None else ""


def _is_sub_record(attrs: dict[str, str]) -> bool:
    """A row carries a sub-record when it has the record's logical id or a real value (not only true/false flags)."""
    if attrs.get("logicalId"):
        return True
    return any(
        k not in ("regulationLanguage", "calendarType") and v.lower() not in ("true", "false") for k, v in attrs.items()
    )


def parse(paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse EU FSF `csvFullSanctionsList_1_1` file(s): rows grouped by Entity_LogicalId, one ListEntry each."""
    groups: dict[str, _Group] = {}
    warnings: list[str] = []
    published: date | None = None
    header: list[str] = []
    for path in paths:
        header, rows = _read_rows(path)
        col = {name: i for i, name in enumerate(header)}
        plan = _column_plan(header)

        for row in rows:
            generated = parse_date(_cell(row, col, "fileGenerationDate"))
            if generated and (published is None or generated > published):
                published = generated
            logical_id = _cell(row, col, "Entity_LogicalId")
            if not logical_id:
                warnings.append(f"{path.name}: row without Entity_LogicalId skipped")
                continue
            group = groups.get(logical_id)
            if group is None:
                group = groups[logical_id] = _Group(logical_id)
                entity = group.entity
                entity.attrs = {
                    "logicalId": logical_id,
                    "euReferenceNumber": _cell(row, col, "Entity_EU_ReferenceNumber"),
                    "unitedNationId": _cell(row, col, "Entity_UnitedNationId"),
                    "designationDate": _cell(row, col, "Entity_DesignationDate"),
                    "designationDetails": _cell(row, col, "Entity_DesignationDetails"),
                }
                entity.subject_type = _cell(row, col, "Entity_SubjectType")
            group.rows.append(row)
            entity = group.entity
            remark = _cell(row, col, "Entity_Remark")
            if remark and remark not in entity.remarks:
                entity.remarks.append(remark)
            programme = _cell(row, col, "Entity_Regulation_Programme")
            if programme and programme not in entity.programmes:
                entity.programmes.append(programme)
            for prefix, columns in plan.items():
                attrs = {attr: row[i].strip() for i, attr in columns if clean(row[i])}
                if _is_sub_record(attrs):
                    group.add_sub_record(prefix, attrs)

    entries: list[ListEntry] = []
    for group in groups.values():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(group.rows)
        entry = build_entry(group.entity, list_id, buffer.getvalue(), warnings)
        if entry is not None:
            entries.append(entry)
    require_entries(len(entries), [p.name for p in paths], FORMAT)
    return ParsedList(format=FORMAT, entries=entries, published=published, warnings=warnings)
