"""Dated rule tables loaded from TOML data files (service/data/rules/*.toml) into one versioned `RuleSet`.

A file is one table: top-level `id`, `kind`, `version`, `title`, `source`, optional `valid_from` / `valid_to`, and
`rows` (each row may carry its own `valid_from` / `valid_to`, narrowing the table's). Kinds: goods, embargo,
transshipment, partners, eu_members, milestones, catalogue, activity, nomenclature. Several files may share a kind
(e.g. more goods tables); their rows are merged, each keeping its table's id and version for citation.
Loading validates every row and fails with the file and row number; the rule set's version is a hash of the content.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from service.core.errors import ScreeningError
from service.core.shipment import Finding, FindingKind, Severity, ShipmentParty, check_country, check_region


class RuleTableError(ScreeningError):
    """A rule table file is malformed; the message names the file and row. Fix the file; nothing was loaded."""

    code = "rule_table_invalid"
    status = 500


KINDS = frozenset(
    {
        "goods",
        "embargo",
        "transshipment",
        "partners",
        "eu_members",
        "milestones",
        "catalogue",
        "activity",
        "nomenclature",
    }
)
# Tables every screen needs; a missing one is a deployment error, not an empty list.
REQUIRED_TABLE_KINDS = frozenset({"catalogue", "embargo", "transshipment", "partners", "eu_members", "milestones"})


@dataclass(frozen=True, slots=True)
class Validity:
    valid_from: date | None = None
    valid_to: date | None = None  # inclusive: the last day the row applies

    def covers(self, on: date) -> bool:
        """True when the row applies on `on`."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_to is not None and on > self.valid_to)


@dataclass(frozen=True, slots=True)
class TableRef:
    """What a finding cites: the table id, its version and its source."""

    id: str
    version: str
    source: str


@dataclass(frozen=True, slots=True)
class GoodsRow:
    table: TableRef
    code: str  # HS prefix, 2 to 10 digits
    category: str  # tier for the CHPL, annex category for others
    description: str
    controlled: bool
    validity: Validity


@dataclass(frozen=True, slots=True)
class PlaceRow:
    table: TableRef
    place: str  # ISO 3166-1 alpha-2 or ISO 3166-2
    name: str
    scope: str  # "comprehensive" | "goods"
    basis: str
    severity_without_controlled_goods: Severity
    validity: Validity


@dataclass(frozen=True, slots=True)
class CountryRow:
    table: TableRef
    country: str
    name: str
    validity: Validity


@dataclass(frozen=True, slots=True)
class RuleDef:
    table: TableRef
    rule_id: str
    version: str
    severity: Severity
    title: str
    source: str
    validity: Validity


@dataclass(frozen=True, slots=True)
class ActivityHint:
    table: TableRef
    activity: str
    description: str
    nace: tuple[str, ...]
    keywords: tuple[str, ...]
    hs_prefixes: tuple[str, ...]

    def matches(self, registered: str) -> bool:
        """True when a registered activity text/code falls under this hint (NACE prefix or keyword)."""
        text = registered.strip().lower()
        code = text.split(" ", 1)[0]
        if any(code.startswith(n) for n in self.nace):
            return True
        return any(k in text for k in self.keywords)

    def allows(self, hs_digits: str) -> bool:
        """True when goods with this code are plausible for the activity."""
        return any(hs_digits.startswith(p) for p in self.hs_prefixes)


@dataclass(frozen=True, slots=True)
class RuleTable:
    ref: TableRef
    kind: str
    title: str
    path: str
    validity: Validity
    rows: tuple[Any, ...]


