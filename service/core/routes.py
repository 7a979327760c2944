"""Destination and route rules on the ship date: embargoed destinations and regions, embargoed transits,
transshipment hubs with controlled goods, and the EU Art. 12g no-re-export-to-Russia clause."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

from service.core.rules import GoodsRow, PlaceRow, RuleSet, make_finding
from service.core.shipment import Finding, FindingKind, Shipment


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """A readable name for an ISO2 code ('RU' -> 'Russian Federation'), the code itself when unknown."""
    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country is not None else code


@dataclass(frozen=True, slots=True)
class EmbargoHit:
    """An embargo row hit by the shipment, and where: 'destination', 'destination region', 'consignee address'..."""

    row: PlaceRow
    matched_on: tuple[str, ...]


def destination_embargo_hits(shipment: Shipment, rules: RuleSet) -> list[EmbargoHit]:
    """Embargo rows in force on the ship date matching the destination or a consignee's / end user's location."""
    embargoes = rules.embargoes(shipment.ship_date)
    if not embargoes:
        return []
    places: list[tuple[str, str]] = [("destination", shipment.destination_country)]
    if shipment.destination_region is not None:
        places.append(("destination region", shipment.destination_region))
    for party in shipment.receivers:
        label = party.role.value.replace("_", " ")
        places.append((f"{label} country", party.country))
        if party.region is not None:
            places.append((f"{label} region", party.region))
    hits: dict[str, list[str]] = {}
    for where, code in places:
        if code in embargoes:
            hits.setdefault(code, []).append(where)
    return [EmbargoHit(embargoes[code], tuple(where)) for code, where in hits.items()]


def _lines_text(controlled: Mapping[int, Sequence[GoodsRow]]) -> str:
    return ", ".join(str(i + 1) for i in sorted(controlled))


def embargo_findings(
    shipment: Shipment, rules: RuleSet, hits: Sequence[EmbargoHit], controlled: Mapping[int, Sequence[GoodsRow]]
) -> list[Finding]:
    """BLOCK for a comprehensive embargo or sectoral measures with controlled goods; the row's fallback otherwise."""
    on = shipment.ship_date
    if not rules.rule_active("route.embargoed_destination", on):
        return []
    findings = []
    for hit in hits:
        row = hit.row
        evidence: dict[str, Any] = {
            "place": row.place,
            "name": row.name,
            "scope": row.scope,
            "basis": row.basis,
            "matched_on": list(hit.matched_on),
            "table": row.table.id,
            "table_version": row.table.version,
            "ship_date": on.isoformat(),
        }
        where = " and ".join(hit.matched_on)
        if row.scope == "comprehensive":
            severity = None  # the catalogue's BLOCK
            sentence = (
                f"The {where} is {row.name} ({row.place}), under a comprehensive embargo on {on.isoformat()} "
                f"({row.basis}): do not ship."
            )
        elif controlled:
            severity = None
            evidence["controlled_lines"] = sorted(i + 1 for i in controlled)
            sentence = (
                f"The {where} is {row.name} ({row.place}), subject to sanctions goods measures on {on.isoformat()} "
                f"({row.basis}), and goods line(s) {_lines_text(controlled)} are controlled: do not ship."
            )
        else:
            severity = row.severity_without_controlled_goods
            sentence = (
                f"The {where} is {row.name} ({row.place}), subject to sanctions goods measures on {on.isoformat()} "
                f"({row.basis}); no line is on a controlled-goods table, but check every line against the full "
                "annexes before shipping."
            )
        findings.append(
            make_finding(
                rules, "route.embargoed_destination", FindingKind.DESTINATION, sentence, evidence, severity=severity
            )
        )
    return findings


