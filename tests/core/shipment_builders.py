"""Tiny builders for shipment tests: a default clean shipment, changed only where a test needs it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from service.core.shipment import GoodsLine, HSCode, PartyRole, Shipment, ShipmentParty


def party(role: PartyRole, party_id: str, name: str, country: str, **kw: Any) -> ShipmentParty:
    return ShipmentParty(role=role, party_id=party_id, name=name, country=country, **kw)


def line(code: str, value: str = "1000", currency: str = "EUR", description: str = "goods") -> GoodsLine:
    return GoodsLine(HSCode(code), description, Decimal(1), "pcs", Decimal(value), currency)


def shipment(
    *,
    ship_date: date = date(2024, 5, 1),
    origin: str = "DE",
    destination: str = "FR",
    goods: tuple[GoodsLine, ...] | None = None,
    exporter: ShipmentParty | None = None,
    consignee: ShipmentParty | None = None,
    others: tuple[ShipmentParty, ...] = (),
    **kw: Any,
) -> Shipment:
    exp = exporter or party(PartyRole.EXPORTER, "exp", "Exporter GmbH", origin)
    con = consignee or party(PartyRole.CONSIGNEE, "con", "Consignee SA", destination)
    return Shipment(
        reference=kw.pop("reference", "S-1"),
        ship_date=ship_date,
        parties=(exp, con, *others),
        origin_country=origin,
        destination_country=destination,
        goods=goods or (line("090121"),),
        **kw,
    )
