"""Shipment screening, service layer: validated input (`ShipmentIn`), party screening as of the ship date, and the
one result document shared by `POST /v1/shipments/screen` and `screening screen-file`.

Every party is screened against the lists as they stood on the ship date (`INDEXES.context(db_url, ship_date)`);
a REVIEW or BLOCK party result becomes a PARTY finding (`party.possible_match` / `party.list_match`) citing the top
matches. Ownership nodes (parties or free names) that screen as a hit, or are flagged `listed`, are the listed parties
of the ownership rules. Everything else is the pure core (`service.core.decide.screen_shipment`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal, Protocol

import pycountry
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from service.core.decide import DecisionConfig, decide, screen_shipment
from service.core.errors import ScreeningError
from service.core.match_config import MatchConfig
from service.core.model import EntityType, PartialDate
from service.core.ownership import ControlType, OwnershipEdge, OwnershipGraph, OwnershipNode
from service.core.rules import SEVERITY_RANK, RuleSet, load_rule_set, make_finding
from service.core.shipment import (
    Finding,
    FindingKind,
    GoodsLine,
    HSCode,
    PartyRole,
    Severity,
    Shipment,
    ShipmentParty,
    place,
)
from service.inputs import MAX_NAME_LENGTH, MAX_TEXT_LENGTH, CounterpartyIn, check_country, parse_partial_date
from service.list_relations import RelationEdge, edges_naming, edges_of_matches, relation_index
from service.screening_service import ALGORITHM, INDEXES, ScreeningContext, screen_counterparty

MAX_PARTIES_PER_ROLE = 20
MAX_GOODS_LINES = 1000
MAX_OWNERSHIP_EDGES = 500
MAX_RELATION_DEPTH = 3  # layers of list-stated owners followed above a shipment's parties
EVIDENCE_MATCHES = 3  # top matches cited in a party finding (the full list is in the party's screening document)
HIT_DECISIONS = frozenset({"REVIEW", "BLOCK"})


class ShipmentInputError(ScreeningError):
    """The shipment is well-formed JSON but inconsistent (e.g. ownership above 100%); the field says where."""

    code = "validation_error"
    status = 422


def _required_country(value: str) -> str:
    code = check_country(value)
    if code is None:
        raise ValueError("a country (ISO 3166-1 alpha-2) is required")
    return code


def _currency(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (e.g. 'EUR')")
    return code


def _finite(value: Decimal, what: str) -> Decimal:
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number")
    return value


def _region_in(value: str | None, country: str | None, country_field: str) -> str | None:
    """An ISO 3166-2 code inside `country` (already validated; None when that field failed), or None when empty."""
    if value is None or value == "":
        return None
    code = value.strip().upper()
    _, region = place(code, "region")
    if region is None:
        raise ValueError(f"{value!r} is not an ISO 3166-2 subdivision code (e.g. 'UA-43')")
    if country is not None and not region.startswith(country + "-"):
        raise ValueError(f"{region} is not in {country_field} {country}")
    return region


class ShipmentPartyIn(CounterpartyIn):
    """A counterparty in one role, plus the company-profile facts the red-flag rules read (all optional)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    country: str = Field(description="ISO 3166-1 alpha-2 (required for shipment parties)")
    region: str | None = Field(default=None, description="ISO 3166-2 subdivision of the address, e.g. 'UA-43'")
    incorporated_on: date | None = None
    registered_activity: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH, description="NACE code/text")
    previous_activity: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    activity_changed_on: date | None = None
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    turnover: dict[str, Decimal] = Field(default_factory=dict, description='by year: {"2021": "1600"}')
    profit: dict[str, Decimal] = Field(default_factory=dict, description="by year, like turnover")
    financials_currency: str | None = Field(default=None, description="ISO 4217 of turnover/profit")
    address_type: Literal["business", "residential", "shared", "virtual", "po_box"] | None = None
    is_logistics: bool = False
    listed: bool = Field(default=False, description="treat as a listed party in ownership rules (known to the caller)")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str:  # replaces CounterpartyIn's optional check
        return _required_country(value or "")

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _region_in(value, info.data.get("country"), "country")

    @field_validator("activity_changed_on")
    @classmethod
    def _activity_changed_on(cls, value: date | None, info: ValidationInfo) -> date | None:
        if value is not None and info.data.get("registered_activity") is None:
            raise ValueError("needs registered_activity (the activity after the change)")
        return value

    @field_validator("turnover", "profit")
    @classmethod
    def _series(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for year, amount in value.items():
            if not (year.isascii() and year.isdigit() and len(year) == 4 and 1900 <= int(year) <= 2100):
                raise ValueError(f"{year!r} is not a year (use keys like '2021')")
            _finite(amount, f"amount for {year}")
        return value

    @field_validator("financials_currency")
    @classmethod
    def _financials_currency(cls, value: str | None) -> str | None:
        return None if value is None or value == "" else _currency(value)

    def counterparty(self) -> CounterpartyIn:
        """The part the list matcher screens."""
        return CounterpartyIn.model_validate(self.model_dump(include=set(CounterpartyIn.model_fields)))

    def to_core(self, role: PartyRole, party_id: str) -> ShipmentParty:
        dob: PartialDate | None = parse_partial_date(self.date_of_birth) if self.date_of_birth else None
        query = self.counterparty().to_query()
        return ShipmentParty(
            role=role,
            party_id=party_id,
            name=self.name,
            country=self.country,
            entity_type=EntityType.ORGANIZATION if self.type == "unknown" else EntityType(self.type),
            region=self.region,
            date_of_birth=dob,
            identifiers=query.identifiers,
            address=self.address or "",
            incorporated_on=self.incorporated_on,
            registered_activity=self.registered_activity,
            previous_activity=self.previous_activity,
            activity_changed_on=self.activity_changed_on,
            employees=self.employees,
            turnover={int(y): v for y, v in self.turnover.items()},
            profit={int(y): v for y, v in self.profit.items()},
            financials_currency=self.financials_currency,
            address_type=self.address_type,
            is_logistics=self.is_logistics,
        )


class GoodsLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    hs_code: str = Field(max_length=20, description="HS6, CN8, TARIC10 or HTS10; dots and spaces allowed")
    description: str = Field(min_length=1, max_length=MAX_TEXT_LENGTH)
    quantity: Decimal = Field(ge=0)
    unit: str = Field(min_length=1, max_length=20)
    value: Decimal = Field(ge=0)
    currency: str

    @field_validator("hs_code")
    @classmethod
    def _hs_code(cls, value: str) -> str:
        try:
            HSCode(value)
        except ValueError as exc:
            raise ValueError(str(exc).removeprefix("hs_code: ")) from None
        return value

    @field_validator("quantity", "value")
    @classmethod
    def _amount(cls, value: Decimal) -> Decimal:
        return _finite(value, "amount")

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return _currency(value)

    def to_core(self) -> GoodsLine:
        return GoodsLine(HSCode(self.hs_code), self.description, self.quantity, self.unit, self.value, self.currency)


class OwnershipEdgeIn(BaseModel):
    """`owner` holds `percent` of `owned` (or a control right). Each end is a party role ("exporter",
    "intermediaries[0]"), a party reference, a party name, or any other name (a node outside the shipment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    owner: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    owned: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    percent: Decimal | None = Field(default=None, ge=0, le=100)
    control_type: ControlType = ControlType.SHARES
    valid_from: date | None = None
    valid_to: date | None = None
    owner_country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 of an owner outside the shipment")
    owner_listed: bool = Field(default=False, description="the owner is known to be listed")
    source: str = Field(default="", max_length=MAX_TEXT_LENGTH)

    @field_validator("owner_country")
    @classmethod
    def _owner_country(cls, value: str | None) -> str | None:
        return check_country(value)

    @field_validator("control_type")
    @classmethod
    def _control_type(cls, value: ControlType) -> ControlType:
        if value is ControlType.LIST_STATED:
            raise ValueError(
                "list_stated is derived from list relations only; use shares, voting, call_option or board_appointment"
            )
        return value

    @model_validator(mode="after")
    def _edge(self) -> OwnershipEdgeIn:
        # The core's own checks (percent range per control type, dates in order, no self-ownership).
        OwnershipEdge(self.owner, self.owned, self.control_type, self.percent, self.valid_from, self.valid_to)
        return self


SINGLE_ROLES: tuple[tuple[str, PartyRole], ...] = (
    ("exporter", PartyRole.EXPORTER),
    ("consignee", PartyRole.CONSIGNEE),
    ("end_user", PartyRole.END_USER),
    ("forwarder", PartyRole.FORWARDER),
    ("notify_party", PartyRole.NOTIFY_PARTY),
)


class ShipmentIn(BaseModel):
    """A shipment to screen: parties by role, route, goods lines and (optionally) the ownership around the parties."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reference: str = Field(min_length=1, max_length=200, description="the client's shipment reference")
    ship_date: date = Field(description="YYYY-MM-DD; rules and lists are applied as of this date")
    exporter: ShipmentPartyIn
    consignee: ShipmentPartyIn | None = None
    end_user: ShipmentPartyIn | None = None
    intermediaries: list[ShipmentPartyIn] = Field(default_factory=list, max_length=MAX_PARTIES_PER_ROLE)
    forwarder: ShipmentPartyIn | None = None
    notify_party: ShipmentPartyIn | None = None
    origin_country: str = Field(description="ISO 3166-1 alpha-2")
    destination_country: str = Field(description="ISO 3166-1 alpha-2")
    destination_region: str | None = Field(default=None, description="ISO 3166-2, e.g. 'UA-43'")
    transit_countries: list[str] = Field(default_factory=list, max_length=20, description="ISO2 or ISO 3166-2")
    goods: list[GoodsLineIn] = Field(min_length=1, max_length=MAX_GOODS_LINES)
    ownership: list[OwnershipEdgeIn] = Field(default_factory=list, max_length=MAX_OWNERSHIP_EDGES)

    @field_validator("ship_date")
    @classmethod
    def _ship_date(cls, value: date) -> date:
        if value.year < 1990 or value > date.today() + timedelta(days=366):
            raise ValueError("ship date must be between 1990 and one year from today")
        return value

    @field_validator("origin_country", "destination_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return _required_country(value)

    @field_validator("destination_region")
    @classmethod
    def _destination_region(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _region_in(value, info.data.get("destination_country"), "destination_country")

    @field_validator("transit_countries")
    @classmethod
    def _transit(cls, value: list[str]) -> list[str]:
        out = []
        for i, code in enumerate(value):
            try:
                place(code.strip().upper(), f"[{i}]")
            except ValueError as exc:
                raise ValueError(str(exc)) from None
            out.append(code.strip().upper())
        return out

    def parties(self) -> Iterator[tuple[str, PartyRole, ShipmentPartyIn]]:
        """(role key, role, input) for every party given, e.g. ('intermediaries[1]', INTERMEDIARY, ...)."""
        for key, role in SINGLE_ROLES:
            party = getattr(self, key)
            if party is not None:
                yield key, role, party
        for i, party in enumerate(self.intermediaries):
            yield f"intermediaries[{i}]", PartyRole.INTERMEDIARY, party


def _norm(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


def norm_label(label: str) -> str:
    """How edge ends are compared with party names (case, punctuation and spacing ignored)."""
    return _norm(label)


@dataclass(slots=True)
class _Party:
    key: str  # role key in the request
    party_in: ShipmentPartyIn
    core: ShipmentParty


def _to_core(request: ShipmentIn) -> tuple[Shipment, list[_Party]]:
    parties = [_Party(key, p, p.to_core(role, p.reference or key)) for key, role, p in request.parties()]
    countries: list[str] = []
    regions: list[str] = []
    for code in request.transit_countries:
        country, region = place(code, "transit_countries")
        countries.append(country)
        if region is not None:
            regions.append(region)
    try:
        shipment = Shipment(
            reference=request.reference,
            ship_date=request.ship_date,
            parties=tuple(p.core for p in parties),
            origin_country=request.origin_country,
            destination_country=request.destination_country,
            goods=tuple(line.to_core() for line in request.goods),
            destination_region=request.destination_region,
            transit_countries=tuple(dict.fromkeys(countries)),
            transit_regions=tuple(dict.fromkeys(regions)),
        )
    except ValueError as exc:
        message = str(exc)
        raise ShipmentInputError(message, field=message.split(":", 1)[0] if ":" in message else None) from None
    return shipment, parties


@dataclass(slots=True)
class _Node:
    node_id: str
    name: str
    country: str | None
    party: _Party | None = None
    flagged: bool = False


def _ownership_nodes(
    edges_in: Sequence[tuple[OwnershipEdgeIn, bool]], parties: list[_Party]
) -> tuple[dict[str, _Node], list[OwnershipEdge], set[int]]:
    """Resolve each edge end to a party (by role key, reference, then name) or a free node named as given.

    `edges_in` pairs each edge with "stated by a list"; the same fact given twice (inline and stored, or by both
    ends of a list relation) is kept once. Returns the nodes, the edges and the positions of list-stated edges."""
    by_key: dict[str, _Party] = {}
    for party in parties:
        by_key.setdefault(party.key, party)
    for party in parties:
        by_key.setdefault(party.core.party_id, party)
    by_name: dict[str, _Party] = {}
    for party in parties:
        by_name.setdefault(_norm(party.core.name), party)
    nodes: dict[str, _Node] = {}

    def resolve(label: str, country: str | None, flagged: bool) -> str:
        party = by_key.get(label) or by_name.get(_norm(label))
        if party is not None:
            node = nodes.setdefault(
                party.core.party_id, _Node(party.core.party_id, party.core.name, party.core.country, party)
            )
        else:
            node = nodes.setdefault(label, _Node(label, label, country))
            node.country = node.country or country
        node.flagged = node.flagged or flagged
        return node.node_id

    edges: list[OwnershipEdge] = []
    from_lists: set[int] = set()
    seen: set[tuple[object, ...]] = set()
    for edge, from_list in edges_in:
        owner = resolve(edge.owner, edge.owner_country, edge.owner_listed)
        owned = resolve(edge.owned, None, False)
        key = (owner, owned, edge.control_type, edge.percent, edge.valid_from, edge.valid_to)
        if key in seen:
            continue
        seen.add(key)
        if from_list:
            from_lists.add(len(edges))
        edges.append(
            OwnershipEdge(owner, owned, edge.control_type, edge.percent, edge.valid_from, edge.valid_to, edge.source)
        )
    return nodes, edges, from_lists


# Screening documents of ownership nodes outside the shipment by (name, country), for callers screening many shipments
# in one list context (a batch chunk): the same holding is then screened once, not once per shipment.
NodeCache = MutableMapping[tuple[str, str | None], dict[str, Any]]


class EdgeSource(Protocol):
    """The organisation's stored graph (`service.ownership_store.OrgGraph`): the edges a shipment needs."""

    def relevant(self, on: date, labels: Iterable[str]) -> list[OwnershipEdgeIn]: ...


def _relation_edge_in(edge: RelationEdge) -> tuple[OwnershipEdgeIn, bool]:
    # Built by this module from list data, not user input: constructed without re-validation.
    item = OwnershipEdgeIn.model_construct(
        owner=edge.owner,
        owned=edge.owned,
        percent=edge.percent,
        control_type=edge.control,
        valid_from=None,
        valid_to=None,
        owner_country=None,
        owner_listed=edge.owner_listed,
        source=edge.source,
    )
    return item, True


def _strong_matches(document: Mapping[str, Any], match_config: MatchConfig) -> list[Mapping[str, Any]]:
    return [m for m in document["matches"] if m["score"] >= match_config.review_threshold]


def _cap_list_shares(edges: list[OwnershipEdge], from_lists: set[int], on: date) -> list[OwnershipEdge]:
    """A node whose owners would exceed 100% only because of list-stated percentages keeps those edges as control
    indicators: list data is not the caller's input error."""
    totals: dict[str, Decimal] = {}
    for edge in edges:
        if edge.control is ControlType.SHARES and edge.valid_on(on):
            totals[edge.owned] = totals.get(edge.owned, Decimal(0)) + (edge.percent or Decimal(0))
    over = {owned for owned, total in totals.items() if total > Decimal(100)}
    return [
        replace(e, control=ControlType.LIST_STATED, percent=None)
        if i in from_lists and e.owned in over and e.control is ControlType.SHARES
        else e
        for i, e in enumerate(edges)
    ]


def _ownership(
    request: ShipmentIn,
    parties: list[_Party],
    screened: Mapping[str, dict[str, Any]],
    context: ScreeningContext,
    match_config: MatchConfig | None,
    on: date,
    stored: EdgeSource | None,
    node_cache: NodeCache | None,
) -> tuple[OwnershipGraph | None, set[str], set[str], list[dict[str, Any]], list[dict[str, Any]]]:
    """The ownership graph around the parties: inline edges, the organisation's stored edges valid on the ship date,
    and edges the lists state for matched parties and nodes. Returns (graph, listed node ids, possible-only
    node ids, node documents, edge documents)."""
    cfg = match_config or MatchConfig()
    edges_in: list[tuple[OwnershipEdgeIn, bool]] = [(e, False) for e in request.ownership]
    if stored is not None:
        # Stored edges are organisation-wide: they name parties by reference or name, never by role key.
        labels = [label for p in parties for label in (p.party_in.reference, p.core.name) if label]
        edges_in += [(e, False) for e in stored.relevant(on, labels)]
    relations = relation_index(context.index)
    stated: list[RelationEdge] = []
    for party in parties:
        document = screened[party.core.party_id]
        if document["decision"] in HIT_DECISIONS:
            stated += edges_of_matches(relations, party.core.party_id, _strong_matches(document, cfg))
        stated += edges_naming(relations, party.core.party_id, party.core.name)
    if not edges_in and not stated:
        return None, set(), set(), [], []

    documents: dict[str, dict[str, Any]] = {}  # free node id -> its screening document
    for depth in range(MAX_RELATION_DEPTH + 1):
        # Free nodes (owners outside the shipment) are screened once each; those the lists speak about bring the
        # lists' edges too, up to MAX_RELATION_DEPTH layers above the parties.
        nodes, edges, from_lists = _ownership_nodes([*edges_in, *map(_relation_edge_in, stated)], parties)
        more: list[RelationEdge] = []
        for node in nodes.values():
            if node.party is not None or node.node_id in documents:
                continue
            key = (node.name, node.country)
            cached = node_cache.get(key) if node_cache is not None else None
            if cached is None:
                counterparty = CounterpartyIn(name=node.name, country=node.country)
                cached = screen_counterparty(context, counterparty, match_config)
                if node_cache is not None:
                    node_cache[key] = cached
            document = documents[node.node_id] = cached
            if depth == MAX_RELATION_DEPTH:
                continue
            more += edges_naming(relations, node.node_id, node.name)
            if document["decision"] in HIT_DECISIONS:
                more += edges_of_matches(relations, node.node_id, _strong_matches(document, cfg))
        if not more:
            break
        stated += more

    listed: set[str] = set()
    possible: set[str] = set()  # listed only as a REVIEW-level possible match
    node_documents: list[dict[str, Any]] = []
    list_flagged = {edges[i].owner for i in from_lists} & {n for n in nodes if nodes[n].flagged}
    for node in nodes.values():
        if node.party is not None:
            document = screened[node.node_id]
            flagged = node.flagged or node.party.party_in.listed
        else:
            document = documents[node.node_id]
            flagged = node.flagged
        basis = ("list_relation" if node.node_id in list_flagged else "flagged") if flagged else document["decision"]
        if flagged or document["decision"] in HIT_DECISIONS:
            listed.add(node.node_id)
            if not flagged and document["decision"] == "REVIEW":
                possible.add(node.node_id)
        node_documents.append(
            {
                "node": node.node_id,
                "name": node.name,
                "country": node.country,
                "listed": node.node_id in listed,
                "basis": basis.lower(),
                "screening": document if node.party is None else None,
            }
        )
    edges = _cap_list_shares(edges, from_lists, on)
    graph = OwnershipGraph(
        tuple(edges),
        MappingProxyType({n.node_id: OwnershipNode(n.node_id, n.name, n.country) for n in nodes.values()}),
    )
    try:
        graph.shares_into(on)
    except ValueError as exc:
        raise ShipmentInputError(str(exc), field="ownership") from None
    edge_documents = [
        {
            "owner": e.owner,
            "owned": e.owned,
            "control_type": e.control.value,
            "percent": None if e.percent is None else f"{e.percent.normalize():f}",
            "valid_from": e.valid_from,
            "valid_to": e.valid_to,
            "source": e.source,
            "origin": "list" if i in from_lists else "caller",
        }
        for i, e in enumerate(edges)
        if e.valid_on(on)
    ]
    return graph, listed, possible, node_documents, edge_documents


def check_request(request: ShipmentIn) -> None:
    """The checks screening would otherwise fail on later, needing no lists: the parties' roles and the inline
    edges' totals on the ship date (a batch rejects such an item at submission, not in its chunk task)."""
    _, parties = _to_core(request)
    if request.ownership:
        _, edges, _ = _ownership_nodes([(e, False) for e in request.ownership], parties)
        try:
            OwnershipGraph(tuple(edges)).shares_into(request.ship_date)
        except ValueError as exc:
            raise ShipmentInputError(str(exc), field="ownership") from None


@lru_cache(maxsize=1)
def default_rule_set() -> RuleSet:
    """The packaged rule tables, loaded once per process."""
    return load_rule_set()


_LISTING_TEXT = {
    "listed_on_or_before_as_of": "listed on {listed_on}, on or before the ship date",
    "in_version_in_force": "in the list version in force on the ship date",
    "unknown": "whether it was already listed on the ship date is unknown",
    "current": "on the current list",
}


def _match_evidence(match: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("list", "list_version", "entity_id", "entity_name", "programs", "listed_on", "listing_date_status")
    item = {k: match.get(k) for k in keys}
    item.update(matched_name=match.get("matched_name"), name_kind=match.get("name_kind"), score=match.get("score"))
    return item


def party_finding(rules: RuleSet, party: ShipmentParty, document: Mapping[str, Any], on: date) -> Finding | None:
    """A PARTY finding for a REVIEW or BLOCK party screening result; None when the party is clear."""
    decision = document["decision"]
    if decision not in HIT_DECISIONS or not document["matches"]:
        return None
    matches = [_match_evidence(m) for m in document["matches"][:EVIDENCE_MATCHES]]
    top = matches[0]
    programs = f", programmes {', '.join(top['programs'])}" if top["programs"] else ""
    listing = _LISTING_TEXT.get(str(top["listing_date_status"]), "").format(listed_on=top["listed_on"])
    role = party.role.value.replace("_", " ")
    more = len(document["matches"]) - 1
    further = f" ({more} further match{'es' if more > 1 else ''} in the party's screening result)" if more else ""
    what = (
        f"'{top['matched_name']}' ({top['entity_name']}, entity {top['entity_id']}{programs}) on {top['list_version']} "
        f"with score {top['score']:.2f}, {listing}{further}"
    )
    if decision == "BLOCK":
        rule_id = "party.list_match"
        sentence = f"The {role} {party.name} matches {what}: a confirmed list match on {on.isoformat()}; do not ship."
    else:
        rule_id = "party.possible_match"
        sentence = (
            f"The {role} {party.name} possibly matches {what}: an analyst must confirm or dismiss the match before "
            "shipping."
        )
    if not rules.rule_active(rule_id, on):
        return None
    evidence = {
        "screening_decision": decision,
        "screening_rule": document["rule"],
        "as_of": document["as_of"],
        "matches": matches,
    }
    return make_finding(rules, rule_id, FindingKind.PARTY, sentence, evidence, party=party)


def _only_possible_roots(finding: Finding, possible: frozenset[str]) -> bool:
    """True for a BLOCK ownership finding whose listed owners are all only possible (REVIEW) matches."""
    if finding.kind is not FindingKind.OWNERSHIP or finding.severity is not Severity.BLOCK:
        return False
    roots = {p["root"] for p in finding.evidence.get("paths", ())}
    return bool(roots) and roots <= possible


def _order(finding: Finding) -> tuple[int, str, str, int]:
    return (-SEVERITY_RANK[finding.severity], finding.kind.value, finding.rule_id, finding.line or 0)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping | MappingProxyType):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def screen_shipment_request(
    db_url: str,
    request: ShipmentIn,
    *,
    rules: RuleSet | None = None,
    config: DecisionConfig | None = None,
    match_config: MatchConfig | None = None,
    context: ScreeningContext | None = None,
    on_party: Callable[[str, CounterpartyIn, dict[str, Any]], None] | None = None,
    stored: EdgeSource | None = None,
    node_cache: NodeCache | None = None,
) -> dict[str, Any]:
    """Screen a validated shipment as of its ship date and return the result document. `on_party(role key,
    counterparty, screening document)` sees each party's document before its finding is made (alerts and good-guy
    memory: a remembered false positive changes the party's decision in place)."""
    rules = rules or default_rule_set()
    config = config or DecisionConfig()
    shipment, parties = _to_core(request)
    on = shipment.ship_date
    context = context or INDEXES.context(db_url, on)
    party_documents: list[dict[str, Any]] = []
    party_findings: list[Finding] = []
    screened: dict[str, dict[str, Any]] = {}  # party_id -> screening document (for the ownership predicate)
    for party in parties:
        document = screen_counterparty(context, party.party_in.counterparty(), match_config)
        if on_party is not None:
            on_party(party.key, party.party_in.counterparty(), document)
        party_documents.append(
            {"role": party.key, "party_ref": party.core.party_id, "name": party.core.name, "screening": document}
        )
        previous = screened.get(party.core.party_id)
        if previous is None or document["decision"] in HIT_DECISIONS:
            screened[party.core.party_id] = document
        finding = party_finding(rules, party.core, document, on)
        if finding is not None:
            party_findings.append(finding)

    graph, listed, possible, node_documents, edge_documents = _ownership(
        request, parties, screened, context, match_config, on, stored, node_cache
    )

    result = screen_shipment(
        shipment, rules, config, party_findings=party_findings, ownership=graph, listed=frozenset(listed)
    )
    findings = list(result.findings)
    decision, total = result.decision, result.score
    if possible and any(_only_possible_roots(f, frozenset(possible)) for f in findings):
        # A 50%-rule BLOCK resting only on possible (REVIEW) owner matches is a question, not a block, until confirmed.
        findings = [
            replace(
                f,
                severity=Severity.HIGH,
                sentence=f.sentence + " The owner is only a possible list match: confirm it before treating the "
                "party as blocked.",
            )
            if _only_possible_roots(f, frozenset(possible))
            else f
            for f in findings
        ]
        findings = sorted(findings, key=_order)
        decision, total = decide(findings, config)

    out: dict[str, Any] = _jsonable(
        {
            "reference": shipment.reference,
            "decision": decision.value.upper(),
            "score": total,
            "as_of": on.isoformat(),
            "findings": [f.to_dict() for f in findings],
            "parties": party_documents,
            "ownership_nodes": node_documents,
            "ownership_edges": edge_documents,
            "list_versions": context.list_versions,
            "rule_set_version": result.rule_set_version,
            "table_versions": dict(result.table_versions),
            "config_id": result.config_id,
            "algorithm": ALGORITHM,
        }
    )
    return out


def is_shipment(item: Mapping[str, Any]) -> bool:
    """A JSON record is a shipment (not a counterparty) when it has a ship date and goods lines."""
    return "ship_date" in item and "goods" in item
