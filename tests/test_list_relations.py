"""Ownership stated by the lists themselves (`service.list_relations` through `screen_shipment_request`): an
in-memory list index whose entries carry the `Relation`s the parsers emit (FtM Ownership with a percentage, OFAC
"owned or controlled by", UK subsidiaries), and shipments whose parties those relations name."""

from __future__ import annotations

from datetime import date
from typing import Any

from service.core.matcher import MatcherIndex
from service.core.model import EntityType, ListEntry, Name, Relation
from service.screening_service import ScreeningContext, SelectedVersion
from service.shipments import ShipmentIn, screen_shipment_request

SHIP_DATE = "2024-06-03"


def _entry(entity_id: str, name: str, *relations: Relation, kind: EntityType = EntityType.ORGANIZATION) -> ListEntry:
    return ListEntry(
        list_id="os",
        entity_id=entity_id,
        entity_type=kind,
        names=(Name(name),),
        programs=("RU-833",),
        relations=relations,
    )


def _context(*entries: ListEntry) -> ScreeningContext:
    index = MatcherIndex.build(entries, {"os": "os@2024-05-01#1"})
    selected = {"os": SelectedVersion("os", 1, "os@2024-05-01#1", "0" * 64, "version_in_force")}
    return ScreeningContext(index, selected, date.fromisoformat(SHIP_DATE))


def _shipment(consignee: str, **extra: Any) -> ShipmentIn:
    return ShipmentIn.model_validate(
        {
            "reference": "REL-1",
            "ship_date": SHIP_DATE,
            "exporter": {"name": "Maschinenbau Keller GmbH", "country": "DE"},
            "consignee": {"name": consignee, "country": "AM"},
            "origin_country": "DE",
            "destination_country": "AM",
            "goods": [
                {
                    "hs_code": "8481.80",
                    "description": "industrial valves",
                    "quantity": 10,
                    "unit": "pcs",
                    "value": "12000",
                    "currency": "EUR",
                }
            ],
            **extra,
        }
    )


def _ownership_findings(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in document["findings"] if f["kind"] == "ownership"]


def test_listed_owner_of_a_party_with_a_percentage_blocks_with_the_arithmetic() -> None:
    """FtM Ownership (owner_of 60%) on a listed entity naming the consignee: the 50% rule applies, path shown."""
    owner = _entry(
        "os-1", "Boris Listedov", Relation("owner_of", "Baltic Trade LLC", percent=60.0), kind=EntityType.PERSON
    )
    document = screen_shipment_request("unused://", _shipment("Baltic Trade LLC"), context=_context(owner))
    assert document["parties"][1]["screening"]["decision"] == "CLEAR"  # the consignee is not listed itself
    (finding,) = _ownership_findings(document)
    assert finding["rule_id"] == "ownership.majority_listed" and finding["severity"] == "block"
    assert finding["evidence"]["effective_percent"] == "60"
    assert "Boris Listedov →60%→ Baltic Trade LLC" in finding["sentence"]
    assert document["decision"] == "BLOCK"
    (edge,) = document["ownership_edges"]
    assert edge["origin"] == "list" and edge["source"].startswith("os os-1: owner of 60%")
    listed = {n["name"]: n for n in document["ownership_nodes"]}
    assert listed["Boris Listedov"]["listed"] and listed["Boris Listedov"]["basis"] == "list_relation"


def test_list_stated_control_without_percentage_is_a_control_indicator() -> None:
    """OFAC-style "owns, controls or operates" without a percentage: REVIEW under the control test, not BLOCK."""
    parent = _entry("os-2", "Volga Holding JSC", Relation("owner_of", "Baltic Trade LLC", note="subsidiary"))
    document = screen_shipment_request("unused://", _shipment("Baltic Trade LLC"), context=_context(parent))
    (finding,) = _ownership_findings(document)
    assert finding["rule_id"] == "ownership.control_listed" and finding["severity"] != "block"
    assert "owns or controls Baltic Trade LLC per the list (os os-2: owner of (subsidiary))" in finding["sentence"]
    assert document["decision"] == "REVIEW"


def test_owners_in_the_graph_bring_their_list_relations_and_percentages_aggregate() -> None:
    """An inline owner that the list names as 100% owned by a listed entity: 100% × 30% through it, plus a direct
    25% stake of another listed entity = 55% → BLOCK, each path with its arithmetic."""
    group = _entry(
        "os-3",
        "Kalinin Industrial Group",
        Relation("owner_of", "Gamma Invest Ltd", percent=100.0),
        Relation("owner_of", "Baltic Trade LLC", percent=25.0),
    )
    shipment = _shipment(
        "Baltic Trade LLC",
        ownership=[{"owner": "Gamma Invest Ltd", "owned": "consignee", "percent": 30, "owner_country": "CY"}],
    )
    document = screen_shipment_request("unused://", shipment, context=_context(group))
    (finding,) = _ownership_findings(document)
    assert finding["rule_id"] == "ownership.majority_listed"
    assert finding["evidence"]["effective_percent"] == "55"
    assert "100% × 30% = 30%" in finding["evidence"]["arithmetic"]
    assert (
        "30% + 25% = 55%" in finding["evidence"]["arithmetic"] or "25% + 30% = 55%" in finding["evidence"]["arithmetic"]
    )


def test_a_matched_party_brings_the_owners_its_list_entry_names() -> None:
    """A party matching a listed entity: the entity's owned_by / controlled_by relations become edges into it."""
    sub = _entry(
        "os-4",
        "Orion Components LLC",
        Relation("owned_by", "Kalinin Industrial Group", percent=51.0),
        Relation("controlled_by", "Volga Holding JSC"),
    )
    document = screen_shipment_request("unused://", _shipment("Orion Components LLC"), context=_context(sub))
    edges = {(e["owner"], e["control_type"], e["percent"]) for e in document["ownership_edges"]}
    assert edges == {("Kalinin Industrial Group", "shares", "51"), ("Volga Holding JSC", "list_stated", None)}
    assert document["parties"][1]["screening"]["decision"] != "CLEAR"  # the party itself matches the list
    assert any(f["rule_id"].startswith("party.") for f in document["findings"])


def test_list_percentages_above_100_percent_do_not_reject_the_shipment() -> None:
    """Lists disagreeing with the caller's edges (70% + 60%) are list data, not an input error: the list's share
    is kept as a control indicator only."""
    owner = _entry("os-5", "Boris Listedov", Relation("owner_of", "Baltic Trade LLC", percent=60.0))
    shipment = _shipment("Baltic Trade LLC", ownership=[{"owner": "Anna Private", "owned": "consignee", "percent": 70}])
    document = screen_shipment_request("unused://", shipment, context=_context(owner))
    stated = [e for e in document["ownership_edges"] if e["origin"] == "list"]
    assert [(e["control_type"], e["percent"]) for e in stated] == [("list_stated", None)]
    assert {f["rule_id"] for f in _ownership_findings(document)} == {"ownership.control_listed"}


def test_unrelated_lists_leave_the_shipment_without_ownership() -> None:
    other = _entry("os-6", "Somebody Else Ltd", Relation("owner_of", "Another Company", percent=90.0))
    document = screen_shipment_request("unused://", _shipment("Baltic Trade LLC"), context=_context(other))
    assert document["ownership_edges"] == [] and document["ownership_nodes"] == []
    assert _ownership_findings(document) == []
