"""Batch items are counterparties or shipments. An item with both `ship_date` and `goods` is a shipment (the same
rule as `screening screen-file`, `service.shipments.is_shipment`); anything else is a counterparty.

A shipment item is validated as `ShipmentIn` at submission and screened in the chunk task with the very code of
`POST /v1/shipments/screen` (`screen_shipment_request`), as of its own ship date (the batch `as_of` applies to
counterparties), with the organisation's decision settings and stored ownership graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from service.core.decide import DecisionConfig
from service.core.errors import ScreeningError
from service.decision_settings import load_decision_config
from service.inputs import CounterpartyIn, first_error
from service.ownership_store import OrgGraph, load_org_graph
from service.screening_service import INDEXES, ScreeningContext, screen_counterparty
from service.shipments import (
    NodeCache,
    ShipmentIn,
    ShipmentInputError,
    check_request,
    is_shipment,
    screen_shipment_request,
)

# Appended to the result CSV (after the counterparty columns, which keep their meaning for both kinds).
EXTRA_CSV_COLUMNS = ("kind", "finding_rules")


class ItemInputError(ScreeningError):
    code = "validation_error"
    status = 422


def validate_item(raw: object, where: str) -> dict[str, Any]:
    """A normalised item (counterparty or shipment) ready to store in a chunk; 422 naming the field otherwise."""
    if not isinstance(raw, dict):
        raise ItemInputError(f"{where}: each item must be an object (a counterparty or a shipment)", field=where)
    model: type[ShipmentIn] | type[CounterpartyIn] = ShipmentIn if is_shipment(raw) else CounterpartyIn
    try:
        validated = model.model_validate(raw)
        if isinstance(validated, ShipmentIn):
            check_request(validated)
        data: dict[str, Any] = validated.model_dump(mode="json", exclude_defaults=True)
    except ValidationError as exc:
        field_name, message = first_error(exc, where)
        raise ItemInputError(message, field=field_name) from None
    except ScreeningError as exc:
        raise ItemInputError(f"{where}: {exc.message}", field=f"{where}.{exc.field}" if exc.field else where) from None
    return data


@dataclass(slots=True)
class ChunkScreener:
    """Screens a chunk's items: one list context per date and the organisation's settings loaded once."""

    db_url: str
    org_id: str | None
    as_of: date | None
    _contexts: dict[date | None, ScreeningContext] = field(default_factory=dict)
    _node_caches: dict[date | None, NodeCache] = field(default_factory=dict)
    _org: tuple[DecisionConfig, OrgGraph] | None = None

    def context(self, on: date | None) -> ScreeningContext:
        found = self._contexts.get(on)
        if found is None:
            found = self._contexts[on] = INDEXES.context(self.db_url, on)
        return found

    def org(self) -> tuple[DecisionConfig, OrgGraph]:
        if self._org is None:
            self._org = (load_decision_config(self.db_url, self.org_id), load_org_graph(self.db_url, self.org_id))
        return self._org

    def screen(
        self, item: Mapping[str, Any], on_party: Callable[[str, CounterpartyIn, dict[str, Any]], None] | None = None
    ) -> tuple[str | None, dict[str, Any]]:
        """(reference, result document) for one stored item; `on_party` as in `screen_shipment_request` (alerts)."""
        if is_shipment(item):
            request = ShipmentIn.model_validate(item)
            config, graph = self.org()
            try:
                document = screen_shipment_request(
                    self.db_url,
                    request,
                    config=config,
                    stored=graph,
                    context=self.context(request.ship_date),
                    node_cache=self._node_caches.setdefault(request.ship_date, {}),
                    on_party=on_party,
                )
            except ShipmentInputError as exc:
                # Only the organisation's stored edges can disagree with an item validated at submission: the
                # shipment cannot be cleared on contradictory ownership data, so it goes to review, saying why.
                document = {
                    "reference": request.reference,
                    "decision": "REVIEW",
                    "as_of": request.ship_date.isoformat(),
                    "findings": [],
                    "parties": [],
                    "error": {"code": exc.code, "message": exc.message, "field": exc.field},
                }
            document["kind"] = "shipment"
            return request.reference, document
        counterparty = CounterpartyIn.model_validate(item)
        return counterparty.reference, screen_counterparty(self.context(self.as_of), counterparty)

    @property
    def list_versions(self) -> dict[str, str]:
        """The versions of the batch's own date (counterparties); shipments cite theirs in each document."""
        return self.context(self.as_of).list_versions


def csv_extra(document: Mapping[str, Any]) -> list[str]:
    """The appended CSV cells: the item kind and, for a shipment, the rule ids of its findings (most severe first)."""
    if document.get("kind") != "shipment":
        return ["counterparty", ""]
    rules = dict.fromkeys(f["rule_id"] for f in document.get("findings") or ())
    return ["shipment", ";".join(rules)]


def shipment_csv_basis(document: Mapping[str, Any]) -> dict[str, Any]:
    """For a shipment, the counterparty columns describe its most severe finding and the best party match."""
    findings = document.get("findings") or []
    matches = [m for p in document.get("parties") or () for m in p["screening"].get("matches") or ()]
    return {
        "reference": document.get("reference"),
        "decision": document.get("decision"),
        "rule": findings[0]["rule_id"] if findings else "",
        "matches": matches,
        "list_versions": document.get("list_versions"),
    }
