"""A shipment as the screening core sees it: parties by role, route, goods lines, and the findings and decision.

Pure data with validation at construction: a bad HS code, country, region or currency raises `ValueError` naming the
field, so nothing downstream has to re-check a loose string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import pycountry

from service.core.countries import is_iso2
from service.core.model import EntityType, Identifier, PartialDate


class PartyRole(StrEnum):
    EXPORTER = "exporter"
    CONSIGNEE = "consignee"
    END_USER = "end_user"
    INTERMEDIARY = "intermediary"
    FORWARDER = "forwarder"
    NOTIFY_PARTY = "notify_party"


class Severity(StrEnum):
    BLOCK = "block"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


class FindingKind(StrEnum):
    PARTY = "party"
    GOODS = "goods"
    DESTINATION = "destination"
    ROUTE = "route"
    OWNERSHIP = "ownership"
    PROFILE = "profile"


class Decision(StrEnum):
    CLEAR = "clear"
    REVIEW = "review"
    BLOCK = "block"


def check_country(value: str, field_name: str) -> str:
    """Return `value` when it is an ISO 3166-1 alpha-2 code; else raise ValueError naming the field."""
    if not isinstance(value, str) or len(value) != 2 or value != value.upper() or not is_iso2(value):
        raise ValueError(f"{field_name}: {value!r} is not an ISO 3166-1 alpha-2 country code (e.g. 'RU')")
    return value


@lru_cache(maxsize=1024)
def _is_subdivision(code: str) -> bool:
    return pycountry.subdivisions.get(code=code) is not None  # type: ignore[no-untyped-call]


def check_region(value: str, field_name: str) -> str:
    """Return `value` when it is an ISO 3166-2 subdivision code such as 'UA-43'; else raise ValueError."""
    if not isinstance(value, str) or "-" not in value or not _is_subdivision(value):
        raise ValueError(f"{field_name}: {value!r} is not an ISO 3166-2 subdivision code (e.g. 'UA-43' for Crimea)")
    return value


@lru_cache(maxsize=512)
def _is_currency(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None


@dataclass(frozen=True, slots=True)
class HSCode:
    """A declared commodity code: HS6, EU CN8, TARIC10 or US HTS10. `digits` drops the dots and spaces of `declared`."""

    declared: str
    digits: str = field(init=False)

    def __post_init__(self) -> None:
        digits = self.declared.replace(".", "").replace(" ", "")
        if not digits.isascii() or not digits.isdigit() or len(digits) not in (6, 8, 10):
            raise ValueError(
                f"hs_code: {self.declared!r} is not a commodity code: expected 6 (HS), 8 (CN) or 10 (TARIC/HTS) digits"
            )
        object.__setattr__(self, "digits", digits)

    @property
    def hs6(self) -> str:
        return self.digits[:6]

    @property
    def heading(self) -> str:
        return self.digits[:4]

    @property
    def chapter(self) -> str:
        return self.digits[:2]

    def display_hs6(self) -> str:
        """The HS6 in the customary dotted form, e.g. '8542.31'."""
        return f"{self.digits[:4]}.{self.digits[4:6]}"


@dataclass(frozen=True, slots=True)
class GoodsLine:
    hs_code: HSCode
    description: str
    quantity: Decimal
    unit: str
    value: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.hs_code, HSCode):
            raise ValueError(f"hs_code: expected HSCode, got {type(self.hs_code).__name__}")
        for name in ("quantity", "value"):
            amount = getattr(self, name)
            if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
                raise ValueError(f"{name}: {amount!r} must be a finite, non-negative Decimal")
        if not (len(self.currency) == 3 and self.currency.isupper() and _is_currency(self.currency)):
            raise ValueError(f"currency: {self.currency!r} is not an ISO 4217 code (e.g. 'EUR')")


@dataclass(frozen=True, slots=True)
class ShipmentParty:
    """One counterparty in one role, with the company-profile facts the red-flag rules read."""

    role: PartyRole
    party_id: str  # the caller's reference; also the node id in the ownership graph
    name: str
    country: str
    entity_type: EntityType = EntityType.ORGANIZATION
    region: str | None = None  # ISO 3166-2 of the address, when known (occupied regions are matched on it)
    date_of_birth: PartialDate | None = None
    identifiers: tuple[Identifier, ...] = ()
    address: str = ""
    incorporated_on: date | None = None
    registered_activity: str | None = None  # NACE code and/or text, as registered now
    previous_activity: str | None = None  # the activity registered before `activity_changed_on`
    activity_changed_on: date | None = None
    employees: int | None = None
    turnover: Mapping[int, Decimal] = field(default_factory=lambda: MappingProxyType({}))  # by year, in `currency`
    profit: Mapping[int, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    financials_currency: str | None = None
    address_type: str | None = None  # "business", "residential", "shared", "virtual", "po_box"
    is_logistics: bool = False

    def __post_init__(self) -> None:
        if not self.party_id:
            raise ValueError("party_id: must not be empty")
        check_country(self.country, f"{self.role.value}.country")
        if self.region is not None:
            check_region(self.region, f"{self.role.value}.region")
        if self.employees is not None and self.employees < 0:
            raise ValueError(f"{self.role.value}.employees: must not be negative")
        for label, series in (("turnover", self.turnover), ("profit", self.profit)):
            for year, amount in series.items():
                if not isinstance(amount, Decimal) or not amount.is_finite():
                    raise ValueError(f"{self.role.value}.{label}[{year}]: {amount!r} must be a finite Decimal")
        object.__setattr__(self, "turnover", MappingProxyType(dict(self.turnover)))
        object.__setattr__(self, "profit", MappingProxyType(dict(self.profit)))


@dataclass(frozen=True, slots=True)
class Shipment:
    reference: str
    ship_date: date
    parties: tuple[ShipmentParty, ...]
    origin_country: str
    destination_country: str
    goods: tuple[GoodsLine, ...]
    destination_region: str | None = None
    transit_countries: tuple[str, ...] = ()
    transit_regions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_country(self.origin_country, "origin_country")
        check_country(self.destination_country, "destination_country")
        if self.destination_region is not None:
            check_region(self.destination_region, "destination_region")
            if not self.destination_region.startswith(self.destination_country + "-"):
                raise ValueError(f"destination_region: {self.destination_region} is not in {self.destination_country}")
        for i, country in enumerate(self.transit_countries):
            check_country(country, f"transit_countries[{i}]")
        for i, region in enumerate(self.transit_regions):
            check_region(region, f"transit_regions[{i}]")
        if not self.goods:
            raise ValueError("goods: a shipment needs at least one goods line")
        exporters = [p for p in self.parties if p.role is PartyRole.EXPORTER]
        if len(exporters) != 1:
            raise ValueError(f"parties: exactly one exporter expected, got {len(exporters)}")
        for role in (PartyRole.CONSIGNEE, PartyRole.END_USER, PartyRole.FORWARDER, PartyRole.NOTIFY_PARTY):
            if sum(1 for p in self.parties if p.role is role) > 1:
                raise ValueError(f"parties: at most one {role.value} (use intermediaries for more)")

    @property
    def exporter(self) -> ShipmentParty:
        return next(p for p in self.parties if p.role is PartyRole.EXPORTER)

    def party(self, role: PartyRole) -> ShipmentParty | None:
        """The single party in `role`, or None."""
        return next((p for p in self.parties if p.role is role), None)

    @property
    def receivers(self) -> tuple[ShipmentParty, ...]:
        """Consignee and end user: the parties the goods are delivered to or used by."""
        return tuple(p for p in self.parties if p.role in (PartyRole.CONSIGNEE, PartyRole.END_USER))


def place(code: str, field_name: str = "destination") -> tuple[str, str | None]:
    """Split 'UA-43' into ('UA', 'UA-43') and 'DE' into ('DE', None), validating either form."""
    if "-" in code:
        region = check_region(code, field_name)
        return check_country(region.split("-", 1)[0], field_name), region
    return check_country(code, field_name), None


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason for the decision: which rule (id and version) fired, how severe, on what evidence, in one sentence."""

    kind: FindingKind
    rule_id: str
    rule_version: str
    severity: Severity
    sentence: str
    evidence: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    party_role: PartyRole | None = None
    party_ref: str | None = None
    line: int | None = None  # index of the goods line, when the finding is about one

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind.value,
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "severity": self.severity.value,
            "sentence": self.sentence,
            "evidence": dict(self.evidence),
            "party_role": self.party_role.value if self.party_role else None,
            "party_ref": self.party_ref,
            "line": self.line,
        }


@dataclass(frozen=True, slots=True)
class ShipmentDecision:
    """The one decision for a shipment, every finding behind it, and the rule-set version it was computed with."""

    reference: str
    decision: Decision
    score: int
    findings: tuple[Finding, ...]
    rule_set_version: str
    table_versions: Mapping[str, str]
    config_id: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "reference": self.reference,
            "decision": self.decision.value,
            "score": self.score,
            "findings": [f.to_dict() for f in self.findings],
            "rule_set_version": self.rule_set_version,
            "table_versions": dict(self.table_versions),
            "config_id": self.config_id,
        }
