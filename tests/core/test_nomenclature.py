"""Every commodity code the rules and the story fixtures use exists in HS 2022 and (for CN8) in EU CN 2026."""

from __future__ import annotations

import csv
import json
from functools import lru_cache

from service.core.rules import load_rule_set
from service.core.shipment import HSCode
from tests.conftest import shared_path
from tests.core import stories

RULES = load_rule_set()


@lru_cache(maxsize=1)
def hs2022() -> frozenset[str]:
    with shared_path("hs", "harmonized-system.csv").open(encoding="utf-8", newline="") as fh:
        return frozenset(row["hscode"] for row in csv.DictReader(fh))


@lru_cache(maxsize=1)
def cn2026() -> frozenset[str]:
    data = json.loads(shared_path("hs", "eu_cn2026", "cnCodes_2026.json").read_text(encoding="utf-8"))
    return frozenset(item["code"] for item in data)


def test_every_goods_table_code_is_in_hs2022() -> None:
    known = hs2022()
    missing = [(r.table.id, r.code) for r in RULES.rows("goods") if len(r.code) <= 6 and r.code not in known]
    assert missing == []


def test_every_goods_table_cn8_code_is_in_cn2026() -> None:
    known = cn2026()
    missing = [(r.table.id, r.code) for r in RULES.rows("goods") if len(r.code) == 8 and r.code not in known]
    assert missing == []


def test_activity_hint_prefixes_exist_in_hs2022() -> None:
    known = hs2022()
    missing = [(h.activity, p) for h in RULES.activity_hints() for p in h.hs_prefixes if p not in known]
    assert missing == []


def test_hs_chapter_table_matches_hs2022_chapters() -> None:
    # The CSV carries "99 Commodities not specified according to kind" (section TOTAL): a statistics bucket, not a
    # WCO chapter, so a declared 99... code stays an unknown-code finding.
    chapters = {code for code in hs2022() if len(code) == 2} - {"99"}
    assert RULES.chapters() == chapters


def test_story_codes_exist() -> None:
    known_hs, known_cn = hs2022(), cn2026()
    ships = (stories.kontron_to_iskra(), stories.kominvex_to_russia(), stories.kontron_to_kazakhstan())
    codes = {line.hs_code for s in (*ships, stories.coffee_brazil_germany()) for line in s.goods}
    codes |= {HSCode(c) for c in stories.STORY_CODES}
    for code in codes:
        assert code.hs6 in known_hs, code.declared
        if len(code.digits) == 8:
            assert code.digits in known_cn, code.declared


def test_structural_check_agrees_with_nomenclature_on_chapters() -> None:
    # The runtime check knows chapters only; everything it accepts as a chapter exists in HS 2022.
    known = hs2022()
    assert all(ch in known for ch in RULES.chapters())
