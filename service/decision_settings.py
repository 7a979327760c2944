"""Per-organisation decision settings: severity weights, severity overrides, rule switches and rule thresholds
(`service.core.decide.DecisionConfig`), stored as JSON in `org_setting` under key "decision" and audited on change.

A stored setting replaces the defaults as a whole document (fields left out take their default), so what GET shows
is exactly what screening uses; `config_id` = "<org>:<first 12 hex of the config hash>" is cited in every shipment
result so a decision can be traced to the settings that produced it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from service import audit
from service.core.decide import DEFAULT_WEIGHTS, DecisionConfig
from service.core.errors import ScreeningError
from service.core.goods import DEFAULT_TIER_SEVERITY
from service.core.ownership import OwnershipThresholds
from service.core.profile import ProfileThresholds
from service.core.shipment import Severity
from service.db.models import OrgSetting
from service.db.session import session_scope

DECISION_KEY = "decision"
AddressType = Literal["business", "residential", "shared", "virtual", "po_box"]
_PROFILE = ProfileThresholds()
_OWNERSHIP = OwnershipThresholds()


class SettingsInputError(ScreeningError):
    code = "validation_error"
    status = 422


def _catalogue_ids() -> frozenset[str]:
    from service.shipments import default_rule_set  # the packaged rule catalogue, loaded once per process

    return frozenset(row.rule_id for row in default_rule_set().rows("catalogue"))


def _known_rules(rule_ids: list[str] | dict[str, Any]) -> None:
    known = _catalogue_ids()
    unknown = sorted(set(rule_ids) - known)
    if unknown:
        raise ValueError(
            f"unknown rule id {unknown[0]!r}; rule ids are those of the rule catalogue, e.g. 'profile.address_type'"
        )


class OwnershipSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    block_percent: Decimal = Field(default=_OWNERSHIP.block_percent, gt=0, le=100)
    voting_control_percent: Decimal = Field(default=_OWNERSHIP.voting_control_percent, ge=0, le=100)
    largest_shareholder_min: Decimal = Field(default=_OWNERSHIP.largest_shareholder_min, ge=0, le=100)
    related_party_percent: Decimal = Field(default=_OWNERSHIP.related_party_percent, gt=0, le=100)


class ProfileSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    activity_change_window_days: int = Field(default=_PROFILE.activity_change_window_days, ge=0, le=3650)
    surge_factor: Decimal = Field(default=_PROFILE.surge_factor, gt=1, le=1_000_000)
    value_per_employee_limit: Decimal = Field(default=_PROFILE.value_per_employee_limit, gt=0)
    turnover_per_employee_limit: Decimal = Field(default=_PROFILE.turnover_per_employee_limit, gt=0)
    risky_address_types: list[AddressType] = Field(
        default_factory=lambda: [t for t in get_args(AddressType) if t in _PROFILE.risky_address_types]
    )


class DecisionSettings(BaseModel):
    """The body of `PUT /v1/settings/decision` (every field optional: left out = the default)."""

    model_config = ConfigDict(extra="forbid")

    disabled_rules: list[str] = Field(default_factory=list, max_length=500, description="rule ids switched off")
    severity_overrides: dict[str, Severity] = Field(default_factory=dict, description="rule id → severity")
    weights: dict[Severity, int] = Field(
        default_factory=lambda: {s: w for s, w in DEFAULT_WEIGHTS.items()},
        description="severity → weight; severities left out keep their default weight",
    )
    review_threshold: int = Field(default=DecisionConfig().review_threshold, gt=0, le=1_000_000)
    tier_severity: dict[str, Severity] = Field(
        default_factory=lambda: dict(DEFAULT_TIER_SEVERITY), description="goods tier → severity"
    )
    ownership: OwnershipSettings = Field(default_factory=OwnershipSettings)
    profile: ProfileSettings = Field(default_factory=ProfileSettings)

    @field_validator("disabled_rules")
    @classmethod
    def _disabled(cls, value: list[str]) -> list[str]:
        _known_rules(value)
        return sorted(set(value))

    @field_validator("severity_overrides")
    @classmethod
    def _overrides(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        _known_rules(value)
        return value

    @field_validator("weights")
    @classmethod
    def _weights(cls, value: dict[Severity, int]) -> dict[Severity, int]:
        for severity, weight in value.items():
            if not 0 <= weight <= 1_000_000:
                raise ValueError(f"weight of {severity.value} must be between 0 and 1000000")
        return {**DEFAULT_WEIGHTS, **value}

    @field_validator("tier_severity")
    @classmethod
    def _tiers(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        for tier in value:
            if tier not in DEFAULT_TIER_SEVERITY:
                raise ValueError(f"unknown goods tier {tier!r}; tiers are {', '.join(sorted(DEFAULT_TIER_SEVERITY))}")
        return value

    def document(self) -> dict[str, Any]:
        """The canonical JSON form stored and shown (Decimals as strings, severities as their names)."""
        data: dict[str, Any] = self.model_dump(mode="json")
        return data

    def to_config(self, config_id: str) -> DecisionConfig:
        o, p = self.ownership, self.profile
        return DecisionConfig(
            config_id=config_id,
            disabled_rules=frozenset(self.disabled_rules),
            severity_overrides=MappingProxyType(dict(self.severity_overrides)),
            weights=MappingProxyType(dict(self.weights)),
            review_threshold=self.review_threshold,
            tier_severity=MappingProxyType(dict(self.tier_severity)),
            ownership=OwnershipThresholds(
                o.block_percent, o.voting_control_percent, o.largest_shareholder_min, o.related_party_percent
            ),
            profile=ProfileThresholds(
                p.activity_change_window_days,
                p.surge_factor,
                p.value_per_employee_limit,
                p.turnover_per_employee_limit,
                frozenset(p.risky_address_types),
            ),
        )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite returns naive UTC


def settings_hash(document: dict[str, Any]) -> str:
    return audit.content_sha256(document)


def _view(org_id: str, row: OrgSetting | None) -> dict[str, Any]:
    settings = DecisionSettings() if row is None else DecisionSettings.model_validate(row.value)
    document = settings.document()
    digest = settings_hash(document)
    return {
        "org_id": org_id,
        "settings": document,
        "config_hash": digest,
        "config_id": "default" if row is None else f"{org_id}:{digest[:12]}",
        "is_default": row is None,
        "updated_at": None if row is None else _utc(row.updated_at).isoformat(),
        "updated_by": None if row is None else row.updated_by,
    }


def get_decision_settings(session: Session, org_id: str) -> dict[str, Any]:
    """The organisation's decision settings as GET shows them (the defaults when none are stored)."""
    return _view(org_id, session.get(OrgSetting, (org_id, DECISION_KEY)))


