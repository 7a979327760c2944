from __future__ import annotations

from datetime import date

import pytest

from service.core.decide import rule_findings
from service.core.rules import load_rule_set
from service.core.shipment import FindingKind, PartyRole, Severity, place
from tests.core.shipment_builders import line, party, shipment

RULES = load_rule_set()


def ids(findings):  # type: ignore[no-untyped-def]
    return sorted((f.rule_id, f.kind.value, f.severity.value) for f in findings)


def route_ids(ship):  # type: ignore[no-untyped-def]
    return [x for x in ids(rule_findings(ship, RULES)) if x[0].startswith("route.")]


@pytest.mark.parametrize("country", ["IR", "KP", "SY", "CU"])
def test_comprehensive_embargo_blocks_any_goods(country: str) -> None:
    ship = shipment(destination=country, goods=(line("090121"),))
    assert route_ids(ship) == [("route.embargoed_destination", "destination", "block")]


@pytest.mark.parametrize("region", ["UA-43", "UA-40", "UA-14", "UA-09", "UA-23", "UA-65"])
def test_occupied_regions_block_by_destination_region(region: str) -> None:
    country, reg = place(region)
    ship = shipment(ship_date=date(2024, 1, 10), destination=country, destination_region=reg)
    findings = [f for f in rule_findings(ship, RULES) if f.rule_id == "route.embargoed_destination"]
    assert len(findings) == 1 and findings[0].severity is Severity.BLOCK
    assert findings[0].evidence["place"] == region


def test_region_on_consignee_address_blocks() -> None:
    con = party(PartyRole.CONSIGNEE, "c", "Krym Trade", "UA", region="UA-43")
    ship = shipment(destination="UA", consignee=con)
    (finding,) = [f for f in rule_findings(ship, RULES) if f.rule_id == "route.embargoed_destination"]
    assert finding.evidence["matched_on"] == ["consignee region"]


def test_kherson_not_embargoed_before_its_date_but_kyiv_never() -> None:
    before = shipment(ship_date=date(2022, 10, 5), destination="UA", destination_region="UA-65")
    after = shipment(ship_date=date(2022, 10, 6), destination="UA", destination_region="UA-65")
    kyiv = shipment(ship_date=date(2024, 1, 1), destination="UA", destination_region="UA-30")
    assert route_ids(before) == [] and route_ids(kyiv) == []
    assert route_ids(after) == [("route.embargoed_destination", "destination", "block")]


def test_russia_goods_measures_block_with_controlled_goods_review_without() -> None:
    controlled = shipment(destination="RU", goods=(line("854231"),))
    coffee = shipment(destination="RU", goods=(line("090121"),))
    assert ("route.embargoed_destination", "destination", "block") in route_ids(controlled)
    assert route_ids(coffee) == [("route.embargoed_destination", "destination", "high")]


def test_transshipment_only_with_controlled_goods() -> None:
    assert route_ids(shipment(destination="KZ", goods=(line("090121"),))) == []
    assert route_ids(shipment(origin="BR", destination="DE", goods=(line("090121"),))) == []
    chips = shipment(origin="DE", destination="KZ", goods=(line("854231"),))
    assert ("route.transshipment_hub", "destination", "high") in route_ids(chips)


def test_transit_hubs_and_multiple_hubs() -> None:
    ship = shipment(destination="US", goods=(line("854231"),), transit_countries=("TR", "AE", "MY"))
    found = route_ids(ship)
    assert ("route.transshipment_hub", "route", "high") in found
    assert ("route.multiple_hubs", "route", "medium") in found
    (hub,) = [f for f in rule_findings(ship, RULES) if f.rule_id == "route.transshipment_hub"]
    assert hub.evidence["countries"] == ["TR", "AE"]


def test_embargoed_transit() -> None:
    ship = shipment(origin="FI", destination="KZ", goods=(line("090121"),), transit_countries=("RU",))
    assert route_ids(ship) == [("route.embargoed_transit", "route", "high")]


def test_clause_12g_from_2024_03_20_for_eu_exporter_outside_partners() -> None:
    exp = party(PartyRole.EXPORTER, "k", "Kontron d.o.o.", "SI")
    goods = (line("85176200"),)
    before = shipment(ship_date=date(2024, 3, 19), origin="SI", destination="EG", exporter=exp, goods=goods)
    on = shipment(ship_date=date(2024, 3, 20), origin="SI", destination="EG", exporter=exp, goods=goods)
    partner = shipment(ship_date=date(2024, 5, 1), origin="SI", destination="JP", exporter=exp, goods=goods)
    intra_eu = shipment(ship_date=date(2024, 5, 1), origin="SI", destination="DE", exporter=exp, goods=goods)
    assert route_ids(before) == []
    assert route_ids(on) == [("route.clause_12g", "destination", "medium")]
    assert route_ids(partner) == [] and route_ids(intra_eu) == []
    (clause,) = [f for f in rule_findings(on, RULES) if f.rule_id == "route.clause_12g"]
    assert "no re-export to Russia" in clause.sentence and clause.kind is FindingKind.DESTINATION


def test_non_eu_exporter_needs_no_clause() -> None:
    exp = party(PartyRole.EXPORTER, "x", "Exporter LLC", "RS")
    ship = shipment(origin="RS", destination="EG", exporter=exp, goods=(line("854231"),))
    assert route_ids(ship) == []


def test_place_parsing_validates() -> None:
    assert place("UA-43") == ("UA", "UA-43")
    assert place("DE") == ("DE", None)
    with pytest.raises(ValueError, match="destination"):
        place("UA-99")
    with pytest.raises(ValueError, match="destination"):
        place("XX")
