"""Ownership and control over a dated graph: aggregate effective ownership by listed parties (OFAC 50% rule, EU
"50% or more" with aggregation) and control indicators (call option, board appointment, voting majority, largest
shareholder), each finding showing the path and the arithmetic.

Semantics, chosen to be explainable and bounded:
- Effective ownership of T by a set S of listed nodes = the sum, over every simple path (no node twice) of SHARES
  edges from a node of S to T that passes through no other node of S, of the product of the path's fractions.
  Multiplying through layers and adding across owners is the OFAC/EU reading; stopping at the first listed node
  avoids counting a listed parent's stake twice through its listed subsidiary.
- Cycles (cross-holdings) are followed only as far as a simple path goes: the back-flow of a cycle is not amplified.
  With every node's incoming shares at most 100% on the date (checked), the sum never exceeds 100%.
- Only edges valid on the evaluation date count; the edge order never changes a result.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from service.core.rules import RuleSet, make_finding
from service.core.shipment import Finding, FindingKind, ShipmentParty

HUNDRED = Decimal(100)


class ControlType(StrEnum):
    SHARES = "shares"  # equity: the only edge type that is multiplied through layers
    VOTING = "voting"  # voting rights, when they differ from the equity share
    CALL_OPTION = "call_option"  # a right to acquire the shares
    BOARD_APPOINTMENT = "board_appointment"  # the right to appoint or remove a majority of the board
    # A sanctions list states ownership or control without a percentage (OFAC "owned or controlled by"); only
    # derived from list relations, never accepted as input.
    LIST_STATED = "list_stated"


@dataclass(frozen=True, slots=True)
class OwnershipNode:
    id: str
    name: str
    country: str | None = None  # ISO2 of incorporation or residence


@dataclass(frozen=True, slots=True)
class OwnershipEdge:
    """`owner` holds `percent` of `owned` (or a control right over it) from `valid_from` to `valid_to` inclusive."""

    owner: str
    owned: str
    control: ControlType = ControlType.SHARES
    percent: Decimal | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""

    def __post_init__(self) -> None:
        if self.owner == self.owned:
            raise ValueError(f"ownership edge: {self.owner} cannot own itself")
        if self.control in (ControlType.SHARES, ControlType.VOTING):
            if self.percent is None or not (Decimal(0) < self.percent <= HUNDRED):
                raise ValueError(f"ownership edge {self.owner}->{self.owned}: percent must be in (0, 100]")
        elif self.percent is not None and not (Decimal(0) <= self.percent <= HUNDRED):
            raise ValueError(f"ownership edge {self.owner}->{self.owned}: percent must be in [0, 100]")
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(f"ownership edge {self.owner}->{self.owned}: valid_to before valid_from")

    def valid_on(self, on: date) -> bool:
        """True when the holding exists on `on`."""
        if self.valid_from is not None and on < self.valid_from:
            return False
        return not (self.valid_to is not None and on > self.valid_to)


# (shares into each node, control edges into each node) for one interval of dates
_DateIndex = tuple[dict[str, tuple[OwnershipEdge, ...]], dict[str, tuple[OwnershipEdge, ...]]]


@dataclass(frozen=True)
class OwnershipGraph:
    edges: tuple[OwnershipEdge, ...]
    nodes: Mapping[str, OwnershipNode] = field(default_factory=lambda: MappingProxyType({}))
    _breaks: tuple[date, ...] = field(init=False, repr=False, compare=False, default=())
    _index: dict[int, _DateIndex] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        # The graph only changes on edge start/end dates: index once per interval between them, so screening
        # thousands of shipments rebuilds nothing (and the cache is bounded by the number of distinct dates).
        points = {e.valid_from for e in self.edges if e.valid_from is not None}
        points |= {e.valid_to + timedelta(days=1) for e in self.edges if e.valid_to is not None}
        object.__setattr__(self, "_breaks", tuple(sorted(points)))

    def name(self, node_id: str) -> str:
        node = self.nodes.get(node_id)
        return node.name if node is not None else node_id

    def country(self, node_id: str) -> str | None:
        node = self.nodes.get(node_id)
        return node.country if node is not None else None

    def _at(self, on: date) -> _DateIndex:
        slot = bisect_right(self._breaks, on)
        cache = self._index
        if slot in cache:
            return cache[slot]
        shares: dict[str, list[OwnershipEdge]] = {}
        controls: dict[str, list[OwnershipEdge]] = {}
        for edge in self.edges:
            if edge.valid_on(on):
                (shares if edge.control is ControlType.SHARES else controls).setdefault(edge.owned, []).append(edge)
        for owned, edges in shares.items():
            total = sum((e.percent or Decimal(0) for e in edges), Decimal(0))
            if total > HUNDRED:
                raise ValueError(f"ownership of {owned} on {on.isoformat()} adds up to {total}% (> 100%)")
        # Sorting makes path enumeration, and so the text of findings, independent of input order.
        index = (
            {
                k: tuple(sorted(v, key=lambda e: (e.owner, e.percent or Decimal(0), e.source)))
                for k, v in shares.items()
            },
            {
                k: tuple(sorted(v, key=lambda e: (e.owner, e.control.value, e.percent or Decimal(0))))
                for k, v in controls.items()
            },
        )
        cache[slot] = index
        return index

    def shares_into(self, on: date) -> Mapping[str, tuple[OwnershipEdge, ...]]:
        """SHARES edges valid on `on`, by owned node; raises ValueError when a node's owners exceed 100%."""
        return self._at(on)[0]

    def controls_into(self, owned: str, on: date) -> tuple[OwnershipEdge, ...]:
        """Non-equity control edges into `owned` valid on `on`, in a stable order."""
        return self._at(on)[1].get(owned, ())


