from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.ownership import (
    ControlType,
    OwnershipEdge,
    OwnershipGraph,
    OwnershipNode,
    effective_ownership,
    ownership_findings,
    path_text,
)
from service.core.rules import load_rule_set
from service.core.shipment import PartyRole, Severity
from tests.core.shipment_builders import party

RULES = load_rule_set()
DAY = date(2024, 1, 1)
D = Decimal


def shares(owner: str, owned: str, percent: str, **kw: object) -> OwnershipEdge:
    return OwnershipEdge(owner, owned, ControlType.SHARES, D(percent), **kw)  # type: ignore[arg-type]


def listed(*ids: str):  # type: ignore[no-untyped-def]
    return frozenset(ids).__contains__


def test_multiplies_through_layers_and_adds_across_owners() -> None:
    graph = OwnershipGraph(
        (shares("X", "Y", "30"), shares("Y", "T", "60"), shares("Z", "T", "40")),
        {"X": OwnershipNode("X", "X Ltd"), "Y": OwnershipNode("Y", "Y Ltd"), "T": OwnershipNode("T", "Target")},
    )
    total, paths = effective_ownership(graph, "T", listed("X", "Z"), DAY)
    assert total == D("0.58")
    assert sorted(path_text(graph, p) for p in paths) == [
        "X Ltd →30%→ Y Ltd →60%→ Target: 30% × 60% = 18%",
        "Z →40%→ Target: 40%",
    ]


def test_listed_parent_of_listed_subsidiary_is_not_counted_twice() -> None:
    graph = OwnershipGraph((shares("P", "S", "100"), shares("S", "T", "50")))
    total, paths = effective_ownership(graph, "T", listed("P", "S"), DAY)
    assert total == D("0.5") and [p.root for p in paths] == ["S"]


def test_edges_outside_their_dates_do_not_count() -> None:
    graph = OwnershipGraph((shares("L", "T", "60", valid_from=date(2024, 6, 1)),))
    assert effective_ownership(graph, "T", listed("L"), DAY)[0] == 0
    assert effective_ownership(graph, "T", listed("L"), date(2024, 6, 1))[0] == D("0.6")


def test_owners_over_100_percent_are_rejected_and_bad_edges_raise() -> None:
    graph = OwnershipGraph((shares("A", "T", "60"), shares("B", "T", "50")))
    with pytest.raises(ValueError, match="110"):
        effective_ownership(graph, "T", listed("A"), DAY)
    with pytest.raises(ValueError, match="percent"):
        shares("A", "T", "0")
    with pytest.raises(ValueError, match="itself"):
        shares("A", "A", "10")


def test_cross_holding_cycle_terminates_and_counts_simple_paths_once() -> None:
    # L owns 50% of A; A and B hold 40% of each other (a cross-holding); A owns 60% of T.
    graph = OwnershipGraph(
        (shares("L", "A", "50"), shares("A", "B", "40"), shares("B", "A", "40"), shares("A", "T", "60"))
    )
    total, paths = effective_ownership(graph, "T", listed("L"), DAY)
    # Only L→A→T is simple; the A↔B loop is not amplified.
    assert total == D("0.3") and len(paths) == 1


def test_listed_majority_blocks_and_48_4_with_call_option_is_control_review() -> None:
    iskra = party(PartyRole.CONSIGNEE, "iskra", "Iskra Technologies JSC", "RU")
    nodes = {
        "kontron-si": OwnershipNode("kontron-si", "Kontron d.o.o.", "SI"),
        "iskra": OwnershipNode("iskra", "Iskra Technologies JSC", "RU"),
    }
    graph = OwnershipGraph(
        (shares("kontron-si", "iskra", "48.4"), OwnershipEdge("kontron-si", "iskra", ControlType.CALL_OPTION)), nodes
    )
    (finding,) = ownership_findings(RULES, graph, [iskra], {"kontron-si"}, date(2023, 8, 15))
    assert finding.rule_id == "ownership.control_listed" and finding.severity is Severity.HIGH
    assert "Kontron d.o.o. →48.4%→ Iskra Technologies JSC: 48.4%" in finding.sentence
    assert "call option" in finding.sentence and "below the 50% rule" in finding.sentence
    majority = OwnershipGraph((shares("kontron-si", "iskra", "50"),), nodes)
    (block,) = ownership_findings(RULES, majority, [iskra], {"kontron-si"}, date(2023, 8, 15))
    assert block.rule_id == "ownership.majority_listed" and block.severity is Severity.BLOCK


