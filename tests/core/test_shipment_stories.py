"""The seed stories (shared/seeds) as shipments: the rule parts of what a screening service should have said."""

from __future__ import annotations

from datetime import date

from service.core.decide import screen_shipment
from service.core.rules import load_rule_set
from service.core.shipment import Decision, FindingKind, PartyRole, Severity
from tests.core import stories

RULES = load_rule_set()


def rule_ids(decision):  # type: ignore[no-untyped-def]
    return {f.rule_id for f in decision.findings}


def test_kontron_to_iskra_2023_blocks_for_destination_and_goods() -> None:
    result = screen_shipment(stories.kontron_to_iskra(), RULES)
    assert result.decision is Decision.BLOCK
    blocks = {(f.kind, f.rule_id) for f in result.findings if f.severity is Severity.BLOCK}
    assert blocks == {
        (FindingKind.DESTINATION, "route.embargoed_destination"),
        (FindingKind.GOODS, "goods.export_ban"),
    }
    goods = next(f for f in result.findings if f.rule_id == "goods.export_ban")
    assert goods.sentence.startswith("Line 1: HS 8517.62 (declared 8517.62.00) is CHPL Tier 2")
    assert "Russia (RU)" in goods.sentence and "2023-08-15" in goods.sentence
    assert "route.clause_12g" not in rule_ids(result)  # a ban, and before Art. 12g applied
    assert result.rule_set_version == RULES.version and result.table_versions["chpl"] == "2024-02-23"


def test_kontron_group_controls_iskra_related_party_review_with_path() -> None:
    result = screen_shipment(stories.kontron_to_iskra(), RULES, ownership=stories.KONTRON_GROUP)
    (related,) = [f for f in result.findings if f.rule_id == "ownership.related_party"]
    assert related.severity is Severity.MEDIUM and related.party_role is PartyRole.CONSIGNEE
    assert related.party_ref == "iskra-tech"
    assert "Kontron d.o.o. →48.4%→ Iskra Technologies JSC: 48.4%" in related.sentence
    assert "call option" in related.sentence and "Art. 8a" in related.sentence
    assert result.decision is Decision.BLOCK  # still blocked by destination and goods


def test_listed_kontron_48_4_plus_call_option_is_control_review_not_block() -> None:
    # Read the other way: if the 48.4% holder were listed, Iskra is controlled (EU/UK tests), not 50%-blocked.
    result = screen_shipment(stories.kontron_to_iskra(), RULES, ownership=stories.KONTRON_GROUP, listed={"kontron-si"})
    owned = [f for f in result.findings if f.party_ref == "iskra-tech" and f.kind is FindingKind.OWNERSHIP]
    assert {f.rule_id for f in owned} == {"ownership.control_listed", "ownership.related_party"}
    control = next(f for f in owned if f.rule_id == "ownership.control_listed")
    assert control.severity is Severity.HIGH
    assert "48.4%" in control.sentence and "below the 50% rule" in control.sentence
    assert "ownership.majority_listed" not in rule_ids(result)


def test_kominvex_2022_blocks_with_profile_red_flags() -> None:
    result = screen_shipment(stories.kominvex_to_russia(), RULES)
    assert result.decision is Decision.BLOCK
    assert {"route.embargoed_destination", "goods.export_ban"} <= rule_ids(result)
    profile = {f.rule_id: f for f in result.findings if f.kind is FindingKind.PROFILE}
    assert {"profile.activity_changed", "profile.activity_inconsistent", "profile.headcount_implausible"} <= set(
        profile
    )
    assert "profile.turnover_surge" in profile  # profit $1,600 (2021) → $1.5m (2022)
    assert all(f.party_ref == "kominvex" for f in profile.values())
    assert "motor vehicle" in profile["profile.activity_inconsistent"].sentence
    assert "8542.31" in profile["profile.activity_inconsistent"].sentence
    assert profile["profile.headcount_implausible"].sentence.startswith(
        "Kominvex DOO Beograd has 1 employee but this shipment is worth 54,300,000 USD"
    )


def test_kominvex_profile_alone_is_review_even_without_russia() -> None:
    # The same company shipping to a harmless destination still needs review on its profile.
    from dataclasses import replace

    ship = replace(stories.kominvex_to_russia(), destination_country="DE", parties=(stories.KOMINVEX,))
    ship = replace(ship, parties=(stories.KOMINVEX, replace(stories.BITTERIA, country="DE")))
    result = screen_shipment(ship, RULES)
    assert result.decision is Decision.REVIEW


def test_kontron_to_kazakhstan_2024_review_with_clause() -> None:
    result = screen_shipment(stories.kontron_to_kazakhstan(), RULES)
    assert result.decision is Decision.REVIEW
    assert {"route.transshipment_hub", "route.clause_12g"} <= rule_ids(result)
    hub = next(f for f in result.findings if f.rule_id == "route.transshipment_hub")
    assert hub.sentence.startswith("Controlled goods (line(s) 1) are going to Kazakhstan (KZ)")
    clause = next(f for f in result.findings if f.rule_id == "route.clause_12g")
    assert clause.sentence.startswith("Kontron d.o.o. (SI) is exporting high-priority goods (line(s) 1) to Kazakhstan")


def test_kontron_to_kazakhstan_before_12g_has_no_clause_finding() -> None:
    result = screen_shipment(stories.kontron_to_kazakhstan(date(2023, 9, 1)), RULES)
    assert result.decision is Decision.REVIEW
    assert "route.transshipment_hub" in rule_ids(result)
    assert "route.clause_12g" not in rule_ids(result)


def test_kontron_kazakh_subsidiary_is_a_related_party() -> None:
    result = screen_shipment(stories.kontron_to_kazakhstan(), RULES, ownership=stories.KONTRON_GROUP)
    (related,) = [f for f in result.findings if f.rule_id == "ownership.related_party"]
    assert "Kontron d.o.o. →100%→ Kontron Kazakhstan LLP: 100%" in related.sentence


def test_coffee_brazil_to_germany_is_clear_with_no_findings() -> None:
    result = screen_shipment(stories.coffee_brazil_germany(), RULES)
    assert result.decision is Decision.CLEAR
    assert result.findings == () and result.score == 0


def test_every_finding_has_a_sentence_and_cites_a_versioned_rule() -> None:
    for ship in (stories.kontron_to_iskra(), stories.kominvex_to_russia(), stories.kontron_to_kazakhstan()):
        result = screen_shipment(ship, RULES, ownership=stories.KONTRON_GROUP, listed={"kontron-si"})
        for f in result.findings:
            assert f.sentence.endswith(".") and len(f.sentence) > 40
            assert f.rule_version == RULES.rule(f.rule_id).version
            assert f.to_dict()["rule_id"] == f.rule_id