@dataclass(frozen=True, slots=True)
class OwnershipPath:
    """A chain of SHARES edges from a root owner to the target, with the product of its fractions."""

    edges: tuple[OwnershipEdge, ...]
    fraction: Decimal

    @property
    def root(self) -> str:
        return self.edges[0].owner


def pct(fraction: Decimal) -> str:
    """A fraction as a readable percentage: Decimal('0.484') -> '48.4%'."""
    value = (fraction * HUNDRED).quantize(Decimal("0.01")).normalize()
    return f"{value:f}%"


def ownership_paths(
    graph: OwnershipGraph, target: str, is_root: Callable[[str], bool], on: date
) -> list[OwnershipPath]:
    """Every simple SHARES path into `target` starting at a root node and passing through no other root."""
    into = graph.shares_into(on)
    paths: list[OwnershipPath] = []
    # Walk upwards from the target; `chain` holds edges target-side first.
    stack: list[tuple[str, tuple[OwnershipEdge, ...], frozenset[str], Decimal]] = [
        (target, (), frozenset({target}), Decimal(1))
    ]
    while stack:
        node, chain, seen, fraction = stack.pop()
        for edge in into.get(node, ()):
            owner = edge.owner
            if owner in seen:
                continue  # a cycle: a simple path never revisits a node
            step = fraction * (edge.percent or Decimal(0)) / HUNDRED
            new_chain = (edge, *chain)
            if is_root(owner):
                paths.append(OwnershipPath(new_chain, step))
            else:
                stack.append((owner, new_chain, seen | {owner}, step))
    paths.sort(key=lambda p: (tuple((e.owner, e.owned) for e in p.edges), p.fraction))
    return paths


def effective_ownership(
    graph: OwnershipGraph, target: str, is_root: Callable[[str], bool], on: date
) -> tuple[Decimal, list[OwnershipPath]]:
    """Aggregate fraction of `target` held by root nodes (multiplied through layers, added across owners)."""
    if is_root(target):
        return Decimal(0), []  # a listed party is a list hit, not an ownership question
    paths = ownership_paths(graph, target, is_root, on)
    return sum((p.fraction for p in paths), Decimal(0)), paths


def path_text(graph: OwnershipGraph, path: OwnershipPath) -> str:
    """'A →30%→ B →60%→ C: 30% × 60% = 18%' (one layer: 'A →48.4%→ B: 48.4%')."""
    hops = graph.name(path.edges[0].owner) + "".join(
        f" →{pct((e.percent or Decimal(0)) / HUNDRED)}→ {graph.name(e.owned)}" for e in path.edges
    )
    if len(path.edges) == 1:
        return f"{hops}: {pct(path.fraction)}"
    factors = " × ".join(pct((e.percent or Decimal(0)) / HUNDRED) for e in path.edges)
    return f"{hops}: {factors} = {pct(path.fraction)}"


def total_text(paths: Sequence[OwnershipPath], total: Decimal) -> str:
    """'18% + 40% = 58%' across paths (just '48.4%' for one)."""
    if len(paths) <= 1:
        return pct(total)
    return " + ".join(pct(p.fraction) for p in paths) + f" = {pct(total)}"