def test_board_appointment_voting_and_largest_shareholder_are_control() -> None:
    t = party(PartyRole.CONSIGNEE, "T", "Target", "AE")
    board = OwnershipGraph((OwnershipEdge("L", "T", ControlType.BOARD_APPOINTMENT),))
    votes = OwnershipGraph((OwnershipEdge("L", "T", ControlType.VOTING, D("51")),))
    largest = OwnershipGraph((shares("L", "T", "30"), shares("O", "T", "20")))
    small = OwnershipGraph((shares("L", "T", "20"), shares("O", "T", "10")))
    for graph in (board, votes, largest):
        assert [f.rule_id for f in ownership_findings(RULES, graph, [t], {"L"}, DAY)] == ["ownership.control_listed"]
    assert ownership_findings(RULES, small, [t], {"L"}, DAY) == []


def test_sanctioned_jurisdiction_owner_is_review() -> None:
    t = party(PartyRole.CONSIGNEE, "T", "Target", "AE")
    graph = OwnershipGraph((shares("R", "T", "60"),), {"R": OwnershipNode("R", "Moscow Holding", "RU")})
    (finding,) = ownership_findings(RULES, graph, [t], frozenset(), DAY)
    assert finding.rule_id == "ownership.control_sanctioned_jurisdiction" and finding.severity is Severity.HIGH


# --- properties ------------------------------------------------------------------------------------------------

NODES = [f"n{i}" for i in range(6)]


@st.composite
def graphs(draw: st.DrawFn) -> list[OwnershipEdge]:
    """Random graphs (cycles allowed) whose owners of each node hold at most 100% in total."""
    edges: list[OwnershipEdge] = []
    for owned in NODES:
        owners = draw(st.lists(st.sampled_from([n for n in NODES if n != owned]), unique=True, max_size=4))
        budget = 100
        for owner in owners:
            if budget <= 0:
                break
            p = draw(st.integers(min_value=1, max_value=budget))
            budget -= p
            edges.append(shares(owner, owned, str(p)))
    return edges


@settings(max_examples=200, deadline=None)
@given(graphs(), st.sets(st.sampled_from(NODES), min_size=1), st.sampled_from(NODES), st.randoms())
def test_total_is_bounded_and_order_independent(edges, roots, target, rnd) -> None:  # type: ignore[no-untyped-def]
    total, paths = effective_ownership(OwnershipGraph(tuple(edges)), target, roots.__contains__, DAY)
    assert D(0) <= total <= D(1)
    shuffled = list(edges)
    rnd.shuffle(shuffled)
    total2, paths2 = effective_ownership(OwnershipGraph(tuple(shuffled)), target, roots.__contains__, DAY)
    assert total2 == total and [p.edges for p in paths2] == [p.edges for p in paths]
    for p in paths:
        nodes = [p.edges[0].owner, *(e.owned for e in p.edges)]
        assert len(set(nodes)) == len(nodes)  # simple
        assert not any(n in roots for n in nodes[1:])  # no listed node inside a path


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=6))
def test_chain_is_the_product(percents: list[int]) -> None:
    edges = tuple(shares(f"c{i}", f"c{i + 1}", str(p)) for i, p in enumerate(percents))
    expected = D(1)
    for p in percents:
        expected = expected * D(p) / 100
    total, _ = effective_ownership(OwnershipGraph(edges), f"c{len(percents)}", {"c0"}.__contains__, DAY)
    assert total == expected


@given(st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=5))
def test_direct_listed_owners_add_up(percents: list[int]) -> None:
    edges = tuple(shares(f"o{i}", "T", str(p)) for i, p in enumerate(percents))
    roots = {f"o{i}" for i in range(len(percents))}
    total, _ = effective_ownership(OwnershipGraph(edges), "T", roots.__contains__, DAY)
    assert total * 100 == sum(percents)