@dataclass(frozen=True)
class RuleSet:
    """Every loaded table plus a content hash; results cite `version` and the per-table versions."""

    tables: Mapping[str, RuleTable]
    content_hash: str
    _goods_index: Mapping[str, tuple[GoodsRow, ...]] = field(repr=False)
    _goods_prefix_lengths: tuple[int, ...] = field(repr=False)

    @property
    def version(self) -> str:
        return f"rules-{self.content_hash[:12]}"

    @property
    def table_versions(self) -> Mapping[str, str]:
        return MappingProxyType({t.ref.id: t.ref.version for t in self.tables.values()})

    def rows(self, kind: str) -> tuple[Any, ...]:
        """All rows of all tables of `kind`, in file-name order."""
        out: list[Any] = []
        for table in self.tables.values():
            if table.kind == kind:
                out.extend(table.rows)
        return tuple(out)

    def rule(self, rule_id: str) -> RuleDef:
        """The catalogue entry for `rule_id`; a KeyError means code and catalogue disagree (a bug)."""
        for row in self.rows("catalogue"):
            if row.rule_id == rule_id:
                assert isinstance(row, RuleDef)
                return row
        raise KeyError(f"rule {rule_id!r} is not in the rule catalogue")

    def rule_active(self, rule_id: str, on: date) -> bool:
        """True when the rule is in force on `on` per the catalogue."""
        return self.rule(rule_id).validity.covers(on)

    def goods_rows(self, hs_digits: str, on: date) -> tuple[GoodsRow, ...]:
        """Goods-table rows whose HS prefix matches the code and which apply on `on`."""
        found: list[GoodsRow] = []
        for n in self._goods_prefix_lengths:
            if n > len(hs_digits):
                break
            for row in self._goods_index.get(hs_digits[:n], ()):
                if row.validity.covers(on):
                    found.append(row)
        return tuple(found)

    def countries(self, kind: str, on: date) -> dict[str, CountryRow]:
        """Country rows of `kind` (transshipment, partners, eu_members) in force on `on`, by ISO2."""
        return {r.country: r for r in self.rows(kind) if r.validity.covers(on)}

    def embargoes(self, on: date) -> dict[str, PlaceRow]:
        """Embargo rows in force on `on`, by country or region code."""
        return {r.place: r for r in self.rows("embargo") if r.validity.covers(on)}

    def milestone(self, key: str) -> date:
        """A named date from the milestones table."""
        for row in self.rows("milestones"):
            if row[0] == key:
                value: date = row[1]
                return value
        raise KeyError(f"milestone {key!r} is not in the milestones table")

    def chapters(self) -> frozenset[str]:
        """HS chapters known to the nomenclature tables (empty: no structural check)."""
        return frozenset(c for t in self.tables.values() if t.kind == "nomenclature" for c in t.rows)

    def activity_hints(self) -> tuple[ActivityHint, ...]:
        return tuple(r for r in self.rows("activity") if isinstance(r, ActivityHint))


def _fail(path: str, where: str, message: str) -> RuleTableError:
    return RuleTableError(f"rule table {path} {where}: {message}", field=path)


def _str(data: Mapping[str, Any], key: str, path: str, where: str, *, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"'{key}' must be a non-empty string, got {value!r}")
    return value


def _date(data: Mapping[str, Any], key: str, path: str, where: str) -> date | None:
    value = data.get(key)
    if value is None:
        return None
    # tomllib gives datetime for date-times; a rule date is a calendar day only.
    if not isinstance(value, date) or type(value) is not date:
        raise _fail(path, where, f"'{key}' must be a TOML date (YYYY-MM-DD), got {value!r}")
    return value


def _validity(data: Mapping[str, Any], path: str, where: str, outer: Validity) -> Validity:
    start = _date(data, "valid_from", path, where) or outer.valid_from
    end = _date(data, "valid_to", path, where) or outer.valid_to
    if start is not None and end is not None and end < start:
        raise _fail(path, where, f"valid_to {end} is before valid_from {start}")
    return Validity(start, end)


def _severity(value: Any, path: str, where: str) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Severity)
        raise _fail(path, where, f"severity {value!r} is not one of {allowed}") from None


