"""The counterparty-level decision: CLEAR / REVIEW / BLOCK from the best matches, naming the rule that fired."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from service.core.match_config import MatchConfig
from service.core.matcher import Match
from service.core.model import NameKind


class Decision(StrEnum):
    CLEAR = "clear"
    REVIEW = "review"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Screening:
    """The decision for one counterparty, the rule that produced it and the matches it rests on."""

    decision: Decision
    rule: str
    matches: tuple[Match, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"decision": self.decision.value, "rule": self.rule, "matches": [m.to_dict() for m in self.matches]}


def decide(matches: Sequence[Match], config: MatchConfig) -> Screening:
    """Apply the rules in order: identifier match, strong corroborated name, review threshold, else clear."""
    relevant = tuple(m for m in matches if m.score >= config.review_threshold or m.identifier_match)
    for match in relevant:
        # An identifier is decisive, unless the names have nothing in common (a reused or mistyped number).
        if match.identifier_match and match.name_score >= config.identifier_block_name_min:
            return Screening(Decision.BLOCK, "identifier_match", relevant)
    for match in relevant:
        # OFAC does not expect a block on a weak AKA alone; a strong name needs an agreeing attribute and no conflict.
        if (
            match.name_kind is not NameKind.WEAK_ALIAS
            and match.name_score >= config.block_name_threshold
            and match.corroborations
            and not match.contradictions
        ):
            return Screening(Decision.BLOCK, "strong_name_with_corroboration", relevant)
    if any(m.score >= config.review_threshold for m in relevant):
        return Screening(Decision.REVIEW, "score_above_review_threshold", relevant)
    if relevant:
        return Screening(Decision.REVIEW, "identifier_match_weak_name", relevant)
    return Screening(Decision.CLEAR, "no_match_above_review_threshold", ())
