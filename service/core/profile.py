"""Company-profile red flags (DOMAIN.md §6 items 4-8): recent incorporation, activity changed or inconsistent with the
goods, dormant-to-surge financials, implausible headcount, risky address type, a logistics firm as consignee."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise

from service.core.rules import ActivityHint, GoodsRow, RuleSet, make_finding
from service.core.shipment import Finding, FindingKind, PartyRole, Shipment, ShipmentParty


@dataclass(frozen=True, slots=True)
class ProfileThresholds:
    activity_change_window_days: int = 365  # a change this close to the ship date (either side) is a flag
    surge_factor: Decimal = Decimal(10)  # "orders of magnitude": ×10 between two consecutive reported years
    # Currency-agnostic on purpose (no FX in the core): the limit is read in whatever currency the figures are in.
    value_per_employee_limit: Decimal = Decimal(2_000_000)
    turnover_per_employee_limit: Decimal = Decimal(2_000_000)
    risky_address_types: frozenset[str] = field(
        default_factory=lambda: frozenset({"residential", "shared", "virtual", "po_box"})
    )


def _money(amount: Decimal) -> str:
    return f"{amount:,.0f}"


def activity_on(party: ShipmentParty, on: date) -> str | None:
    """The registered activity in force on `on`: the previous one when the change came later."""
    if party.activity_changed_on is not None and on < party.activity_changed_on and party.previous_activity:
        return party.previous_activity
    return party.registered_activity


def incorporated_recently(
    rules: RuleSet, party: ShipmentParty, shipment: Shipment, controlled: Mapping[int, Sequence[GoodsRow]]
) -> list[Finding]:
    """Incorporated after the invasion date (milestone) and shipping controlled goods."""
    invasion = rules.milestone("russia_invasion")
    if party.incorporated_on is None or party.incorporated_on <= invasion or not controlled:
        return []
    return [
        make_finding(
            rules,
            "profile.incorporated_recently",
            FindingKind.PROFILE,
            f"{party.name} was incorporated on {party.incorporated_on.isoformat()}, after Russia's invasion of "
            f"Ukraine ({invasion.isoformat()}), and this shipment carries high-priority goods: a pattern of "
            "newly formed intermediaries; check its history and owners.",
            {"incorporated_on": party.incorporated_on.isoformat(), "after": invasion.isoformat()},
            party=party,
        )
    ]


def activity_flags(
    rules: RuleSet, party: ShipmentParty, shipment: Shipment, thresholds: ProfileThresholds
) -> list[Finding]:
    """Activity changed near the ship date; activity in force on the ship date inconsistent with goods lines."""
    findings: list[Finding] = []
    on = shipment.ship_date
    changed = party.activity_changed_on
    if changed is not None and abs((on - changed).days) <= thresholds.activity_change_window_days:
        before = f" from '{party.previous_activity}'" if party.previous_activity else ""
        findings.append(
            make_finding(
                rules,
                "profile.activity_changed",
                FindingKind.PROFILE,
                f"{party.name} changed its registered activity{before} to '{party.registered_activity}' on "
                f"{changed.isoformat()}, within {thresholds.activity_change_window_days} days of the shipment "
                f"({on.isoformat()}): ask why the business changed.",
                {
                    "activity_changed_on": changed.isoformat(),
                    "previous_activity": party.previous_activity,
                    "registered_activity": party.registered_activity,
                    "days_from_ship_date": (on - changed).days,
                },
                party=party,
            )
        )
    activity = activity_on(party, on)
    if activity is None:
        return findings
    hints: list[ActivityHint] = [h for h in rules.activity_hints() if h.matches(activity)]
    if not hints:
        return findings  # an activity we know nothing about is not evidence either way
    odd = [i for i, line in enumerate(shipment.goods) if not any(h.allows(line.hs_code.digits) for h in hints)]
    if odd:
        codes = ", ".join(f"{shipment.goods[i].hs_code.display_hs6()} (line {i + 1})" for i in odd)
        findings.append(
            make_finding(
                rules,
                "profile.activity_inconsistent",
                FindingKind.PROFILE,
                f"On {on.isoformat()} {party.name} was registered for '{activity}' "
                f"({', '.join(h.description for h in hints)}), which does not fit goods {codes}: ask how it "
                "comes to trade them.",
                {
                    "activity": activity,
                    "hints": [h.activity for h in hints],
                    "lines": [i + 1 for i in odd],
                    "table_version": hints[0].table.version,
                },
                party=party,
            )
        )
    return findings


def surge_flags(
    rules: RuleSet, party: ShipmentParty, shipment: Shipment, thresholds: ProfileThresholds
) -> list[Finding]:
    """Turnover or profit up by `surge_factor` or more between consecutive reported years up to the ship year."""
    findings: list[Finding] = []
    currency = f" {party.financials_currency}" if party.financials_currency else ""
    for label, series in (("turnover", party.turnover), ("profit", party.profit)):
        years = sorted(y for y in series if y <= shipment.ship_date.year)
        for earlier, later in reversed(list(pairwise(years))):  # the latest surge is the relevant one
            old, new = series[earlier], series[later]
            if old > 0 and new >= old * thresholds.surge_factor:
                factor = (new / old).quantize(Decimal(1))
                findings.append(
                    make_finding(
                        rules,
                        "profile.turnover_surge",
                        FindingKind.PROFILE,
                        f"{party.name}'s {label} rose from {_money(old)}{currency} in {earlier} to "
                        f"{_money(new)}{currency} in {later} (×{factor}): a dormant-to-surge pattern; ask what "
                        "business produced it.",
                        {"series": label, "from_year": earlier, "to_year": later, "from": str(old), "to": str(new)},
                        party=party,
                    )
                )
                break  # one surge per series is enough to ask the question
    return findings


def headcount_flags(
    rules: RuleSet, party: ShipmentParty, shipment: Shipment, thresholds: ProfileThresholds
) -> list[Finding]:
    """Shipment value or turnover per employee above the configured limits."""
    # Forwarders and notify parties are service providers: their headcount says nothing about the trade.
    if party.employees is None or party.role in (PartyRole.FORWARDER, PartyRole.NOTIFY_PARTY):
        return []
    staff = max(party.employees, 1)
    reasons: list[str] = []
    evidence: dict[str, object] = {"employees": party.employees}
    totals: dict[str, Decimal] = {}
    for line in shipment.goods:
        totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.value
    for currency, total in sorted(totals.items()):
        if total / staff > thresholds.value_per_employee_limit:
            reasons.append(f"this shipment is worth {_money(total)} {currency}")
            evidence[f"shipment_value_{currency}"] = str(total)
    past = [y for y in party.turnover if y <= shipment.ship_date.year]
    if past:
        year = max(past)
        turnover = party.turnover[year]
        if turnover / staff > thresholds.turnover_per_employee_limit:
            reasons.append(f"its {year} turnover was {_money(turnover)} {party.financials_currency or ''}".rstrip())
            evidence["turnover_year"] = year
            evidence["turnover"] = str(turnover)
    if not reasons:
        return []
    people = "employee" if party.employees == 1 else "employees"
    return [
        make_finding(
            rules,
            "profile.headcount_implausible",
            FindingKind.PROFILE,
            f"{party.name} has {party.employees} {people} but " + " and ".join(reasons) + ": implausible for a "
            "real trading business; check that it is not a front.",
            evidence,
            party=party,
        )
    ]


def address_flags(rules: RuleSet, party: ShipmentParty, thresholds: ProfileThresholds) -> list[Finding]:
    """Residential, shared, virtual or PO-box address."""
    if party.address_type is None or party.address_type not in thresholds.risky_address_types:
        return []
    return [
        make_finding(
            rules,
            "profile.address_type",
            FindingKind.PROFILE,
            f"{party.name}'s address ({party.address or 'not given'}) is a {party.address_type.replace('_', ' ')} "
            "address, unusual for a trading company; confirm it operates there.",
            {"address": party.address, "address_type": party.address_type},
            party=party,
        )
    ]


def _same_party(a: ShipmentParty, b: ShipmentParty) -> bool:
    return a.party_id == b.party_id or " ".join(a.name.lower().split()) == " ".join(b.name.lower().split())


def logistics_receiver_flags(rules: RuleSet, shipment: Shipment) -> list[Finding]:
    """A freight forwarder or logistics firm as consignee or end user (or the forwarder doubling as one)."""
    forwarder = shipment.party(PartyRole.FORWARDER)
    findings = []
    for party in shipment.receivers:
        doubles = forwarder is not None and _same_party(party, forwarder)
        if not (party.is_logistics or doubles):
            continue
        role = party.role.value.replace("_", " ")
        why = "is also the freight forwarder" if doubles else "is a freight forwarder or logistics firm"
        findings.append(
            make_finding(
                rules,
                "profile.logistics_consignee",
                FindingKind.PROFILE,
                f"The {role} {party.name} {why}: a forwarder as ultimate consignee hides the real buyer (BIS red "
                "flag); obtain the end user.",
                {"role": party.role.value, "is_logistics": party.is_logistics, "same_as_forwarder": doubles},
                party=party,
            )
        )
    return findings


def profile_findings(
    rules: RuleSet,
    shipment: Shipment,
    controlled: Mapping[int, Sequence[GoodsRow]],
    thresholds: ProfileThresholds = ProfileThresholds(),
) -> list[Finding]:
    """Every profile red flag for every party of the shipment, each only while its rule is in force."""
    on = shipment.ship_date
    findings: list[Finding] = []
    for party in shipment.parties:
        findings += incorporated_recently(rules, party, shipment, controlled)
        findings += activity_flags(rules, party, shipment, thresholds)
        findings += surge_flags(rules, party, shipment, thresholds)
        findings += headcount_flags(rules, party, shipment, thresholds)
        findings += address_flags(rules, party, thresholds)
    findings += logistics_receiver_flags(rules, shipment)
    return [f for f in findings if rules.rule_active(f.rule_id, on)]