def transit_findings(shipment: Shipment, rules: RuleSet, controlled: Mapping[int, Sequence[GoodsRow]]) -> list[Finding]:
    """Embargoed transit places; controlled goods to or through transshipment hubs; several hubs on one route."""
    on = shipment.ship_date
    findings: list[Finding] = []
    embargoes = rules.embargoes(on)
    if rules.rule_active("route.embargoed_transit", on):
        for code in dict.fromkeys((*shipment.transit_countries, *shipment.transit_regions)):
            row = embargoes.get(code)
            if row is None:
                continue
            findings.append(
                make_finding(
                    rules,
                    "route.embargoed_transit",
                    FindingKind.ROUTE,
                    f"The route transits {row.name} ({row.place}), under {row.scope} sanctions on {on.isoformat()} "
                    f"({row.basis}); goods in transit there can be seized or diverted: re-route or justify.",
                    {"place": row.place, "scope": row.scope, "basis": row.basis, "table_version": row.table.version},
                )
            )
    if not controlled:
        return findings  # hubs and the clause only matter for controlled goods
    hubs = rules.countries("transshipment", on)
    hub_active = rules.rule_active("route.transshipment_hub", on)
    lines = _lines_text(controlled)
    if hub_active and shipment.destination_country in hubs:
        hub = hubs[shipment.destination_country]
        findings.append(
            make_finding(
                rules,
                "route.transshipment_hub",
                FindingKind.DESTINATION,
                f"Controlled goods (line(s) {lines}) are going to {hub.name} ({hub.country}), a transshipment point "
                "named in FinCEN/BIS alerts for diversion to Russia: confirm the end user and end use before "
                "shipping.",
                {
                    "country": hub.country,
                    "where": "destination",
                    "controlled_lines": sorted(i + 1 for i in controlled),
                    "table": hub.table.id,
                    "table_version": hub.table.version,
                    "source": hub.table.source,
                },
            )
        )
    transit_hubs = [hubs[c] for c in dict.fromkeys(shipment.transit_countries) if c in hubs]
    if hub_active and transit_hubs:
        names = ", ".join(f"{r.name} ({r.country})" for r in transit_hubs)
        findings.append(
            make_finding(
                rules,
                "route.transshipment_hub",
                FindingKind.ROUTE,
                f"Controlled goods (line(s) {lines}) transit {names}, named in FinCEN/BIS alerts as transshipment "
                "point(s) for Russia: confirm why the route goes there.",
                {
                    "countries": [r.country for r in transit_hubs],
                    "where": "transit",
                    "controlled_lines": sorted(i + 1 for i in controlled),
                    "table": transit_hubs[0].table.id,
                    "table_version": transit_hubs[0].table.version,
                },
            )
        )
    all_hubs = list(
        dict.fromkeys(
            [
                *(r.country for r in transit_hubs),
                *([shipment.destination_country] if shipment.destination_country in hubs else []),
            ]
        )
    )
    if len(all_hubs) >= 2 and rules.rule_active("route.multiple_hubs", on):
        findings.append(
            make_finding(
                rules,
                "route.multiple_hubs",
                FindingKind.ROUTE,
                f"The route for controlled goods passes {len(all_hubs)} transshipment hubs ({', '.join(all_hubs)}), "
                "a pattern seen in diversion to Russia: ask for the commercial reason.",
                {"hubs": all_hubs},
            )
        )
    return findings


def clause_12g_findings(
    shipment: Shipment,
    rules: RuleSet,
    controlled: Mapping[int, Sequence[GoodsRow]],
    embargo_hits: Sequence[EmbargoHit],
) -> list[Finding]:
    """EU exporter + controlled goods + destination outside the EU and the Annex VIII partners → clause required."""
    on = shipment.ship_date
    if not controlled or embargo_hits or not rules.rule_active("route.clause_12g", on):
        return []  # an embargoed destination is a ban, not a contract-clause question
    eu = rules.countries("eu_members", on)
    exporter = shipment.exporter
    destination = shipment.destination_country
    if exporter.country not in eu or destination in eu:
        return []
    partners = rules.countries("partners", on)
    if destination in partners:
        return []
    applies_from = rules.rule("route.clause_12g").validity.valid_from
    since = f" (applies from {applies_from.isoformat()})" if applies_from is not None else ""
    return [
        make_finding(
            rules,
            "route.clause_12g",
            FindingKind.DESTINATION,
            f"{exporter.name} ({exporter.country}) is exporting high-priority goods "
            f"(line(s) {_lines_text(controlled)}) to {country_name(destination)} ({destination}), which is not an "
            "Annex VIII partner country: the "
            f"contract must contain the 'no re-export to Russia' clause of Art. 12g Reg. 833/2014{since}; check it "
            "before shipping.",
            {
                "exporter_country": exporter.country,
                "destination": destination,
                "partners": sorted(partners),
                "controlled_lines": sorted(i + 1 for i in controlled),
                "applies_from": applies_from.isoformat() if applies_from else None,
            },
            party=exporter,
        )
    ]


def banned_places(hits: Sequence[EmbargoHit]) -> list[PlaceRow]:
    """The embargo rows that make controlled goods unshippable (every destination hit, any scope)."""
    return [h.row for h in hits]


__all__ = [
    "EmbargoHit",
    "banned_places",
    "clause_12g_findings",
    "country_name",
    "destination_embargo_hits",
    "embargo_findings",
    "transit_findings",
]
