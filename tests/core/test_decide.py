from __future__ import annotations

import subprocess
import sys
from types import MappingProxyType

import pytest

from service.core.decide import DecisionConfig, apply_config, decide, screen_shipment
from service.core.rules import load_rule_set, make_finding
from service.core.shipment import Decision, FindingKind, PartyRole, Severity
from tests.core import stories
from tests.core.shipment_builders import line, party, shipment

RULES = load_rule_set()


def f(rule_id: str, severity: Severity | None = None):  # type: ignore[no-untyped-def]
    return make_finding(RULES, rule_id, FindingKind.ROUTE, "A sentence for the analyst.", {}, severity=severity)


def test_block_wins_then_threshold_then_clear() -> None:
    cfg = DecisionConfig()
    assert decide([f("route.embargoed_destination")], cfg) == (Decision.BLOCK, 100)
    assert decide([f("route.clause_12g")], cfg) == (Decision.REVIEW, 30)
    assert decide([f("goods.high_priority")], cfg) == (Decision.CLEAR, 10)
    assert decide([], cfg) == (Decision.CLEAR, 0)


def test_repeats_of_one_rule_do_not_add_up_but_distinct_rules_do() -> None:
    cfg = DecisionConfig()
    lows = [f("goods.high_priority") for _ in range(5)]
    assert decide(lows, cfg) == (Decision.CLEAR, 10)
    mixed = [f("goods.high_priority"), f("profile.address_type"), f("route.multiple_hubs", Severity.LOW)]
    assert decide(mixed, cfg) == (Decision.REVIEW, 30)


def test_switches_and_overrides_per_organisation() -> None:
    kz = stories.kontron_to_kazakhstan()
    strict = DecisionConfig(
        config_id="strict", severity_overrides=MappingProxyType({"route.transshipment_hub": Severity.BLOCK})
    )
    lenient = DecisionConfig(
        config_id="lenient", disabled_rules=frozenset({"route.transshipment_hub", "route.clause_12g"})
    )
    assert screen_shipment(kz, RULES, strict).decision is Decision.BLOCK
    result = screen_shipment(kz, RULES, lenient)
    assert result.decision is Decision.CLEAR and result.config_id == "lenient"
    assert [x.rule_id for x in result.findings] == ["goods.high_priority"]


def test_party_findings_from_the_caller_are_decided_and_configurable() -> None:
    hit = make_finding(
        RULES,
        "ownership.control_listed",  # any catalogue rule; the lead will add party.* rules with the matcher
        FindingKind.PARTY,
        "Consignee matches OFAC SDN entry 12345.",
        {"list": "ofac_sdn"},
        severity=Severity.BLOCK,
        party=party(PartyRole.CONSIGNEE, "c", "C", "DE"),
    )
    coffee = stories.coffee_brazil_germany()
    assert screen_shipment(coffee, RULES, party_findings=[hit]).decision is Decision.BLOCK
    cfg = DecisionConfig(disabled_rules=frozenset({"ownership.control_listed"}))
    assert apply_config([hit], cfg) == []


def test_findings_are_ordered_most_severe_first_and_decision_serialises() -> None:
    result = screen_shipment(stories.kominvex_to_russia(), RULES)
    ranks = [x.severity for x in result.findings]
    assert ranks[0] is Severity.BLOCK and ranks[-1] is not Severity.BLOCK
    data = result.to_dict()
    assert data["decision"] == "block" and data["rule_set_version"] == RULES.version
    assert all(isinstance(x["sentence"], str) for x in data["findings"])


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="weights"):
        DecisionConfig(weights=MappingProxyType({Severity.BLOCK: 100}))
    with pytest.raises(ValueError, match="review_threshold"):
        DecisionConfig(review_threshold=0)


def test_result_is_independent_of_goods_line_order() -> None:
    a = shipment(destination="KZ", goods=(line("854231"), line("090121"), line("848210")))
    b = shipment(destination="KZ", goods=(line("848210"), line("090121"), line("854231")))
    ra, rb = screen_shipment(a, RULES), screen_shipment(b, RULES)
    assert (ra.decision, ra.score) == (rb.decision, rb.score)


def test_core_does_not_import_web_queue_or_database() -> None:
    code = (
        "import sys; import service.core.decide; "
        "print(sorted(m for m in ('fastapi', 'celery', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