def put_decision_settings(
    session: Session, org_id: str, settings: DecisionSettings, *, actor: audit.Actor, key_id: str | None
) -> dict[str, Any]:
    """Store the organisation's settings and append `settings.changed` (old and new values, both hashes)."""
    try:
        settings.to_config("check")  # the core's own invariants, so a stored setting always loads
    except ValueError as exc:
        message = str(exc)
        raise SettingsInputError(message, field=message.split(":", 1)[0] if ":" in message else None) from None
    row = session.get(OrgSetting, (org_id, DECISION_KEY))
    old = _view(org_id, row)
    now = datetime.now(UTC)
    document = settings.document()
    if row is None:
        row = OrgSetting(org_id=org_id, key=DECISION_KEY, value=document, updated_at=now, updated_by=key_id)
        session.add(row)
    else:
        row.value, row.updated_at, row.updated_by = document, now, key_id
    session.flush()
    new = _view(org_id, row)
    audit.append_event(
        session,
        action="settings.changed",
        object_type="org_setting",
        object_id=DECISION_KEY,
        payload={
            "key": DECISION_KEY,
            "old": old["settings"],
            "new": new["settings"],
            "old_config_hash": old["config_hash"],
            "config_hash": new["config_hash"],
        },
        actor=actor,
        org_id=org_id,
        now=now,
    )
    return new


def load_decision_config(db_url: str, org_id: str | None) -> DecisionConfig:
    """The DecisionConfig screening uses for `org_id` (the defaults for None or when nothing is stored)."""
    if org_id is None:
        return DecisionConfig()
    with session_scope(db_url) as session:
        row = session.get(OrgSetting, (org_id, DECISION_KEY))
        if row is None:
            return DecisionConfig()
        settings = DecisionSettings.model_validate(row.value)
    return settings.to_config(f"{org_id}:{settings_hash(settings.document())[:12]}")
