"""Turns findings into one CLEAR / REVIEW / BLOCK decision, and runs every shipment rule in order.

The decision is explainable by construction: BLOCK when any finding is BLOCK; otherwise the score is the sum, over
distinct rules, of the heaviest finding's weight, and REVIEW when it reaches the threshold. Severity weights, severity
overrides and rule switches are configuration (one `DecisionConfig` per organisation).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from service.core.goods import DEFAULT_TIER_SEVERITY, controlled_lines, goods_findings, unknown_code_findings
from service.core.ownership import OwnershipGraph, OwnershipThresholds, ownership_findings, related_party_findings
from service.core.profile import ProfileThresholds, profile_findings
from service.core.routes import (
    banned_places,
    clause_12g_findings,
    destination_embargo_hits,
    embargo_findings,
    transit_findings,
)
from service.core.rules import SEVERITY_RANK, RuleSet
from service.core.shipment import Decision, Finding, Severity, Shipment, ShipmentDecision

DEFAULT_WEIGHTS: Mapping[Severity, int] = MappingProxyType(
    {Severity.BLOCK: 100, Severity.HIGH: 50, Severity.MEDIUM: 30, Severity.LOW: 10, Severity.INFO: 0}
)


@dataclass(frozen=True)
class DecisionConfig:
    """One organisation's settings: rule switches, severity overrides and weights, and rule thresholds."""

    config_id: str = "default"
    disabled_rules: frozenset[str] = frozenset()
    severity_overrides: Mapping[str, Severity] = field(default_factory=lambda: MappingProxyType({}))
    weights: Mapping[Severity, int] = field(default_factory=lambda: DEFAULT_WEIGHTS)
    review_threshold: int = 30  # one MEDIUM finding, or three LOW ones from different rules
    tier_severity: Mapping[str, Severity] = field(default_factory=lambda: DEFAULT_TIER_SEVERITY)
    ownership: OwnershipThresholds = field(default_factory=OwnershipThresholds)
    profile: ProfileThresholds = field(default_factory=ProfileThresholds)

    def __post_init__(self) -> None:
        missing = set(Severity) - set(self.weights)
        if missing:
            raise ValueError(f"weights: no weight for severity {', '.join(sorted(missing))}")
        if self.review_threshold <= 0:
            raise ValueError("review_threshold: must be positive, or every shipment would need review")


def apply_config(findings: Iterable[Finding], config: DecisionConfig) -> list[Finding]:
    """Drop findings of disabled rules and apply the organisation's severity overrides."""
    out = []
    for finding in findings:
        if finding.rule_id in config.disabled_rules:
            continue
        override = config.severity_overrides.get(finding.rule_id)
        out.append(finding if override is None else replace(finding, severity=override))
    return out


def score(findings: Iterable[Finding], config: DecisionConfig) -> int:
    """Sum over distinct rules of the heaviest weight among that rule's findings (repeats of a rule add nothing)."""
    best: dict[str, int] = {}
    for finding in findings:
        weight = config.weights[finding.severity]
        best[finding.rule_id] = max(best.get(finding.rule_id, 0), weight)
    return sum(best.values())


def decide(findings: Sequence[Finding], config: DecisionConfig) -> tuple[Decision, int]:
    """BLOCK if any finding is BLOCK; REVIEW if the score reaches the review threshold; CLEAR otherwise."""
    total = score(findings, config)
    if any(f.severity is Severity.BLOCK for f in findings):
        return Decision.BLOCK, total
    if total >= config.review_threshold:
        return Decision.REVIEW, total
    return Decision.CLEAR, total


def _order(finding: Finding) -> tuple[int, str, str, int]:
    return (-SEVERITY_RANK[finding.severity], finding.kind.value, finding.rule_id, finding.line or 0)


def rule_findings(
    shipment: Shipment,
    rules: RuleSet,
    config: DecisionConfig = DecisionConfig(),
    *,
    ownership: OwnershipGraph | None = None,
    listed: Callable[[str], bool] | Collection[str] = frozenset(),
) -> list[Finding]:
    """Every goods, destination, route, ownership and profile finding for the shipment on its ship date."""
    on = shipment.ship_date
    controlled = controlled_lines(shipment, rules)
    hits = destination_embargo_hits(shipment, rules)
    findings: list[Finding] = []
    findings += unknown_code_findings(shipment, rules)
    findings += goods_findings(shipment, rules, banned_places(hits), config.tier_severity)
    findings += embargo_findings(shipment, rules, hits, controlled)
    findings += transit_findings(shipment, rules, controlled)
    findings += clause_12g_findings(shipment, rules, controlled, hits)
    if ownership is not None:
        findings += ownership_findings(rules, ownership, shipment.parties, listed, on, config.ownership)
        eu = rules.countries("eu_members", on)
        if shipment.exporter.country in eu:
            findings += related_party_findings(
                rules, ownership, shipment.exporter, shipment.receivers, on, eu.keys(), config.ownership
            )
    findings += profile_findings(rules, shipment, controlled, config.profile)
    return findings


def screen_shipment(
    shipment: Shipment,
    rules: RuleSet,
    config: DecisionConfig = DecisionConfig(),
    *,
    party_findings: Sequence[Finding] = (),
    ownership: OwnershipGraph | None = None,
    listed: Callable[[str], bool] | Collection[str] = frozenset(),
) -> ShipmentDecision:
    """The one decision for a shipment: rule findings plus caller-supplied party-list findings, under `config`.

    `party_findings` come from the list matcher (built by the caller); `listed` says which ownership-graph node ids
    are listed parties, so this module never depends on the matcher.
    """
    findings = rule_findings(shipment, rules, config, ownership=ownership, listed=listed)
    kept = sorted(apply_config([*party_findings, *findings], config), key=_order)
    decision, total = decide(kept, config)
    return ShipmentDecision(
        reference=shipment.reference,
        decision=decision,
        score=total,
        findings=tuple(kept),
        rule_set_version=rules.version,
        table_versions=rules.table_versions,
        config_id=config.config_id,
    )