def _str_list(data: Mapping[str, Any], key: str, path: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, where, f"'{key}' must be a list of strings")
    return tuple(value)


def _digits(value: str, path: str, where: str, lengths: Iterable[int]) -> str:
    allowed = tuple(lengths)
    if not (value.isascii() and value.isdigit() and len(value) in allowed):
        raise _fail(path, where, f"code {value!r} must be digits of length {'/'.join(map(str, allowed))}")
    return value


def _row(kind: str, raw: Any, ref: TableRef, table: Mapping[str, Any], path: str, where: str, outer: Validity) -> Any:
    if not isinstance(raw, dict):
        raise _fail(path, where, "a row must be a table of key = value pairs")
    validity = _validity(raw, path, where, outer)
    if kind == "goods":
        code = _digits(_str(raw, "code", path, where).replace(".", ""), path, where, (2, 4, 6, 8, 10))
        category = str(raw.get("tier", raw.get("category", "")))
        if not category:
            raise _fail(path, where, "a goods row needs 'tier' or 'category'")
        controlled = raw.get("controlled", table.get("controlled", True))
        if not isinstance(controlled, bool):
            raise _fail(path, where, "'controlled' must be true or false")
        description = _str(raw, "description", path, where)
        return GoodsRow(ref, code, category, description, controlled, validity)
    if kind == "embargo":
        place_code = _str(raw, "place", path, where)
        try:
            check_region(place_code, "place") if "-" in place_code else check_country(place_code, "place")
        except ValueError as exc:
            raise _fail(path, where, str(exc)) from None
        scope = _str(raw, "scope", path, where)
        if scope not in ("comprehensive", "goods"):
            raise _fail(path, where, f"scope {scope!r} must be 'comprehensive' or 'goods'")
        fallback = _severity(raw.get("severity_without_controlled_goods", "block"), path, where)
        return PlaceRow(
            ref, place_code, _str(raw, "name", path, where), scope, _str(raw, "basis", path, where), fallback, validity
        )
    if kind in ("transshipment", "partners", "eu_members"):
        country = _str(raw, "country", path, where)
        try:
            check_country(country, "country")
        except ValueError as exc:
            raise _fail(path, where, str(exc)) from None
        return CountryRow(ref, country, _str(raw, "name", path, where), validity)
    if kind == "milestones":
        key = _str(raw, "key", path, where)
        day = _date(raw, "date", path, where)
        if day is None:
            raise _fail(path, where, "a milestone needs 'date'")
        return (key, day, str(raw.get("note", "")))
    if kind == "catalogue":
        return RuleDef(
            ref,
            _str(raw, "rule_id", path, where),
            _str(raw, "version", path, where),
            _severity(raw.get("severity"), path, where),
            _str(raw, "title", path, where),
            _str(raw, "source", path, where),
            validity,
        )
    if kind == "activity":
        prefixes = _str_list(raw, "hs_prefixes", path, where)
        for p in prefixes:
            _digits(p, path, where, (2, 4, 6))
        return ActivityHint(
            ref,
            _str(raw, "activity", path, where),
            _str(raw, "description", path, where),
            tuple(n.lower() for n in _str_list(raw, "nace", path, where)),
            tuple(k.lower() for k in _str_list(raw, "keywords", path, where)),
            prefixes,
        )
    raise _fail(path, where, f"unknown kind {kind!r}")  # unreachable: kind checked before rows


