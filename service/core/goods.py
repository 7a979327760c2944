"""Goods rules: which listed tables (CHPL tiers, EU annexes, internal lists) a declared commodity code falls under on
the ship date, whether its chapter exists, and whether it may go to an embargoed destination."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from types import MappingProxyType

from service.core.rules import GoodsRow, PlaceRow, RuleSet, make_finding, max_severity
from service.core.shipment import Finding, FindingKind, GoodsLine, Severity, Shipment

# Tier 1-2 are the items Russia cannot make or can only partly make: worth a note on any shipment; the rest only
# matter with a risky destination or route, which the route rules catch.
DEFAULT_TIER_SEVERITY: Mapping[str, Severity] = MappingProxyType({"1": Severity.LOW, "2": Severity.LOW})


def classify_line(line: GoodsLine, rules: RuleSet, on: date) -> tuple[GoodsRow, ...]:
    """The goods-table rows (any table) matching the line's code by HS prefix on `on`."""
    return rules.goods_rows(line.hs_code.digits, on)


def controlled_lines(shipment: Shipment, rules: RuleSet) -> dict[int, tuple[GoodsRow, ...]]:
    """Goods lines carrying at least one controlled table row on the ship date, by line index."""
    out: dict[int, tuple[GoodsRow, ...]] = {}
    for i, line in enumerate(shipment.goods):
        rows = tuple(r for r in classify_line(line, rules, shipment.ship_date) if r.controlled)
        if rows:
            out[i] = rows
    return out


def describe_rows(rows: Sequence[GoodsRow]) -> str:
    """'CHPL Tier 1 (Integrated circuits: ...)' for each matching row, joined."""
    parts = []
    for r in rows:
        label = f"{r.table.id.upper()} Tier {r.category}" if r.table.id == "chpl" else f"{r.table.id} {r.category}"
        parts.append(f"{label} ({r.description})")
    return "; ".join(parts)


def _code_text(line: GoodsLine) -> str:
    code = line.hs_code
    if code.digits == code.hs6:
        return f"HS {code.display_hs6()}"
    return f"HS {code.display_hs6()} (declared {code.declared})"


def _row_evidence(rows: Sequence[GoodsRow]) -> list[dict[str, str]]:
    return [
        {"table": r.table.id, "table_version": r.table.version, "code": r.code, "category": r.category} for r in rows
    ]


def unknown_code_findings(shipment: Shipment, rules: RuleSet) -> list[Finding]:
    """A finding per goods line whose chapter is not in the HS nomenclature tables (no check without tables)."""
    chapters = rules.chapters()
    if not chapters or not rules.rule_active("goods.unknown_code", shipment.ship_date):
        return []
    findings = []
    for i, line in enumerate(shipment.goods):
        if line.hs_code.chapter not in chapters:
            findings.append(
                make_finding(
                    rules,
                    "goods.unknown_code",
                    FindingKind.GOODS,
                    f"Line {i + 1}: commodity code {line.hs_code.declared} is in chapter {line.hs_code.chapter}, "
                    "which does not exist in the HS 2022 nomenclature; correct the code before the goods are "
                    "classified.",
                    {"declared": line.hs_code.declared, "chapter": line.hs_code.chapter},
                    line=i,
                )
            )
    return findings


def goods_findings(
    shipment: Shipment,
    rules: RuleSet,
    banned: Sequence[PlaceRow] = (),
    tier_severity: Mapping[str, Severity] = DEFAULT_TIER_SEVERITY,
) -> list[Finding]:
    """Per listed goods line: an export-ban finding when `banned` (embargo rows hit by the route) apply, else a
    high-priority-goods finding at the tier's severity (INFO for tiers not in `tier_severity`)."""
    on = shipment.ship_date
    findings: list[Finding] = []
    ban_active = bool(banned) and rules.rule_active("goods.export_ban", on)
    listed_active = rules.rule_active("goods.high_priority", on)
    for i, line in enumerate(shipment.goods):
        rows = classify_line(line, rules, on)
        if not rows:
            continue
        controlled = [r for r in rows if r.controlled]
        evidence = {
            "declared": line.hs_code.declared,
            "hs6": line.hs_code.hs6,
            "description": line.description,
            "matches": _row_evidence(rows),
            "ship_date": on.isoformat(),
        }
        if ban_active and controlled:
            places = ", ".join(f"{p.name} ({p.place})" for p in banned)
            bases = "; ".join(sorted({p.basis for p in banned}))
            evidence["embargo"] = [
                {"place": p.place, "basis": p.basis, "table_version": p.table.version} for p in banned
            ]
            findings.append(
                make_finding(
                    rules,
                    "goods.export_ban",
                    FindingKind.GOODS,
                    f"Line {i + 1}: {_code_text(line)} is {describe_rows(controlled)}; it may not be exported to "
                    f"{places} on {on.isoformat()} ({bases}). Do not ship without a licence from the competent "
                    "authority.",
                    evidence,
                    line=i,
                )
            )
        elif listed_active:
            severity = max_severity(tier_severity.get(r.category, Severity.INFO) for r in rows)
            findings.append(
                make_finding(
                    rules,
                    "goods.high_priority",
                    FindingKind.GOODS,
                    f"Line {i + 1}: {_code_text(line)} is {describe_rows(rows)}, a high-priority item for Russia "
                    "sanctions circumvention; check the end use and the route.",
                    evidence,
                    severity=severity,
                    line=i,
                )
            )
    return findings
