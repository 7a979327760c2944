"""The case stories of shared/seeds as shipment fixtures (facts from the stories; amounts noted where modelled)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from service.core.ownership import ControlType, OwnershipEdge, OwnershipGraph, OwnershipNode
from service.core.shipment import GoodsLine, HSCode, PartyRole, Shipment, ShipmentParty

KONTRON_SI = ShipmentParty(
    PartyRole.EXPORTER, "kontron-si", "Kontron d.o.o.", "SI", address="Ljubljana, Slovenia", employees=None
)
ISKRA = ShipmentParty(PartyRole.CONSIGNEE, "iskra-tech", "Iskra Technologies JSC", "RU", address="Moscow, Russia")

# Politico: Kontron holds 48.4% of Iskra through Kontron d.o.o. plus a call option giving de facto control.
KONTRON_NODES = {
    "kontron-ag": OwnershipNode("kontron-ag", "Kontron AG", "AT"),
    "kontron-si": OwnershipNode("kontron-si", "Kontron d.o.o.", "SI"),
    "iskra-tech": OwnershipNode("iskra-tech", "Iskra Technologies JSC", "RU"),
    "kontron-kz": OwnershipNode("kontron-kz", "Kontron Kazakhstan LLP", "KZ"),
}
KONTRON_GROUP = OwnershipGraph(
    (
        OwnershipEdge("kontron-ag", "kontron-si", ControlType.SHARES, Decimal(100)),
        OwnershipEdge("kontron-si", "iskra-tech", ControlType.SHARES, Decimal("48.4")),
        OwnershipEdge("kontron-si", "iskra-tech", ControlType.CALL_OPTION),
        OwnershipEdge("kontron-si", "kontron-kz", ControlType.SHARES, Decimal(100)),
    ),
    KONTRON_NODES,
)


def si3000(value: str = "350000") -> GoodsLine:
    return GoodsLine(HSCode("8517.62.00"), "SI3000 telecom switching system", Decimal(1), "set", Decimal(value), "EUR")


def kontron_to_iskra() -> Shipment:
    """Politico: 11 shipments Kontron d.o.o. → Iskra Technologies, Jul-Nov 2023 (after the 11th package)."""
    return Shipment(
        reference="KONTRON-ISKRA-2023-08",
        ship_date=date(2023, 8, 15),
        parties=(KONTRON_SI, ISKRA),
        origin_country="SI",
        destination_country="RU",
        goods=(si3000(),),
    )


def kontron_to_kazakhstan(ship_date: date = date(2024, 5, 1)) -> Shipment:
    """Politico: 49 shipments of SI3000 and spare parts to Kontron's subsidiary in Kazakhstan."""
    customer = ShipmentParty(PartyRole.CONSIGNEE, "kontron-kz", "Kontron Kazakhstan LLP", "KZ", address="Almaty")
    return Shipment(
        reference="KONTRON-KZ",
        ship_date=ship_date,
        parties=(KONTRON_SI, customer),
        origin_country="SI",
        destination_country="KZ",
        goods=(si3000(),),
    )


KOMINVEX = ShipmentParty(
    PartyRole.EXPORTER,
    "kominvex",
    "Kominvex DOO Beograd",
    "RS",
    address="Belgrade, Serbia",
    incorporated_on=date(2005, 1, 1),  # RFE/RL: incorporated 2005 (day not given)
    registered_activity="46.52 Wholesale of electronic and telecommunications equipment and parts",
    previous_activity="45.31 Wholesale trade of motor vehicle parts and accessories (tractor parts)",
    activity_changed_on=date(2022, 11, 1),  # RFE/RL: "in November of that year" (day not given)
    employees=1,
    profit={2018: Decimal(67), 2021: Decimal(1600), 2022: Decimal(1_500_000)},
    financials_currency="USD",
)
BITTERIA = ShipmentParty(PartyRole.CONSIGNEE, "bitteria", "Bitteria LLC", "RU", address="Moscow, Russia")


def kominvex_to_russia() -> Shipment:
    """RFE/RL: $54.3m of high-priority items (Intel CPUs) to Russia, Mar 2022-Jul 2023; modelled as one line."""
    return Shipment(
        reference="KOMINVEX-2022-09",
        ship_date=date(2022, 9, 15),
        parties=(KOMINVEX, BITTERIA),
        origin_country="RS",
        destination_country="RU",
        goods=(GoodsLine(HSCode("8542.31"), "Intel processors", Decimal(10_000), "pcs", Decimal("54300000"), "USD"),),
    )


def coffee_brazil_germany() -> Shipment:
    """A clean control case: green-roasted coffee from Brazil to Germany."""
    return Shipment(
        reference="COFFEE-1",
        ship_date=date(2024, 5, 1),
        parties=(
            ShipmentParty(PartyRole.EXPORTER, "cafe-br", "Café do Sul Ltda", "BR", address="Santos"),
            ShipmentParty(PartyRole.CONSIGNEE, "roaster-de", "Hamburg Rösterei GmbH", "DE", address="Hamburg"),
        ),
        origin_country="BR",
        destination_country="DE",
        goods=(GoodsLine(HSCode("0901.21"), "Roasted coffee", Decimal(20_000), "kg", Decimal(180_000), "EUR"),),
    )


STORY_CODES = ("85176200", "854231", "090121")