@dataclass(frozen=True, slots=True)
class OwnershipThresholds:
    block_percent: Decimal = Decimal(50)  # OFAC and EU (since 2024): 50% or more
    voting_control_percent: Decimal = Decimal(50)  # voting rights above this are control
    largest_shareholder_min: Decimal = Decimal(25)  # being largest only counts from a meaningful stake
    related_party_percent: Decimal = Decimal(50)  # exporter-group ownership making a receiver a subsidiary


@dataclass(frozen=True, slots=True)
class ControlIndicator:
    edge: OwnershipEdge | None
    text: str


def control_indicators(
    graph: OwnershipGraph,
    target: str,
    is_root: Callable[[str], bool],
    on: date,
    thresholds: OwnershipThresholds,
    root_stake: Decimal,
) -> list[ControlIndicator]:
    """Control rights over `target` held by root nodes, plus 'largest shareholder' when roots' stake is largest."""
    found: list[ControlIndicator] = []
    for edge in graph.controls_into(target, on):
        if not is_root(edge.owner):
            continue
        owner = graph.name(edge.owner)
        if edge.control is ControlType.CALL_OPTION:
            found.append(ControlIndicator(edge, f"{owner} holds a call option on the shares of {graph.name(target)}"))
        elif edge.control is ControlType.BOARD_APPOINTMENT:
            found.append(
                ControlIndicator(edge, f"{owner} can appoint or remove a majority of the board of {graph.name(target)}")
            )
        elif edge.control is ControlType.LIST_STATED:
            found.append(
                ControlIndicator(edge, f"{owner} owns or controls {graph.name(target)} per the list ({edge.source})")
            )
        elif edge.control is ControlType.VOTING and (edge.percent or Decimal(0)) > thresholds.voting_control_percent:
            found.append(
                ControlIndicator(
                    edge,
                    f"{owner} holds {pct((edge.percent or Decimal(0)) / HUNDRED)} of the votes in {graph.name(target)}",
                )
            )
    direct_others = [e.percent or Decimal(0) for e in graph.shares_into(on).get(target, ()) if not is_root(e.owner)]
    stake_pct = root_stake * HUNDRED
    if stake_pct >= thresholds.largest_shareholder_min and all(stake_pct > other for other in direct_others):
        found.append(
            ControlIndicator(
                None,
                f"listed owners together are the largest known shareholder of {graph.name(target)} ({pct(root_stake)})",
            )
        )
    return found


def _predicate(listed: Callable[[str], bool] | Collection[str]) -> Callable[[str], bool]:
    if callable(listed):
        return listed
    ids = frozenset(listed)
    return ids.__contains__


def _paths_evidence(graph: OwnershipGraph, paths: Iterable[OwnershipPath]) -> list[dict[str, object]]:
    return [
        {
            "root": p.root,
            "nodes": [p.edges[0].owner, *(e.owned for e in p.edges)],
            "percents": [str(e.percent) for e in p.edges],
            "fraction": str(p.fraction),
            "text": path_text(graph, p),
        }
        for p in paths
    ]


def _ownership_check(
    rules: RuleSet,
    graph: OwnershipGraph,
    party: ShipmentParty,
    is_root: Callable[[str], bool],
    on: date,
    thresholds: OwnershipThresholds,
    who: str,
    block_rule: str | None,
    control_rule: str,
) -> list[Finding]:
    total, paths = effective_ownership(graph, party.party_id, is_root, on)
    arithmetic = "; ".join(path_text(graph, p) for p in paths)
    evidence: dict[str, object] = {
        "target": party.party_id,
        "effective_percent": f"{(total * HUNDRED).normalize():f}",
        "paths": _paths_evidence(graph, paths),
        "arithmetic": f"{arithmetic} → total {total_text(paths, total)}" if paths else "",
        "ship_date": on.isoformat(),
    }
    name = party.name
    majority = total * HUNDRED >= thresholds.block_percent
    if majority and block_rule is not None and rules.rule_active(block_rule, on):
        return [
            make_finding(
                rules,
                block_rule,
                FindingKind.OWNERSHIP,
                f"{name} is {pct(total)} owned by {who} in aggregate ({arithmetic}; total {total_text(paths, total)}), "
                f"at or above the {thresholds.block_percent}% rule: treat it as blocked even though it is not listed "
                "itself.",
                evidence,
                party=party,
            )
        ]
    if not rules.rule_active(control_rule, on):
        return []
    indicators = control_indicators(graph, party.party_id, is_root, on, thresholds, total)
    if majority:
        indicators.insert(0, ControlIndicator(None, f"{who} hold {pct(total)} in aggregate"))
    if not indicators:
        return []
    evidence["indicators"] = [
        {
            "control": i.edge.control.value if i.edge else "largest_shareholder",
            "owner": i.edge.owner if i.edge else None,
        }
        for i in indicators
    ]
    stake = f"{pct(total)} owned by {who} ({arithmetic}), " if paths else f"not owned by {who} on record, but "
    below = f"below the {thresholds.block_percent}% rule, but " if paths and not majority else ""
    return [
        make_finding(
            rules,
            control_rule,
            FindingKind.OWNERSHIP,
            f"{name} is {stake}{below}" + "; ".join(i.text for i in indicators) + ": under the EU/UK control tests it "
            f"counts as controlled by {who}; review before shipping.",
            evidence,
            party=party,
        )
    ]


