from __future__ import annotations

from datetime import date
from decimal import Decimal

from service.core.goods import controlled_lines
from service.core.profile import ProfileThresholds, activity_on, profile_findings
from service.core.rules import load_rule_set
from service.core.shipment import PartyRole
from tests.core.shipment_builders import line, party, shipment

RULES = load_rule_set()


def flags(ship, thresholds=ProfileThresholds()):  # type: ignore[no-untyped-def]
    return sorted(
        (f.rule_id, f.party_ref) for f in profile_findings(RULES, ship, controlled_lines(ship, RULES), thresholds)
    )


def test_incorporated_after_invasion_only_with_controlled_goods() -> None:
    # Soha Info: incorporated June 2022, $6.3m of high-priority goods to Russia.
    soha = party(PartyRole.EXPORTER, "soha", "Soha Info DOO", "RS", incorporated_on=date(2022, 6, 1))
    chips = shipment(origin="RS", destination="AE", exporter=soha, goods=(line("854231"),))
    coffee = shipment(origin="RS", destination="AE", exporter=soha, goods=(line("090121"),))
    assert flags(chips) == [("profile.incorporated_recently", "soha")]
    assert flags(coffee) == []
    old = party(PartyRole.EXPORTER, "o", "Old DOO", "RS", incorporated_on=date(2022, 2, 24))
    assert flags(shipment(origin="RS", destination="AE", exporter=old, goods=(line("854231"),))) == []


def test_activity_in_force_on_ship_date_and_change_window() -> None:
    p = party(
        PartyRole.EXPORTER,
        "k",
        "K",
        "RS",
        registered_activity="46.52",
        previous_activity="45.31",
        activity_changed_on=date(2022, 11, 1),
    )
    assert activity_on(p, date(2022, 10, 31)) == "45.31" and activity_on(p, date(2022, 11, 1)) == "46.52"
    late = shipment(ship_date=date(2024, 6, 1), origin="RS", exporter=p, goods=(line("854231"),))
    assert flags(late) == []  # electronics registered, change long ago
    near = shipment(ship_date=date(2023, 1, 15), origin="RS", exporter=p, goods=(line("854231"),))
    assert flags(near) == [("profile.activity_changed", "k")]


def test_unknown_activity_is_not_evidence() -> None:
    p = party(PartyRole.EXPORTER, "k", "K", "RS", registered_activity="99.99 something unusual")
    assert flags(shipment(origin="RS", exporter=p, goods=(line("854231"),))) == []


def test_keyword_activity_inconsistent_with_goods() -> None:
    p = party(PartyRole.CONSIGNEE, "b", "Banana Import", "AE", registered_activity="Import of fruit and bananas")
    assert flags(shipment(destination="AE", consignee=p, goods=(line("854231"),))) == [
        ("profile.activity_inconsistent", "b")
    ]
    assert flags(shipment(destination="AE", consignee=p, goods=(line("080390"),))) == []


def test_surge_and_headcount_thresholds() -> None:
    p = party(
        PartyRole.CONSIGNEE,
        "c",
        "C",
        "AE",
        employees=3,
        turnover={2021: Decimal(100_000), 2022: Decimal(900_000), 2023: Decimal(20_000_000)},
    )
    assert flags(shipment(destination="AE", consignee=p)) == [
        ("profile.headcount_implausible", "c"),
        ("profile.turnover_surge", "c"),
    ]
    relaxed = ProfileThresholds(surge_factor=Decimal(100), turnover_per_employee_limit=Decimal(10_000_000))
    assert flags(shipment(destination="AE", consignee=p), relaxed) == []
    # Years after the shipment are not known at the ship date.
    assert flags(shipment(ship_date=date(2022, 6, 1), destination="AE", consignee=p)) == []


def test_address_type_and_logistics_consignee() -> None:
    home = party(PartyRole.CONSIGNEE, "h", "H", "AE", address_type="residential", address="Flat 3")
    assert flags(shipment(destination="AE", consignee=home)) == [("profile.address_type", "h")]
    fwd = party(PartyRole.CONSIGNEE, "g", "Goodforwarding DOO", "RS", is_logistics=True)
    assert flags(shipment(destination="RS", consignee=fwd)) == [("profile.logistics_consignee", "g")]
    con = party(PartyRole.CONSIGNEE, "x1", "Fast Freight LLC", "AE")
    forwarder = party(PartyRole.FORWARDER, "x2", "FAST  FREIGHT llc", "AE")
    assert flags(shipment(destination="AE", consignee=con, others=(forwarder,))) == [
        ("profile.logistics_consignee", "x1")
    ]
