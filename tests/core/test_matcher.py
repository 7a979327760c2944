"""Matcher index: explanations, weak aliases, identifiers, secondary attributes, decisions, candidate recall."""

from __future__ import annotations

import random
import re
from datetime import date
from typing import Any

import numpy as np
import pytest

from service.core.linked import link_twins
from service.core.match_config import MatchConfig
from service.core.matcher import MatcherIndex, Query, _with_links
from service.core.model import EntityType, Identifier, ListEntry, Name, NameKind, PartialDate, detect_script
from service.core.names import compare_names, join_candidates, moved_spaces, normalise_name
from service.core.screening import Decision
from tests.conftest import shared_path
from tests.core.interpreted import passed_interpreted

CFG = MatchConfig()


def person(entity_id: str, *names: Name, **kw: object) -> ListEntry:
    return ListEntry("test-list", entity_id, EntityType.PERSON, names, programs=("RUSSIA-EO14024",), **kw)  # type: ignore[arg-type]


def org(entity_id: str, *names: Name, **kw: object) -> ListEntry:
    return ListEntry("test-list", entity_id, EntityType.ORGANIZATION, names, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def index() -> MatcherIndex:
    return MatcherIndex.build(
        [
            person(
                "p1",
                Name("PUTIN, Vladimir Vladimirovich"),
                Name("Vova", NameKind.WEAK_ALIAS),
                dates_of_birth=(PartialDate(1952, 10, 7),),
                nationalities=("RU",),
            ),
            org(
                "o1",
                Name("Iskra Technologies JSC"),
                Name("RTSoft JSC", NameKind.ALIAS),
                identifiers=(Identifier("tax", "7701234567"),),
                countries=("RU",),
            ),
            org("o2", Name("BELLETECH CORP")),
            ListEntry("test-list", "v1", EntityType.VESSEL, (Name("Vessel 1"),)),
        ],
        {"test-list": "2024-12-17"},
    )


def test_explanation_content(index: MatcherIndex) -> None:
    match = index.search(Query("Vladimir Putin", EntityType.PERSON))[0]
    data = match.to_dict()
    assert data["list"] == "test-list" and data["list_version"] == "2024-12-17"
    assert data["entity_id"] == "p1" and data["entity_type"] == "person"
    assert data["programs"] == ["RUSSIA-EO14024"]
    assert data["matched_name"] == "PUTIN, Vladimir Vladimirovich" and data["name_kind"] == "primary"
    assert data["features"]["name"]["query"] == "Vladimir Putin"
    assert data["features"]["name"]["contribution"] == pytest.approx(match.name_score, abs=1e-3)


def test_weak_alias_is_labelled_and_lower(index: MatcherIndex) -> None:
    match = index.search(Query("Vova"))[0]
    assert match.name_kind is NameKind.WEAK_ALIAS
    assert match.score < 1.0
    assert index.screen(Query("Vova")).decision is not Decision.BLOCK


def test_numbers_are_identity(index: MatcherIndex) -> None:
    assert not [m for m in index.search(Query("11420 CORP.")) if m.entry.entity_id == "o2"]
    assert not index.search(Query("Vessel 2"))


def test_one_name_part_is_not_a_hit(index: MatcherIndex) -> None:
    assert index.screen(Query("Vladimir Ivanov", EntityType.PERSON)).decision is Decision.CLEAR


def test_the_listed_names_principal_parts_are_applied() -> None:
    # The index knows the surname from the list's "last" part, which the name as written does not mark.
    parts = (("first", "HECTOR"), ("middle", "DE JESUS"), ("last", "GARCIA"))
    built = MatcherIndex.build([person("p9", Name("HECTOR DE JESUS GARCIA", parts=parts))], {"test-list": "v"})
    for query, decision in [("Jesus Garcia", Decision.CLEAR), ("Hector Garcia", Decision.REVIEW)]:
        q = Query(query, EntityType.PERSON)
        assert built.screen(q).decision is decision, query
        assert [m.score for m in built.search(q)] == [m.score for m in built.exhaustive_search(q)]
    hector = built.search(Query("Hector Jesus", EntityType.PERSON), MatchConfig(report_threshold=0.6))[0]
    assert "principal_part_omitted" in hector.features["name"].detail["name_rules"]


def test_an_unmarked_name_whose_other_parts_are_given_names_ends_in_its_surname() -> None:
    # A Denied Persons style name, written without a comma or capitals to mark the surname: a dictionary of given
    # names knows Scott and Michael, so Miller is the surname a namesake who shares the given names lacks.
    built = MatcherIndex.build([person("p10", Name("SCOTT MICHAEL MILLER"))], {"test-list": "v"})
    for query, decision in [("Michael Scott", Decision.CLEAR), ("Scott Miller", Decision.REVIEW)]:
        assert built.screen(Query(query, EntityType.PERSON)).decision is decision, query
    scott = built.search(Query("Michael Scott", EntityType.PERSON), MatchConfig(report_threshold=0.6))[0]
    assert "principal_part_omitted" in scott.features["name"].detail["name_rules"]


def test_identifier_is_decisive(index: MatcherIndex) -> None:
    q = Query("Iskra Technology", identifiers=(Identifier("tax", "77 0123 4567"),))
    screening = index.screen(q)
    assert screening.decision is Decision.BLOCK and screening.rule == "identifier_match"


def test_dob_and_country_raise_and_lower(index: MatcherIndex) -> None:
    base = index.search(Query("Vladimir Putin", EntityType.PERSON))[0].score
    same = index.search(Query("Vladimir Putin", EntityType.PERSON, "RU", PartialDate(1952)))[0]
    other = index.search(Query("Vladimir Putin", EntityType.PERSON, "US", PartialDate(1980)))[0]
    assert same.score >= base > other.score or (base == 1.0 and other.score < base)
    assert same.features["date_of_birth"].contribution > 0
    assert other.features["country"].contribution < 0
    full = Query("Vladimir Vladimirovich Putin", EntityType.PERSON, "RU", PartialDate(1952))
    assert index.screen(full).decision is Decision.BLOCK
    assert index.screen(full).rule == "strong_name_with_corroboration"
    assert index.screen(Query("Vladimir Putin", EntityType.PERSON)).decision is Decision.REVIEW


def test_a_full_birth_date_one_slip_away_is_neutral_and_two_parts_apart_disagrees(index: MatcherIndex) -> None:
    # Listed 1952-10-07. One part changed is a typo's distance; day and month swapped is how dates get misread;
    # 1 January often stands for an unknown day. Year, month and day all different is another person's birthday.
    def dob(date: PartialDate) -> float:
        match = index.search(Query("Vladimir Putin", EntityType.PERSON, None, date))[0]
        return match.features["date_of_birth"].contribution

    assert dob(PartialDate(1952, 10, 7)) > 0
    assert dob(PartialDate(1953, 10, 7)) == dob(PartialDate(1952, 11, 7)) == 0.0
    assert dob(PartialDate(1952, 7, 10)) == dob(PartialDate(1953, 1, 1)) == 0.0
    assert dob(PartialDate(1953, 3, 22)) < 0
    assert dob(PartialDate(1952, 3, 22)) < 0
    # The same birthday in a year one digit away or with two digits swapped: the year's slip, as lists carrying one
    # person disagree (1976 / 1967). Not a year two digits away, nor a year alone.
    assert dob(PartialDate(1925, 10, 7)) == dob(PartialDate(1958, 10, 7)) == 0.0
    assert dob(PartialDate(1964, 10, 7)) < 0
    assert dob(PartialDate(1929, 10, 7)) < 0  # two digits changed, not swapped: 1952 has no 9
    assert dob(PartialDate(1958)) < 0


def test_someone_born_after_a_listing_without_birth_date_is_someone_else() -> None:
    """A listed person without a date of birth was old enough when listed: a namesake born after the listing, or
    too shortly before, is another person. The year comes from the listing date, else from the earliest Federal
    Register notice the record cites (the CSL's ITAR debarred parties: volume 63 is 1998)."""
    dtc = ListEntry(
        "us-csl",
        "DTC:h1",
        EntityType.UNKNOWN,
        (Name("James Lee"),),
        remarks="Federal Register notice: 63 FR 29773; 70 FR 34180",
        source_list="DTC",
    )
    uk = person("p2", Name("Ali SHAMSHIRI"), listed_on=date(2008, 6, 24))
    company = org("o3", Name("Lee Trading Ltd"), listed_on=date(2008, 6, 24))
    built = MatcherIndex.build([dtc, uk, company], {"us-csl": "v1", "test-list": "v2"})
    cfg = MatchConfig()

    def birth_feature(name: str, born: int, kind: EntityType = EntityType.PERSON) -> Any:
        match = built.search(Query(name, kind, None, PartialDate(born)))[0]
        return match.features.get("date_of_birth")

    young = birth_feature("James Lee", 1990)
    assert young.contribution == cfg.dob_disagree and young.listed == "listed 1998"
    assert young.detail == "born_after_listing"
    assert built.screen(Query("James Lee", EntityType.PERSON, None, PartialDate(1990))).decision is Decision.CLEAR
    assert birth_feature("James Lee", 1998 - cfg.min_age_at_listing) is None  # old enough to have been listed
    circa = Query("James Lee", EntityType.PERSON, None, PartialDate(1998 - cfg.min_age_at_listing + 1, circa=True))
    assert "date_of_birth" not in built.search(circa)[0].features  # "circa" may be a year earlier
    assert built.screen(Query("James Lee", EntityType.PERSON, None, PartialDate(1960))).decision is Decision.REVIEW
    assert birth_feature("Ali Shamshiri", 2000).listed == "listed 2008"
    assert birth_feature("Ali Shamshiri", 1960) is None
    # A company founded after a listing may carry its listed namesake's name on purpose: never lowered.
    assert birth_feature("Lee Trading Ltd", 2015, EntityType.ORGANIZATION) is None
    # Without a date of birth in the query there is nothing to weigh.
    assert "date_of_birth" not in built.search(Query("James Lee", EntityType.PERSON))[0].features


def test_a_person_is_never_a_ship_and_an_organisation_may_be_named_after_one() -> None:
    # Shadow-fleet tankers bear people's names; a single-ship company is named after its vessel.
    index = MatcherIndex.build(
        [
            ListEntry("test-list", "v9", EntityType.VESSEL, (Name("WEN YAO"),), programs=("IRAN-EO13846",)),
            org("o9", Name("KIM SONG")),
        ],
        {"test-list": "v1"},
    )
    as_person = index.screen(Query("Wen Yao", EntityType.PERSON))
    as_company = index.screen(Query("Wen Yao", EntityType.ORGANIZATION))
    unknown = index.screen(Query("Wen Yao"))
    assert as_person.decision is Decision.CLEAR
    assert index.search(Query("Wen Yao", EntityType.PERSON))[0].features["entity_type"].contribution == (
        CFG.person_vessel_disagree
    )
    sole_trader = index.search(Query("Kim Song", EntityType.PERSON))[0]
    assert sole_trader.features["entity_type"].contribution == CFG.type_disagree
    for screening in (as_company, unknown):
        assert screening.decision is Decision.REVIEW and "entity_type" not in screening.matches[0].features


def test_a_territory_neither_agrees_nor_disagrees_with_its_country() -> None:
    # A Hong Kong counterparty may be the China-listed person: the country neither raises nor lowers the match.
    index = MatcherIndex.build([person("p8", Name("LI, Fangwei"), countries=("CN",))], {"test-list": "v1"})

    def country(code: str) -> float:
        return index.search(Query("Li Fangwei", EntityType.PERSON, code))[0].features["country"].contribution

    assert country("HK") == 0.0 and country("MO") == 0.0
    assert country("CN") == CFG.country_agree and country("TW") == CFG.country_disagree
    assert index.search(Query("Li Fangwei", EntityType.PERSON, "HK"))[0].features["country"].detail == "territory"


def test_a_query_spelling_the_lists_do_not_hold_gets_the_digraph_credit() -> None:
    # "shvorcan" is no listed token: its relations are found at query time and must credit "svorcan" as one name.
    index = MatcherIndex.build([person("p6", Name("SVORCAN, Marko"))], {"test-list": "v1"})
    match = index.search(Query("Марко Шворцан", EntityType.PERSON))[0]
    assert ["shvorcan", "svorcan", CFG.digraph_similarity] in match.features["name"].detail["aligned"]
    assert match.score >= CFG.block_name_threshold


def test_a_listed_code_that_is_no_country_is_not_compared() -> None:
    # A CSL record gives "NM" (New Mexico) as its country: no country to agree or disagree with.
    index = MatcherIndex.build([person("p7", Name("STEPHEN EDWARD SMITH"), countries=("NM",))], {"test-list": "v1"})
    assert "country" not in index.search(Query("Stephen Edward Smith", EntityType.PERSON, "KE"))[0].features


def test_abjad_credit_is_configuration_the_index_follows() -> None:
    # The blocking and the bound credit consonant-key relations with the searching configuration's credit: a
    # lookup cached under one credit must not prune a name for another.
    # Short parts ("ady" / "udai") relate by no spelling rule: the consonant keys alone bring the name in.
    index = MatcherIndex.build([person("p9", Name("UDAY TAHA"))], {"test-list": "v1"})
    query = Query("عدي طه", EntityType.PERSON)
    assert index.search(query, MatchConfig(abjad_similarity=0.5)) == []
    found = index.search(query, CFG)
    assert [m.entry.entity_id for m in found] == ["p9"] and found[0].score == pytest.approx(CFG.abjad_similarity)
    assert ["ady", "udai", CFG.abjad_similarity] in found[0].features["name"].detail["aligned"]


def test_two_abjad_written_parts_meet_a_latin_word_that_joins_them() -> None:
    # Persian writes "ولی جان" and "سالار کیا" in two words, the lists "WALIJAN" and "SALARKIA" in one: the index
    # finds the names by the consonant keys of the joined letters (no single part relates to them), and the
    # explanation shows the spacing variant.
    index = MatcherIndex.build(
        [person("p1", Name("WALIJAN")), person("p2", Name("SALARKIA Mahmoud")), person("p3", Name("WALI Jawad"))],
        {"test-list": "v1"},
    )
    for text, entity, aligned in [("ولی جان", "p1", "valian"), ("محمود سالار کیا", "p2", "salarkia")]:
        query = Query(text, EntityType.PERSON)
        found = index.search(query, CFG)
        assert found[0].entry.entity_id == entity and found[0].score == pytest.approx(CFG.abjad_similarity)
        name = found[0].features["name"].detail
        assert name["spacing_variant"] and aligned in [y for _, y, _ in name["aligned"]]
        exhaustive = index.exhaustive_search(query, CFG)
        assert [(m.entry.entity_id, m.score) for m in found] == [(m.entry.entity_id, m.score) for m in exhaustive]


def test_one_abjad_written_word_meets_two_neighbouring_latin_parts() -> None:
    # "محمدحسین" is one word, "Mohammad-Hossein" two: only neighbours as written join, in their written order, and
    # the index finds them by the joined parts' consonant keys (no single part relates to the Persian word).
    index = MatcherIndex.build(
        [person("p1", Name("Mohammad-Hossein")), person("p2", Name("HOSSEIN KARIMI MOHAMMAD"))], {"test-list": "v1"}
    )
    query = Query("محمدحسین", EntityType.PERSON)
    found = index.search(query, CFG)
    assert [m.entry.entity_id for m in found] == ["p1"] and found[0].score == pytest.approx(CFG.abjad_similarity)
    assert found[0].features["name"].detail["spacing_variant"]
    exhaustive = index.exhaustive_search(query, CFG)
    assert [(m.entry.entity_id, m.score) for m in found] == [(m.entry.entity_id, m.score) for m in exhaustive]


def test_alias_found_and_eligible_filter(index: MatcherIndex) -> None:
    match = index.search(Query("RTSoft JSC"))[0]
    assert match.entry.entity_id == "o1" and match.name_kind is NameKind.ALIAS
    assert index.search(Query("RTSoft JSC"), eligible=lambda e: e.entity_id != "o1") == []


@pytest.fixture(scope="module")
def real_index() -> MatcherIndex:
    from benchmarks.lists import load_real_lists

    shared_path("opensanctions")
    entries, versions = load_real_lists()
    return MatcherIndex.build(entries, versions)


@pytest.mark.slow
def test_candidate_recall_equals_exhaustive_on_real_lists(real_index: MatcherIndex) -> None:
    """Blocking, the token graph and the score bounds lose nothing at the report threshold: the same entities with
    the same scores as scoring every listed name with token relations found by brute force over the vocabulary.

    Sampled: listed names as they are, with one letter changed (fuzzy neighbourhoods, tokens the lists do not
    hold), with two words glued together (spacing variants), and people who are not listed (the negatives that
    must stay cheap).
    """
    bench = shared_path("opensanctions", "yente_candidate_generation_benchmark")
    index = real_index
    entries = index.entries
    rng = random.Random(11)
    queries = [Query(n.value, e.entity_type) for e in rng.sample(entries, 12) for n in e.names[:1]]
    for entry in rng.sample(entries, 8):
        text = list(entry.names[0].value)
        text[rng.randrange(len(text))] = rng.choice("aeiouxyz")
        queries.append(Query("".join(text)))
    for entry in rng.sample(entries, 4):
        words = entry.names[0].value.split()
        if len(words) > 1:
            k = rng.randrange(len(words) - 1)
            queries.append(Query(" ".join([*words[:k], words[k] + words[k + 1], *words[k + 2 :]])))
    with (bench / "negatives_global.csv").open(encoding="utf-8") as fh:
        negatives = [line.split(",")[0] for line in fh.read().splitlines()[1:200]]
    queries += [Query(n, EntityType.PERSON) for n in rng.sample(negatives, 4)]
    queries += [Query("SHUVALOV, Igor Ivanovich"), Query("CUBATABACO"), Query("Muhammad AL-HAxATI"), Query("BozCai")]
    # A run of two particles glued to the name that follows: three listed tokens spell one query word.
    runs = [n.value for e in entries for n in e.names if _PARTICLE_RUN.search(n.value)]
    queries += [Query(_PARTICLE_RUN.sub(lambda m: re.sub(r"[\s-]", "", m[0]), t)) for t in rng.sample(runs, 6)]
    # Two letters swapped as written where the skeleton's folds make other letters of them ("VHAEDI" is "vhaidi",
    # not a swap of "vahedi"): the index probes the listed words as written (`names.typed_swap`).
    folded = [n.value for e in entries for n in e.names if _FOLDED_SWAP.search(n.value)]
    queries += [
        Query(_FOLDED_SWAP.sub(lambda m: m[0][1] + m[0][0] + m[0][2:], t, count=1)) for t in rng.sample(folded, 6)
    ]
    # A final "na" swapped: the skeleton folds "aa" and reads a masculine form ("Svetlaan" is "svetlan"), which the
    # scorer keeps from the gender rule only when the index tells it to look for swaps as written.
    feminine = [n.value for e in entries if e.entity_type is EntityType.PERSON for n in e.names]
    feminine = [t for t in feminine if re.search(r"(?i)[^aeiou\W]ana\b", t)]
    queries += [
        Query(re.sub(r"(?i)na\b", lambda m: m[0][::-1], t, count=1), EntityType.PERSON) for t in rng.sample(feminine, 4)
    ]
    # A particle or "Abdul" misspelt counts as what it pairs with for OFAC FAQ 5, and "Abdul" with its name as one
    # part against a listed mononym: the blocking and the bound follow (`names.min_parts`).
    kunyas = [n.value for e in entries for n in e.names if re.fullmatch(r"(?i)(abu|abdul) \w{4,}", n.value)]
    queries += [Query(t[0] + t[2] + t[1] + t[3:], EntityType.PERSON) for t in rng.sample(kunyas, 4)]
    queries += [Query("Abdul Hadi", EntityType.PERSON), Query("Abbu Ali", EntityType.PERSON)]
    # Han and Hangul names: syllables that are particles elsewhere, exact-only, surplus and j/y rules (names.py).
    syllabic = ("雷 张", "淑兰 建 张", "彬 麦", "김영남", "成 朱", "陈明国", "종수 김", "嘉颖 王")
    queries += [Query(n, EntityType.PERSON) for n in syllabic]
    # Abjad-written names (listed ones, one with a letter dropped, negatives): their parts pair with Latin-written
    # ones by consonant keys, which the blocking and the bound add to the spelling relations (names.abjad_pattern).
    abjad = sorted({n.value for e in entries for n in e.names if detect_script(n.value) == "Arabic"})
    for text in rng.sample(abjad, 6):
        queries.append(Query(text, EntityType.PERSON))
        cut = rng.randrange(len(text))
        queries.append(Query(text[:cut] + text[cut + 1 :]))
    queries += [Query(n, EntityType.PERSON) for n in ("حسین موسوی", "علي شمشیری", "מוחמד עיסא", "محمد اشتری")]
    # Compounds Persian writes in two words and Latin in one, found by the consonant keys of the joined letters.
    queries += [Query(n, EntityType.PERSON) for n in ("محمود سالار کیا", "مهدی علی پور", "سلمان آدینه وند")]
    # And the other way: one word in Persian, two in Latin ("Mohammad-Hossein"), by the joined Latin parts' keys.
    queries += [Query(n, EntityType.PERSON) for n in ("محمدحسین سپهر", "احمدرضا رادان", "محمدرضا محمد پور")]
    # A compound's closing "Din" against its Latin spellings ("Noureddine"), and two names محمد may both spell.
    queries += [Query(n, EntityType.PERSON) for n in ("محمد سيف الدين", "نور الدين بن علي", "محمد محمود")]
    # Negatives whose consonant keys meet many Latin tokens of other vowels (ABJAD_NEGATIVES).
    queries += [Query(n, EntityType.PERSON) for n in ABJAD_NEGATIVES]
    compared = 0
    for query in queries:
        fast = {(m.entry.list_id, m.entry.entity_id): round(m.score, 9) for m in index.search(query, CFG)}
        full = {(m.entry.list_id, m.entry.entity_id): round(m.score, 9) for m in index.exhaustive_search(query, CFG)}
        if len(full) >= CFG.max_matches:
            continue  # the cut at max_matches may keep different ties
        assert fast == full, query
        compared += bool(full)
    assert compared >= 15  # most sampled queries do find something


# Two particles and the name they precede, written apart ("de la Cruz", "Abu al-Qasem").
_PARTICLE_RUN = re.compile(
    r"\b(?:de|van|von|bin|abu|al|der|den|la|le|da|del|dos)[\s-]+(?:al|der|den|la|le|los)[\s-]+\w{3,}", re.I
)

# Two letters whose swap the skeleton folds otherwise: "ae" (folded "ai"), "ph", "tz", "ck", "kh", a doubled letter.
_FOLDED_SWAP = re.compile(r"(?:ae|ph|tz|ck|kh|(\w)\1)\w", re.I)

# Abjad-written people who are not listed; their parts' consonant keys (and joined pairs') meet hundreds of Latin
# spellings the letters do not allow ("زارع" Zare, not "Zuraiq"; "آيناز" is no "Ajnad").
ABJAD_NEGATIVES = ("حدیث ساميار جهانی", "آيناز زارع", "شریف رمضانی", "حسین موسوی", "علی اصغر سعیدی")


@pytest.mark.slow
def test_abjad_written_queries_score_only_names_their_letters_may_spell(
    real_index: MatcherIndex, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """The blocking and the bound relate an abjad-written part to the Latin spellings `abjad_pattern` allows, not to
    every token sharing its consonants: the names they let through have a part the scorer pairs."""
    import service.core.matcher as matcher

    if passed_interpreted(request):
        return

    outcomes: list[str | None] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        comparison = compare_names(*args, **kwargs)
        outcomes.append(comparison.cap)
        return comparison

    monkeypatch.setattr(matcher, "compare_names", counted)
    for text in ABJAD_NEGATIVES:
        real_index.search(Query(text, EntityType.PERSON), CFG)
    # Measured: 10 names scored, none pairing nothing; relating every token with the consonants, 99 of 127 did.
    assert outcomes and outcomes.count("no_name_part") <= 0.1 * len(outcomes)


@pytest.mark.slow
def test_abjad_written_names_find_their_entity_through_its_latin_names() -> None:
    """The lists write some entities' names in Arabic letters too: screened against the lists' other names only,
    such a name finds its own entity through the Latin spellings (the Tikriti family of the UN list, and most
    others). Vowels Arabic leaves unwritten make this harder than any Latin spelling variant."""
    from benchmarks.lists import load_real_lists, written_apart

    shared_path("opensanctions")
    entries, versions = load_real_lists()
    queries, latin = written_apart(entries, "Arabic")
    index = MatcherIndex.build(latin, versions)
    found = {
        text: [m for m in index.search(Query(text, entry.entity_type), CFG) if m.entry.entity_id == entry.entity_id]
        for text, entry in queries
    }
    saddam = found["صدام حسين التكريتي"]
    assert saddam and saddam[0].matched_name == "SADDAM HUSSEIN AL-TIKRITI" and saddam[0].score >= 0.9
    assert found["طارق عزيز"] and found["طارق عزيز"][0].score >= CFG.review_threshold
    # Measured: 60% of them at the review threshold (benchmarks/matching.py); before consonant keys, under 1%.
    reviewed = sum(1 for hits in found.values() if hits and hits[0].score >= CFG.review_threshold)
    assert reviewed >= 0.4 * len(found)


@pytest.mark.slow
def test_spacing_variant_bound_keeps_every_name_at_the_threshold(real_index: MatcherIndex) -> None:
    """Names met as spacing variants go through the bound with the joined tokens credited 1: on real listed names
    glued or split in two, every such name that scores at the report threshold is kept, and most others are not
    scored at all."""
    index = real_index
    rng = random.Random(5)
    queries: list[Query] = []
    for entry in rng.sample(index.entries, 400):
        words = entry.names[0].value.split()
        k = rng.randrange(len(words))
        if len(words) > 1 and k + 1 < len(words):
            queries.append(Query(" ".join([*words[:k], words[k] + words[k + 1], *words[k + 2 :]])))
        if len(words[k]) > 3:
            cut = rng.randrange(1, len(words[k]))
            queries.append(Query(" ".join([*words[:k], words[k][:cut], words[k][cut:], *words[k + 1 :]])))
    queries += [Query("Abbas Zaid Al Ali", EntityType.PERSON), Query("Rami Makh Louf", EntityType.PERSON)]
    bounded = kept = reaching = 0
    for query in queries:
        norm = normalise_name(query.name, query.entity_type)
        person_query = query.entity_type is EntityType.PERSON
        tokens, infos, weights, _ = index._query_tokens(norm, CFG)
        hits, variants = index._candidates(norm, tokens, person_query)
        keep = hits[index._arrays.may_reach(tokens, hits, person_query, CFG)].tolist()
        names = np.fromiter(variants.bounded.difference(keep, variants.exact), dtype=np.int64)
        passed = index._arrays.may_reach(_with_links(tokens, variants.links), names, person_query, CFG, spacing=True)
        similar = {t: info.similar for t, info in zip(norm.tokens, infos, strict=True)}
        for name_id, ok in zip(names.tolist(), passed.tolist(), strict=True):
            listed = index.entries[index._name_entry[name_id]]
            person = person_query or listed.entity_type is EntityType.PERSON
            score = compare_names(norm, index._names[name_id], CFG, person=person, weights=weights, similar=similar)
            if score.score >= CFG.report_threshold:
                assert ok, (query.name, index._names[name_id].original, score.score)
                reaching += 1
        bounded += len(names)
        kept += int(passed.sum())
    assert reaching >= 50  # the sample does meet listed names as spacing variants
    assert kept < bounded / 4  # and the bound spares scoring most of the others


def test_every_spacing_variant_is_met_by_an_exact_lookup(real_index: MatcherIndex) -> None:
    """The scorer looks for spacing variants only in the names the search's exact lookups met (`spaced`): over every
    listed name, each one a variant joins to the query (`join_candidates`) is among them, for real listed names glued
    or split in two."""
    index = real_index
    rng = random.Random(23)
    queries = ["Rami Makh Louf", "ALQAIDA", "CHANG MYONGC-HIN", "RT Soft", "Mak Hoff", "Juan Delacruz", "Vanderbilt"]
    runs = [n.value for e in index.entries for n in e.names if _PARTICLE_RUN.search(n.value)]
    queries += [_PARTICLE_RUN.sub(lambda m: re.sub(r"[\s-]", "", m[0]), t) for t in rng.sample(runs, 3)]
    for entry in rng.sample([e for e in index.entries if len(e.names[0].value.split()) > 1], 6):
        words = entry.names[0].value.split()
        k = rng.randrange(len(words) - 1)
        queries.append(" ".join([*words[:k], words[k] + words[k + 1], *words[k + 2 :]]))
        if len(words[k]) > 3:
            cut = rng.randrange(1, len(words[k]))
            queries.append(" ".join([*words[:k], words[k][:cut], words[k][cut:], *words[k + 1 :]]))
        # A letter moved across the space, one way or the other (`names.written_runs`).
        if len(words[k]) > 1 and len(words[k + 1]) > 1:
            left, right = words[k], words[k + 1]
            moved = [left[:-1], left[-1] + right] if rng.random() < 0.5 else [left + right[0], right[1:]]
            queries.append(" ".join([*words[:k], *moved, *words[k + 2 :]]))
    joined = moved_apart = 0
    for text in queries:
        norm = normalise_name(text)
        spaced = index._spacing_variants(norm).met
        for name_id, listed in enumerate(index._names):
            moved = bool(moved_spaces(norm, listed))
            if moved or join_candidates(norm, listed):
                assert name_id in spaced, (text, listed.original)
                joined += 1
                moved_apart += moved
    assert joined >= 20  # the queries do meet listed names as spacing variants
    assert moved_apart >= 3  # some as the letters written with a space moved


def test_csl_record_is_weighed_with_its_ofac_twin() -> None:
    """The CSL republishes OFAC's designations under the same ids, without dates of birth: the OFAC record's
    attributes weigh the CSL match too, and the explanation names the record they come from."""
    ofac = ListEntry(
        "ofac-sdn",
        "36",
        EntityType.PERSON,
        (Name("ZHANG, Lei"),),
        dates_of_birth=(PartialDate(1960, 5, 1),),
        nationalities=("CN",),
        source_list="SDN",
    )
    csl = ListEntry("us-csl", "SDN:36", EntityType.PERSON, (Name("ZHANG, Lei"),), source_list="SDN")
    unrelated = ListEntry("us-csl", "DPL:9", EntityType.PERSON, (Name("Zhang Lei"),), source_list="DPL")
    index = MatcherIndex.build([ofac, csl, unrelated], {"ofac-sdn": "v1", "us-csl": "v2"})
    other = Query("Lei Zhang", EntityType.PERSON, "CN", PartialDate(1991, 2, 3))
    by_id = {m.entry.entity_id: m for m in index.search(other)}
    assert by_id["SDN:36"].features["linked_record"].listed == "ofac-sdn:36"
    assert by_id["SDN:36"].features["date_of_birth"].contribution < 0
    assert by_id["SDN:36"].score == pytest.approx(by_id["36"].score)
    assert "linked_record" not in by_id["DPL:9"].features  # a DPL number is not an OFAC id
    assert by_id["DPL:9"].score > by_id["SDN:36"].score


def test_bare_record_is_weighed_with_its_namesake_on_another_sub_list() -> None:
    """The CSL's ITAR debarred parties (DTC) come without addresses, and many are on the Denied Persons List too: a
    DTC record with nothing but its name is weighed with the DPL record of the same name (case and spacing aside),
    never with a record of its own sub-list, another list, or another type, and never when it has attributes."""
    dpl = ListEntry(
        "us-csl",
        "DPL:h1",
        EntityType.UNKNOWN,
        (Name("MARIA LUISA SANCHEZ-LOPEZ"),),
        countries=("US",),
        source_list="DPL",
    )
    dtc = ListEntry("us-csl", "DTC:h2", EntityType.UNKNOWN, (Name("Maria  Luisa Sanchez-Lopez"),), source_list="DTC")
    with_country = ListEntry(
        "us-csl",
        "ISN:h3",
        EntityType.UNKNOWN,
        (Name("Maria Luisa Sanchez-Lopez"),),
        countries=("MX",),
        source_list="ISN",
    )
    other_list = ListEntry("uk-ofsi", "9", EntityType.PERSON, (Name("Maria Luisa Sanchez-Lopez"),), source_list="X")
    person = ListEntry("us-csl", "EL:h4", EntityType.PERSON, (Name("Penny Ray"),), countries=("GB",), source_list="EL")
    vessel = ListEntry("us-csl", "SDN:7", EntityType.VESSEL, (Name("PENNY RAY"),), source_list="SDN")
    own_bare = ListEntry("us-csl", "DTC:h5", EntityType.UNKNOWN, (Name("Edwin Acety"),), source_list="DTC")
    own_full = ListEntry(
        "us-csl", "DTC:h6", EntityType.UNKNOWN, (Name("EDWIN ACETY"),), countries=("US",), source_list="DTC"
    )
    entries = [dpl, dtc, with_country, other_list, person, vessel, own_bare, own_full]
    links = link_twins(entries)
    assert {position: link.twin for position, link in links.items()} == {1: 0}
    assert "DPL" in links[1].reason

    index = MatcherIndex.build(entries, {"us-csl": "v1", "uk-ofsi": "v2"})
    by_id = {m.entry.entity_id: m for m in index.search(Query("Maria Sanchez", EntityType.PERSON, "VN"))}
    assert by_id["DTC:h2"].features["linked_record"].listed == "us-csl:DPL:h1"
    assert by_id["DTC:h2"].features["country"].contribution < 0
    assert by_id["DTC:h2"].score == pytest.approx(by_id["DPL:h1"].score)
    assert by_id["DTC:h2"].score < by_id["DTC:h2"].name_score
    assert "linked_record" not in by_id["9"].features
    assert "linked_record" not in by_id["ISN:h3"].features  # its own country is weighed, not another record's
    # Without a nationality the query has nothing to weigh: the namesake changes nothing.
    plain = {m.entry.entity_id: m.score for m in index.search(Query("Maria Sanchez", EntityType.PERSON))}
    assert plain["DTC:h2"] == pytest.approx(by_id["DTC:h2"].name_score)


def test_names_of_one_form_are_compared_once(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """The lists repeat names (an OFAC designation is in the SDN list and the CSL, written in other cases): a search
    compares each form once, and every entity keeps its own written name and the score the reference gives it."""
    if passed_interpreted(request):
        return
    entries = [
        ListEntry("ofac-sdn", "36", EntityType.PERSON, (Name("ZHANG, Lei"),)),
        ListEntry("us-csl", "SDN:36", EntityType.PERSON, (Name("ZHANG, Lei"),)),
        ListEntry("un-sc", "QDi.1", EntityType.PERSON, (Name("Zhang, Lei"),)),
        ListEntry("us-csl", "EL:7", EntityType.ORGANIZATION, (Name("ZHANG LEI"),)),  # a company: another form
    ]
    index = MatcherIndex.build(entries, {"ofac-sdn": "1", "us-csl": "2", "un-sc": "3"})
    calls: list[str] = []

    def counted(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(b.original)
        return compare_names(a, b, *args, **kwargs)

    monkeypatch.setattr("service.core.matcher.compare_names", counted)
    query = Query("Lei Zhang")
    found = index.search(query)
    assert len(calls) == 2
    by_id = {m.entry.entity_id: m for m in found}
    assert {by_id[i].matched_name for i in ("36", "SDN:36", "QDi.1", "EL:7")} == {
        "ZHANG, Lei",
        "Zhang, Lei",
        "ZHANG LEI",
    }
    assert by_id["QDi.1"].matched_name == "Zhang, Lei"
    assert by_id["36"].score == by_id["SDN:36"].score == by_id["QDi.1"].score
    calls.clear()
    reference = index.exhaustive_search(query)  # compares every name
    assert len(calls) == 4
    assert [(m.entry.entity_id, m.score, m.matched_name) for m in found] == [
        (m.entry.entity_id, m.score, m.matched_name) for m in reference
    ]


def test_spacing_variants_are_found_by_the_index() -> None:
    index = MatcherIndex.build(
        [
            org("a1", Name("AL-QAIDA")),
            person("b1", Name("CHANG MYONG-CHIN")),
            org("c1", Name("Vanguard Holdings Ltd")),
        ],
        {"test-list": "1"},
    )
    assert [m.entry.entity_id for m in index.search(Query("ALQAIDA"))] == ["a1"]
    assert [m.entry.entity_id for m in index.search(Query("CHANG MYONGC-HIN", EntityType.PERSON))] == ["b1"]
    assert [m.entry.entity_id for m in index.search(Query("VanguardHoldings"))] == ["c1"]


def test_a_particle_run_glued_or_apart_is_found_by_the_index() -> None:
    # Three listed tokens spell the query's one word, and the other way round; the bound credits all three.
    index = MatcherIndex.build(
        [
            person("d1", Name("Juan DE LA CRUZ")),
            person("d2", Name("Pieter Vandermerwe")),
            person("d3", Name("Juan Cruz")),
        ],
        {"test-list": "1"},
    )
    found = {m.entry.entity_id: m.score for m in index.search(Query("Juan Delacruz", EntityType.PERSON))}
    assert found["d1"] == 1.0 and found.get("d3", 0.0) < 1.0
    found = {m.entry.entity_id: m.score for m in index.search(Query("Pieter van der Merwe", EntityType.PERSON))}
    assert found == {"d2": 1.0}


def test_a_swap_the_skeleton_folds_otherwise_is_found_by_the_index() -> None:
    # "VHAEDI" folds to "vhaidi", no swap of "vahedi"; the words as written are one swap apart. The listed word
    # written otherwise ("Wahedi" elsewhere) is not a swap of the query's, so only its own spelling is credited.
    index = MatcherIndex.build(
        [person("e1", Name("Hamid VAHEDI")), person("e2", Name("Alain GOETZ")), person("e3", Name("Hamid VHADEI"))],
        {"test-list": "1"},
    )
    found = {m.entry.entity_id: m for m in index.search(Query("Hamid VHAEDI", EntityType.PERSON))}
    assert found["e1"].score >= CFG.review_threshold
    assert "written_swap" in found["e1"].features["name"].detail["name_rules"]
    assert found == {m.entry.entity_id: m for m in index.exhaustive_search(Query("Hamid VHAEDI", EntityType.PERSON))}
    assert [m.entry.entity_id for m in index.search(Query("GOTEZ, Alain", EntityType.PERSON))] == ["e2"]


def test_a_letter_moved_across_a_space_is_found_by_the_index() -> None:
    # Two words run together as written find the name, though the words' skeletons glue otherwise.
    index = MatcherIndex.build(
        [person("g1", Name("HASNAIN, Syed Johar")), person("g2", Name("KIM Kyong Il")), person("g3", Name("San Aung"))],
        {"test-list": "1"},
    )
    for text, expected in (("HASNAIN, SyedJ ohar", "g1"), ("KIM KyongI l", "g2"), ("Sa nAung", "g3")):
        query = Query(text, EntityType.PERSON)
        found = {m.entry.entity_id: m.score for m in index.search(query)}
        assert found == {m.entry.entity_id: m.score for m in index.exhaustive_search(query)}, text
        assert found.get(expected) == 1.0, text
    assert "g3" not in {m.entry.entity_id for m in index.search(Query("San Naung", EntityType.PERSON))}


def test_a_misspelt_particle_or_abdul_is_no_name_part_for_the_index_either() -> None:
    # The scorer counts "Aub" (Abu) as the particle and "Abdul Hadi" as one given name; the blocking and the bound,
    # which cap one-part matches before scoring, must not drop what the scorer keeps.
    index = MatcherIndex.build(
        [person("f1", Name("HADI")), person("f2", Name("ABU THALE")), person("f3", Name("Zinira KHAN"))],
        {"test-list": "1"},
    )
    for text in ("Abdul Hadi", "AUB THALE", "Abbu Thale"):
        query = Query(text, EntityType.PERSON)
        found = {m.entry.entity_id: m.score for m in index.search(query)}
        assert found == {m.entry.entity_id: m.score for m in index.exhaustive_search(query)}, text
        assert found and max(found.values()) >= CFG.review_threshold, text


def test_a_korean_name_is_found_in_either_romanisation() -> None:
    # The index relates "jeong" / "jong" and "eun" / "un" (no ratio does), so the Revised spelling reaches the name.
    index = MatcherIndex.build(
        [person("k1", Name("KIM Jong Un")), person("k2", Name("KIM Jong Il"))], {"test-list": "1"}
    )
    found = index.search(Query("Kim Jeong-eun", EntityType.PERSON))
    assert [m.entry.entity_id for m in found if m.score >= CFG.review_threshold] == ["k1"]
    assert "korean_romanisation" in found[0].features["name"].detail["name_rules"]


def test_a_spacing_variant_folded_across_the_junction_is_found() -> None:
    # The skeleton of "RTSoft" folds "ts" into "c": the query's two words meet it, and the bound credits both.
    index = MatcherIndex.build([org("r1", Name("RTSoft JSC")), org("r2", Name("RT SOFT"))], {"test-list": "1"})
    assert {m.entry.entity_id: m.score for m in index.search(Query("RT Soft"))} == {"r1": 1.0, "r2": 1.0}
    assert {m.entry.entity_id: m.score for m in index.search(Query("RTSoft"))} == {"r1": 1.0, "r2": 1.0}
