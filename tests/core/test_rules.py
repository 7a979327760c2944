from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.core.rules import RuleTableError, build_rule_set, default_rules_dir, load_rule_set, parse_table


def test_packaged_tables_load_and_have_a_stable_version() -> None:
    a, b = load_rule_set(), load_rule_set()
    assert a.version == b.version and a.version.startswith("rules-")
    assert {"chpl", "embargo", "transshipment", "annex_viii_partners", "catalogue"} <= set(a.table_versions)
    assert len(a.rows("goods")) == 50
    assert a.milestone("eu_11th_package") == date(2023, 6, 24)
    assert a.milestone("art_12g_clause") == date(2024, 3, 20)


def test_every_table_cites_a_source_and_version() -> None:
    for table in load_rule_set().tables.values():
        assert table.ref.source and table.ref.version


def test_row_dates_narrow_the_table() -> None:
    rules = load_rule_set()
    assert "GB" in rules.countries("eu_members", date(2019, 1, 1))
    assert "GB" not in rules.countries("eu_members", date(2021, 1, 1))


HEADER = 'id = "t"\nkind = "goods"\nversion = "1"\ntitle = "T"\nsource = "S"\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[rows]]\ncode = "85423X"\ntier = "1"\ndescription = "x"\n', "row 1: code"),
        ('[[rows]]\ncode = "854231"\ndescription = "x"\n', "row 1: a goods row needs"),
        (
            '[[rows]]\ncode = "854231"\ntier = "1"\ndescription = "x"\n'
            "valid_from = 2024-01-02\nvalid_to = 2024-01-01\n",
            "row 1: valid_to",
        ),
        (
            '[[rows]]\ncode = "854231"\ntier = "1"\ndescription = "x"\n'
            '[[rows]]\ncode = "1"\ntier = "1"\ndescription = "y"\n',
            "row 2: code",
        ),
    ],
)
def test_bad_rows_name_file_and_row(body: str, message: str) -> None:
    with pytest.raises(RuleTableError, match=message) as err:
        parse_table(HEADER + body, "extra.toml")
    assert "extra.toml" in str(err.value)


def test_bad_country_and_severity_are_rejected() -> None:
    bad_country = (
        'id = "t"\nkind = "partners"\nversion = "1"\ntitle = "T"\nsource = "S"\n'
        'rows = [{ country = "XX", name = "?" }]\n'
    )
    with pytest.raises(RuleTableError, match=r"row 1: .*XX"):
        parse_table(bad_country, "p.toml")
    bad_sev = (
        'id = "c"\nkind = "catalogue"\nversion = "1"\ntitle = "T"\nsource = "S"\n'
        '[[rows]]\nrule_id = "r"\nversion = "1"\nseverity = "severe"\ntitle = "t"\nsource = "s"\n'
    )
    with pytest.raises(RuleTableError, match="severity 'severe'"):
        parse_table(bad_sev, "c.toml")


def test_missing_required_tables_and_duplicate_ids_fail(tmp_path: Path) -> None:
    chpl = (default_rules_dir() / "chpl.toml").read_text(encoding="utf-8")
    with pytest.raises(RuleTableError, match="missing"):
        build_rule_set([("chpl.toml", chpl)])
    sources = [(f.name, f.read_text(encoding="utf-8")) for f in default_rules_dir().glob("*.toml")]
    with pytest.raises(RuleTableError, match="already defined"):
        build_rule_set([*sources, ("zz_copy.toml", chpl)])
    with pytest.raises(RuleTableError, match="no rule tables"):
        load_rule_set(tmp_path)
