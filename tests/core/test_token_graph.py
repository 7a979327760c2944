"""The token graph relates exactly the pairs `word_similarity` relates, with the same credited similarity."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.match_config import MatchConfig
from service.core.names import WORD_KINDS, token_kind, word_similarity
from service.core.token_graph import TokenGraph

# Few letters, so random tokens are often related: swaps, one-letter typos, shared first letters, "sh" / "s".
TOKEN = st.text(alphabet="abcehiklmnorst", min_size=1, max_size=14)
CONFIGS = [MatchConfig(), MatchConfig(token_cutoff=0.8, fuzzy_min_length=3, fuzzy_first_letter_length=6)]


def brute_force(vocabulary: set[str], token: str, config: MatchConfig) -> dict[str, float]:
    return {
        other: sim
        for other in vocabulary
        if other != token
        and token_kind(other) in WORD_KINDS
        and token_kind(token) in WORD_KINDS
        and (sim := word_similarity(token, other, config)) > 0.0
    }


@settings(max_examples=80, deadline=None)
@given(st.sets(TOKEN, min_size=1, max_size=80), st.sampled_from(CONFIGS))
def test_every_vocabulary_token_equals_brute_force(vocabulary: set[str], config: MatchConfig) -> None:
    graph = TokenGraph(vocabulary, config)
    for token in vocabulary:
        assert graph.related(token) == brute_force(vocabulary, token, config), token


@settings(max_examples=80, deadline=None)
@given(st.sets(TOKEN, min_size=1, max_size=80), TOKEN, st.sampled_from(CONFIGS))
def test_a_token_the_lists_do_not_hold_equals_brute_force(
    vocabulary: set[str], token: str, config: MatchConfig
) -> None:
    graph = TokenGraph(vocabulary - {token}, config)
    assert graph.related(token) == brute_force(vocabulary - {token}, token, config)


@pytest.mark.parametrize(
    ("x", "y", "related"),
    [
        ("sok", "sko", True),  # a swap, even below the fuzzy length
        ("mena", "emna", True),  # a swap of the first letters
        ("ming", "bing", False),  # short tokens: the first letter carries the name
        ("li", "lei", False),  # too short for fuzzy matching
        ("joan", "john", True),  # short tokens: one letter substituted
        ("lisa", "luis", False),  # short tokens: a letter dropped and another added elsewhere is another name
        ("kile", "ksie", False),
        ("mohamed", "muhamad", True),
        ("bank", "bonk", True),
        ("svorcan", "shvorcan", True),  # "š" written without its hook or as a digraph
    ],
)
def test_golden_relations(x: str, y: str, related: bool) -> None:
    graph = TokenGraph({x, y, "other"}, MatchConfig())
    assert (y in graph.related(x)) is related
    assert (x in graph.related(y)) is related


def test_two_spellings_of_a_hooked_letter_are_credited_as_one_name() -> None:
    config = MatchConfig()
    graph = TokenGraph({"kovachevich", "kovacevic", "kovalevic"}, config)
    assert graph.related("kovacevic")["kovachevich"] == config.digraph_similarity
    assert graph.related("kovacevic")["kovalevic"] < config.digraph_similarity  # a typo stays a typo
    query = graph.related("kovachevic")  # a token the lists do not hold
    assert query["kovachevich"] == query["kovacevic"] == config.digraph_similarity


def test_a_new_tokens_relations_come_sorted_by_vocabulary_id() -> None:
    """The scan finds relatives in (length, token) order; callers get them by id, like a vocabulary token's row."""
    graph = TokenGraph({"marvin", "amartin", "martina"}, MatchConfig())
    ids, sims = graph.related_ids("martin")
    assert [graph.tokens[i] for i in ids.tolist()] == ["amartin", "martina", "marvin"]
    assert sims.tolist() == [graph.related("martin")[graph.tokens[i]] for i in ids.tolist()]