def parse_table(text: str, path: str) -> RuleTable:
    """Parse one TOML rule table; raise RuleTableError naming the file and row on any bad value."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "", f"is not valid TOML: {exc}") from None
    kind = _str(data, "kind", path, "header")
    if kind not in KINDS:
        raise _fail(path, "header", f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    ref = TableRef(
        _str(data, "id", path, "header"), _str(data, "version", path, "header"), _str(data, "source", path, "header")
    )
    title = _str(data, "title", path, "header")
    validity = _validity(data, path, "header", Validity())
    if kind == "nomenclature":
        codes = _str_list(data, "codes", path, "header")
        return RuleTable(ref, kind, title, path, validity, tuple(_digits(c, path, "codes", (2,)) for c in codes))
    raw_rows = data.get("rows")
    if not isinstance(raw_rows, list) or not raw_rows:
        raise _fail(path, "header", "'rows' must be a non-empty list of rows")
    rows = tuple(_row(kind, raw, ref, data, path, f"row {i + 1}", validity) for i, raw in enumerate(raw_rows))
    return RuleTable(ref, kind, title, path, validity, rows)


def build_rule_set(sources: Sequence[tuple[str, str]]) -> RuleSet:
    """Build a RuleSet from (path, TOML text) pairs; table ids must be unique and required kinds present."""
    tables: dict[str, RuleTable] = {}
    digest = hashlib.sha256()
    for path, text in sorted(sources):
        table = parse_table(text, path)
        if table.ref.id in tables:
            raise _fail(path, "header", f"table id {table.ref.id!r} is already defined in {tables[table.ref.id].path}")
        tables[table.ref.id] = table
        digest.update(Path(path).name.encode() + b"\0" + text.encode("utf-8") + b"\0")
    missing = REQUIRED_TABLE_KINDS - {t.kind for t in tables.values()}
    if missing:
        raise RuleTableError(f"rule tables missing for kind(s): {', '.join(sorted(missing))}")
    index: dict[str, list[GoodsRow]] = {}
    for table in tables.values():
        if table.kind == "goods":
            for row in table.rows:
                index.setdefault(row.code, []).append(row)
    catalogue_ids = [r.rule_id for r in (row for t in tables.values() if t.kind == "catalogue" for row in t.rows)]
    duplicates = {r for r in catalogue_ids if catalogue_ids.count(r) > 1}
    if duplicates:
        raise RuleTableError(f"rule catalogue defines rule(s) more than once: {', '.join(sorted(duplicates))}")
    return RuleSet(
        tables=MappingProxyType(tables),
        content_hash=digest.hexdigest(),
        _goods_index=MappingProxyType({k: tuple(v) for k, v in index.items()}),
        _goods_prefix_lengths=tuple(sorted({len(k) for k in index})),
    )


def default_rules_dir() -> Path:
    """The rule tables shipped in the package (service/data/rules)."""
    return Path(str(resources.files("service").joinpath("data", "rules")))


def load_rule_set(directory: Path | None = None) -> RuleSet:
    """Load every *.toml in `directory` (default: the packaged tables) into a validated RuleSet."""
    folder = default_rules_dir() if directory is None else directory
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise RuleTableError(f"no rule tables (*.toml) in {folder}")
    return build_rule_set([(str(f), f.read_text(encoding="utf-8")) for f in files])


SEVERITY_RANK: Mapping[Severity, int] = MappingProxyType(
    {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.BLOCK: 4}
)


def max_severity(severities: Iterable[Severity]) -> Severity:
    """The most severe of `severities` (INFO when empty)."""
    return max(severities, key=SEVERITY_RANK.__getitem__, default=Severity.INFO)


def make_finding(
    rules: RuleSet,
    rule_id: str,
    kind: FindingKind,
    sentence: str,
    evidence: Mapping[str, Any],
    *,
    severity: Severity | None = None,
    party: ShipmentParty | None = None,
    line: int | None = None,
) -> Finding:
    """A finding citing the catalogue version of `rule_id`, at its catalogue severity unless one is given."""
    rule = rules.rule(rule_id)
    return Finding(
        kind=kind,
        rule_id=rule_id,
        rule_version=rule.version,
        severity=rule.severity if severity is None else severity,
        sentence=sentence,
        evidence=MappingProxyType(dict(evidence)),
        party_role=party.role if party is not None else None,
        party_ref=party.party_id if party is not None else None,
        line=line,
    )
