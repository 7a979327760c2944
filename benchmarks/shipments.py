"""Shipment screening throughput: 10,000 shipments x 5 parties x 5 goods lines through every rule.

Run: .venv/bin/python -m benchmarks.shipments [--count N] [--skip-lists]
Prints shipments per second for the full screen (with and without an ownership graph) and, as a baseline in the
same run, the goods lookup alone (CHPL classification of the same lines). Then the service path with party matching
against the real lists of config/sources.shared.toml (`screen_shipment_request`: every party screened, list
relations and a stored ownership graph consulted), beside its in-run baseline: screening the same parties as plain
counterparties.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from service.core.decide import DecisionConfig, screen_shipment
from service.core.goods import classify_line
from service.core.ownership import ControlType, OwnershipEdge, OwnershipGraph, OwnershipNode
from service.core.rules import RuleSet, load_rule_set
from service.core.shipment import Decision, GoodsLine, HSCode, PartyRole, Shipment, ShipmentParty
from service.ownership_store import OrgGraph
from service.shipments import NodeCache, OwnershipEdgeIn, ShipmentIn, screen_shipment_request

CODES = ["854231", "85176200", "8471500000", "090121", "84821010", "870899", "847130", "620342", "300490", "940360"]
COUNTRIES = ["DE", "FR", "KZ", "RU", "US", "AE", "TR", "CN", "BR", "RS", "JP", "IN", "GB", "SI", "IT"]


def make_shipments(count: int, seed: int = 7) -> list[Shipment]:
    """Deterministic synthetic shipments: 5 parties, 5 goods lines each, varied routes and dates."""
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        dest = rnd.choice(COUNTRIES)
        parties = (
            ShipmentParty(
                PartyRole.EXPORTER,
                f"e{i % 500}",
                f"Exporter {i % 500}",
                rnd.choice(["DE", "SI", "RS", "IT"]),
                employees=rnd.choice([None, 1, 50, 400]),
                turnover={2022: Decimal(rnd.randint(1, 10**6)), 2023: Decimal(rnd.randint(1, 10**8))},
                registered_activity=rnd.choice(["46.52 electronics", "45.31 motor vehicle parts", None]),
            ),
            ShipmentParty(PartyRole.CONSIGNEE, f"c{i % 900}", f"Consignee {i % 900}", dest),
            ShipmentParty(
                PartyRole.END_USER,
                f"u{i % 700}",
                f"End user {i % 700}",
                dest,
                incorporated_on=date(2022, rnd.randint(1, 12), 1),
            ),
            ShipmentParty(
                PartyRole.FORWARDER, f"f{i % 50}", f"Forwarder {i % 50}", rnd.choice(COUNTRIES), is_logistics=True
            ),
            ShipmentParty(
                PartyRole.INTERMEDIARY,
                f"m{i % 300}",
                f"Intermediary {i % 300}",
                rnd.choice(COUNTRIES),
                address_type=rnd.choice(["business", "residential"]),
            ),
        )
        goods = tuple(
            GoodsLine(
                HSCode(rnd.choice(CODES)),
                "item",
                Decimal(rnd.randint(1, 100)),
                "pcs",
                Decimal(rnd.randint(100, 5_000_000)),
                rnd.choice(["EUR", "USD"]),
            )
            for _ in range(5)
        )
        out.append(
            Shipment(
                reference=f"B-{i}",
                ship_date=date(2022, 1, 1) + timedelta(days=rnd.randint(0, 1200)),
                parties=parties,
                origin_country=parties[0].country,
                destination_country=dest,
                goods=goods,
                transit_countries=tuple(rnd.sample(["TR", "AE", "KZ", "GE", "MY", "NL"], rnd.randint(0, 2))),
            )
        )
    return out


def make_graph(count: int, seed: int = 11) -> OwnershipGraph:
    """A layered holding structure over the synthetic party ids, with some listed roots and cross-holdings."""
    rnd = random.Random(seed)
    ids = [f"c{i}" for i in range(900)] + [f"u{i}" for i in range(700)] + [f"e{i}" for i in range(500)]
    holdings = [f"h{i}" for i in range(300)]
    edges: list[OwnershipEdge] = []
    for target in ids:
        owners = rnd.sample(holdings, 2)
        edges.append(OwnershipEdge(owners[0], target, ControlType.SHARES, Decimal(rnd.randint(10, 60))))
        edges.append(OwnershipEdge(owners[1], target, ControlType.SHARES, Decimal(rnd.randint(1, 30))))
        if rnd.random() < 0.05:
            edges.append(OwnershipEdge(owners[0], target, ControlType.CALL_OPTION))
    for h in holdings:
        if rnd.random() < 0.5:
            edges.append(OwnershipEdge(rnd.choice(holdings[:30]), h, ControlType.SHARES, Decimal(rnd.randint(10, 90))))
    edges = [e for e in edges if e.owner != e.owned]
    nodes = {h: OwnershipNode(h, f"Holding {h}", rnd.choice(["CY", "RU", "AE", "NL"])) for h in holdings}
    del count
    return OwnershipGraph(tuple(edges), nodes)


def shipment_requests(ships: list[Shipment], listed_names: list[str], seed: int = 5) -> list[ShipmentIn]:
    """The synthetic shipments as API input; about one party in ten carries a real listed name."""
    rnd = random.Random(seed)
    keys = {
        PartyRole.EXPORTER: "exporter",
        PartyRole.CONSIGNEE: "consignee",
        PartyRole.END_USER: "end_user",
        PartyRole.FORWARDER: "forwarder",
    }
    out = []
    for s in ships:
        body: dict[str, object] = {
            "reference": s.reference,
            "ship_date": s.ship_date.isoformat(),
            "origin_country": s.origin_country,
            "destination_country": s.destination_country,
            "transit_countries": list(s.transit_countries),
            "goods": [
                {
                    "hs_code": g.hs_code.declared,
                    "description": g.description,
                    "quantity": str(g.quantity),
                    "unit": g.unit,
                    "value": str(g.value),
                    "currency": g.currency,
                }
                for g in s.goods
            ],
            "intermediaries": [],
        }
        for p in s.parties:
            name = rnd.choice(listed_names) if rnd.random() < 0.1 else p.name
            party = {"name": name, "country": p.country, "reference": p.party_id, "type": "organization"}
            if p.role is PartyRole.INTERMEDIARY:
                body["intermediaries"] = [party]
            else:
                body[keys[p.role]] = party
        out.append(ShipmentIn.model_validate(body))
    return out


def stored_graph(graph: OwnershipGraph, listed_names: list[str]) -> OrgGraph:
    """The core benchmark graph as an organisation's stored edges (names for holdings, some of them listed names)."""
    names = {f"h{i}": (listed_names[i] if i % 7 == 0 else f"Holding {i} Ltd") for i in range(300)}
    return OrgGraph(
        tuple(
            OwnershipEdgeIn(
                owner=names.get(e.owner, e.owner),
                owned=names.get(e.owned, e.owned),
                percent=e.percent,
                control_type=e.control,
            )
            for e in graph.edges
        )
    )