def _group_of(graph: OwnershipGraph, member: str, on: date, thresholds: OwnershipThresholds) -> frozenset[str]:
    """`member` and every node above it holding ≥ the related-party threshold of the node below (its parents)."""
    into = graph.shares_into(on)
    group = {member}
    frontier = [member]
    while frontier:
        node = frontier.pop()
        for edge in into.get(node, ()):
            if (edge.percent or Decimal(0)) >= thresholds.related_party_percent and edge.owner not in group:
                group.add(edge.owner)
                frontier.append(edge.owner)
    return frozenset(group)


def related_party_findings(
    rules: RuleSet,
    graph: OwnershipGraph,
    exporter: ShipmentParty,
    receivers: Sequence[ShipmentParty],
    on: date,
    eu_countries: Collection[str],
    thresholds: OwnershipThresholds,
) -> list[Finding]:
    """A receiver outside the EU owned ≥ threshold or controlled by the exporter's group: Art. 8a duty applies."""
    if not rules.rule_active("ownership.related_party", on):
        return []
    group = _group_of(graph, exporter.party_id, on, thresholds)
    in_group = group.__contains__
    findings = []
    for party in receivers:
        if party.country in eu_countries or party.party_id in group:
            continue
        total, paths = effective_ownership(graph, party.party_id, in_group, on)
        controls = [e for e in graph.controls_into(party.party_id, on) if in_group(e.owner)]
        if total * HUNDRED < thresholds.related_party_percent and not controls:
            continue
        arithmetic = "; ".join(path_text(graph, p) for p in paths)
        rights = "; ".join(f"{graph.name(e.owner)} holds a {e.control.value.replace('_', ' ')}" for e in controls)
        detail = "; ".join(x for x in (arithmetic, rights) if x)
        findings.append(
            make_finding(
                rules,
                "ownership.related_party",
                FindingKind.OWNERSHIP,
                f"The {party.role.value.replace('_', ' ')} {party.name} ({party.country}) is owned or controlled by "
                f"the exporter's group ({detail}): a related-party export outside the EU, where the parent must use "
                "best efforts to prevent sanctions circumvention (Art. 8a Reg. 833/2014); review the business purpose.",
                {
                    "exporter": exporter.party_id,
                    "group": sorted(group),
                    "effective_percent": f"{(total * HUNDRED).normalize():f}",
                    "paths": _paths_evidence(graph, paths),
                    "controls": [{"owner": e.owner, "control": e.control.value} for e in controls],
                },
                party=party,
            )
        )
    return findings


def ownership_findings(
    rules: RuleSet,
    graph: OwnershipGraph,
    parties: Sequence[ShipmentParty],
    listed: Callable[[str], bool] | Collection[str],
    on: date,
    thresholds: OwnershipThresholds = OwnershipThresholds(),
) -> list[Finding]:
    """For each party: ≥50% aggregate by listed owners → BLOCK finding; else control by a listed party → REVIEW;
    and ownership or control by parties in embargoed jurisdictions → REVIEW."""
    is_listed = _predicate(listed)
    embargoed = {code for code in rules.embargoes(on) if "-" not in code}

    def in_embargoed_jurisdiction(node: str) -> bool:
        return graph.country(node) in embargoed

    findings: list[Finding] = []
    for party in parties:
        findings += _ownership_check(
            rules,
            graph,
            party,
            is_listed,
            on,
            thresholds,
            "listed parties",
            "ownership.majority_listed",
            "ownership.control_listed",
        )
        if party.country not in embargoed:  # a party *in* the jurisdiction is the destination rule's business
            findings += _ownership_check(
                rules,
                graph,
                party,
                in_embargoed_jurisdiction,
                on,
                thresholds,
                "parties in embargoed jurisdictions",
                None,
                "ownership.control_sanctioned_jurisdiction",
            )
    return findings
