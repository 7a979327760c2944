from __future__ import annotations

from datetime import date

import pytest

from service.core.goods import classify_line, controlled_lines, goods_findings, unknown_code_findings
from service.core.rules import load_rule_set
from service.core.shipment import HSCode, Severity
from tests.core.shipment_builders import line, shipment

RULES = load_rule_set()


@pytest.mark.parametrize("code", ["854231", "85423100", "8542310000", "8542.31", "8542 31 00 00"])
def test_chpl_matches_on_hs6_prefix_of_any_declared_length(code: str) -> None:
    rows = classify_line(line(code), RULES, date(2024, 1, 1))
    assert [(r.table.id, r.category) for r in rows] == [("chpl", "1")]


def test_declared_code_is_kept_and_hs6_exposed() -> None:
    code = HSCode("8517.62.00")
    assert (code.declared, code.digits, code.hs6, code.chapter, code.display_hs6()) == (
        "8517.62.00",
        "85176200",
        "851762",
        "85",
        "8517.62",
    )


@pytest.mark.parametrize("bad", ["85423", "8542310", "ABCDEF", "85423100001", "", "８５４２３１"])
def test_bad_codes_raise_naming_the_field(bad: str) -> None:
    with pytest.raises(ValueError, match="hs_code"):
        HSCode(bad)


def test_chpl_not_in_force_before_its_valid_from() -> None:
    assert classify_line(line("854231"), RULES, date(2022, 2, 23)) == ()
    assert classify_line(line("854231"), RULES, date(2022, 2, 24)) != ()


def test_non_listed_goods_have_no_rows() -> None:
    assert classify_line(line("090121"), RULES, date(2024, 1, 1)) == ()
    assert controlled_lines(shipment(goods=(line("090121"), line("854800"))), RULES).keys() == {1}


def test_tier_severity_is_configurable_and_defaults_low_for_tier_1_2() -> None:
    ship = shipment(destination="US", goods=(line("854231"), line("848210")))
    findings = goods_findings(ship, RULES)
    assert [(f.rule_id, f.severity, f.line) for f in findings] == [
        ("goods.high_priority", Severity.LOW, 0),
        ("goods.high_priority", Severity.INFO, 1),
    ]
    assert "CHPL Tier 1" in findings[0].sentence and "HS 8542.31" in findings[0].sentence
    custom = goods_findings(ship, RULES, tier_severity={"3.B": Severity.HIGH})
    assert custom[1].severity is Severity.HIGH


def test_unknown_chapter_is_a_finding() -> None:
    ship = shipment(goods=(line("770000"), line("990100"), line("090121")))
    findings = unknown_code_findings(ship, RULES)
    assert [(f.rule_id, f.line) for f in findings] == [("goods.unknown_code", 0), ("goods.unknown_code", 1)]
    assert "chapter 77" in findings[0].sentence


def test_extra_goods_table_extends_without_code(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from service.core.rules import default_rules_dir

    for f in default_rules_dir().glob("*.toml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "internal.toml").write_text(
        'id = "internal"\nkind = "goods"\nversion = "1"\ntitle = "Internal list"\nsource = "Compliance, memo 7"\n'
        'valid_from = 2024-01-01\n[[rows]]\ncode = "8471"\ncategory = "watch"\ndescription = "Computers"\n',
        encoding="utf-8",
    )
    from service.core.rules import load_rule_set as load

    rules = load(tmp_path)
    rows = classify_line(line("84715000"), rules, date(2024, 6, 1))
    assert {(r.table.id, r.code) for r in rows} == {("chpl", "847150"), ("internal", "8471")}
    assert rules.version != RULES.version