def party_matching(ships: list[Shipment], graph: OwnershipGraph, rules: RuleSet, config: DecisionConfig) -> None:
    """The service path against the real lists, beside screening the same parties as counterparties."""
    from benchmarks.lists import load_real_lists
    from service.core.matcher import MatcherIndex
    from service.screening_service import ScreeningContext, SelectedVersion, screen_counterparty

    started = time.perf_counter()
    entries, versions = load_real_lists()
    index = MatcherIndex.build(entries, versions)
    selected = {k: SelectedVersion(k, 0, f"{k}@{v}", "", "current") for k, v in versions.items()}
    context = ScreeningContext(index, selected, None)
    print(
        f"real lists: {len(entries):,} entries from {len(versions)} lists, index built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    orgs = [e.primary_name for e in entries if e.entity_type.value == "organization"]
    listed_names = random.Random(3).sample(orgs, 600)
    # Disjoint pools: a holding named like a party of the same shipment would merge with it (edges resolve by name).
    requests = shipment_requests(ships, listed_names[:300])
    org_graph = stored_graph(graph, listed_names[300:])
    parties = [p.counterparty() for r in requests for _, _, p in r.parties()]
    counts: dict[str, int] = {}

    def counterparties_only() -> None:
        for party in parties:
            screen_counterparty(context, party)

    def service_path() -> None:
        counts.clear()
        for request in requests:
            document = screen_shipment_request("", request, rules=rules, config=config, context=context)
            counts[document["decision"]] = counts.get(document["decision"], 0) + 1

    def service_path_stored_graph() -> None:
        cache: NodeCache = {}  # as a batch chunk keeps it: each holding screened once per list context
        for request in requests:
            screen_shipment_request(
                "", request, rules=rules, config=config, context=context, stored=org_graph, node_cache=cache
            )

    timed(f"baseline: {len(parties):,} parties as counterparties", len(requests), counterparties_only)
    timed("screen_shipment_request (party matching)", len(requests), service_path)
    timed("screen_shipment_request + stored ownership graph", len(requests), service_path_stored_graph)
    print("service-path decisions:", dict(sorted(counts.items())))


def timed(label: str, n: int, fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    rate = n / elapsed
    print(f"{label:<52} {elapsed:8.3f} s  {rate:12,.0f} shipments/s", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--skip-lists", action="store_true", help="core rules only, no party matching")
    args = parser.parse_args()
    rules: RuleSet = load_rule_set()
    config = DecisionConfig()
    ships = make_shipments(args.count)
    graph = make_graph(args.count)
    listed = frozenset(f"h{i}" for i in range(0, 300, 7))
    print(f"{args.count:,} shipments x 5 parties x 5 goods lines; rule set {rules.version}")

    def goods_only() -> None:
        for s in ships:
            for line in s.goods:
                classify_line(line, rules, s.ship_date)

    decisions: dict[Decision, int] = {}

    def full() -> None:
        decisions.clear()
        for s in ships:
            d = screen_shipment(s, rules, config).decision
            decisions[d] = decisions.get(d, 0) + 1

    def with_ownership() -> None:
        for s in ships:
            screen_shipment(s, rules, config, ownership=graph, listed=listed)

    timed("baseline: goods lookup alone (5 lines)", len(ships), goods_only)
    timed("screen_shipment (all rules, no ownership)", len(ships), full)
    timed("screen_shipment + ownership graph", len(ships), with_ownership)
    print("decisions:", {k.value: v for k, v in sorted(decisions.items())})
    if not args.skip_lists:
        party_matching(ships, graph, rules, config)


if __name__ == "__main__":
    main()
