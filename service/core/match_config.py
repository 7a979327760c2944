"""`MatchConfig`: every threshold and weight of name matching and screening, explicit and frozen (later per org)."""

from __future__ import annotations

from dataclasses import dataclass

# The fields of a configuration that decide which tokens are related and how much (`MatchConfig.token_key`).
TokenKey = tuple[float, int, int, int, float, float, float]


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """Thresholds and weights; defaults chosen from `benchmarks/matching.py` measurements.

    The person surplus weight (0.3 rather than 0.35) gains recall on listed middle names and patronymics for more
    alerts on same-name people; a date of birth or nationality that disagrees lowers a full-name match below the
    review threshold (a different person, OFAC FAQ 5), when both sides carry one."""

    # --- name scorer -------------------------------------------------------------------------------------------
    # Two tokens below this similarity (rapidfuzz Indel ratio, 0..1) do not match at all.
    token_cutoff: float = 0.7
    # Tokens shorter than this only match exactly; below `fuzzy_first_letter_length` the first letters must agree.
    fuzzy_min_length: int = 4
    fuzzy_first_letter_length: int = 5
    # A swap of two adjacent letters is a typo from this length on, whatever the two rules above say; its similarity
    # 1 - 1/len is credited as 1 - transposition_penalty * (1/len) (a swap is more surely a typo than a new letter).
    transposition_min_length: int = 3
    transposition_penalty: float = 0.75
    # A fuzzy token pair's similarity s is credited as 1 - fuzzy_penalty * (1 - s) in the name score.
    fuzzy_penalty: float = 1.5
    # Credited when two tokens differ only by an "h" after s or c: one name in two romanisations, "š" and "č" written
    # without their hooks (Serbian, Croatian and Czech ASCII, ISO 9) or as digraphs (ICAO, BGN): "Švorcan" / "SVORCAN",
    # "Kovačević" / "KOVACEVIC" (not a typo; tokens of `fuzzy_min_length` letters or more); also when they differ only
    # by an "o" for a "u" or an "e" for an "i", one Arabic vowel in two transliterations: "Usama" / "Osama",
    # "Laden" / "Ladin" (names.spelling_key; not inside a Han, Hangul or Kana name, whose vowels make the syllable).
    digraph_similarity: float = 0.95
    # Credited when a name part written in Arabic, Persian or Hebrew letters has the consonants of a Latin-written one
    # ("حسين" / "Hussein"): the same name in all likelihood, but its vowels are not written.
    abjad_similarity: float = 0.9
    # Credited per syllable when a name written in Han characters reads as a name written otherwise ("张伟" / "ZHANG
    # Wei"): the same reading, not necessarily the same characters (李英, 李莹 and 李颖 all read "Li Ying").
    han_reading_similarity: float = 0.9
    # Similarity credited when a single letter is the initial of the other side's token ("V." ~ "Vladimir").
    initial_similarity: float = 0.7
    # Weight of a token left unmatched, relative to its length. Persons get a smaller weight for the surplus tokens of
    # the longer name, because lists often add middle names and patronymics that the counterparty omits.
    unmatched_weight: float = 1.0
    # Leftover parts on both sides mean a different name part (another surname), not an omission: weighed up.
    conflict_weight: float = 1.5
    person_surplus_weight: float = 0.3
    # A listed person's surname or first given name that the other name lacks (service.core.names.principal_parts)
    # is another person's name part, not an omitted middle name: weighed like a conflict.
    principal_omission_weight: float = 1.5
    # An unused initial weighs this many letters (times `conflict_weight`) when the other name also keeps an unmatched
    # part: "William G. Frost" and "William W. Frost" are two people, "Putin, V." is not "Vladimir Putin"'s rival.
    initial_conflict_mass: float = 3.0
    # OFAC FAQ 5: one matching name part out of several is not a hit; such a comparison is capped here.
    single_part_cap: float = 0.5
    # A name written in Han, Hangul or Kana with a syllable the other name lacks: another name, capped here.
    syllable_surplus_cap: float = 0.75
    # Both names carry numbers and they differ ("Vessel 1" / "Vessel 2"): capped here; numbers are identity.
    number_mismatch_cap: float = 0.4
    # Legal forms are weak evidence: a small bonus when both name the same class, a small malus when they disagree.
    legal_form_agree: float = 0.02
    legal_form_disagree: float = -0.05
    # Registered seats set aside after a company name ("DOO BEOGRAD"): different seats lower the score a little.
    place_agree: float = 0.0
    place_disagree: float = -0.03
    # Country and region qualifiers set aside from company names ("Deutsche Bank (Schweiz)"): absent on one side says
    # nothing, two different ones name two different entities ("Central Bank of Iran" / "of Syria").
    country_qualifier_disagree: float = -0.3

    # --- name kinds --------------------------------------------------------------------------------------------
    weak_alias_factor: float = 0.9
    former_name_factor: float = 0.97

    # --- secondary attributes (applied only when both sides have them) ------------------------------------------
    country_agree: float = 0.04
    country_disagree: float = -0.12
    dob_exact: float = 0.08
    dob_year: float = 0.04
    dob_disagree: float = -0.25
    dob_year_tolerance: int = 1
    # A listed person without a date of birth was at least this old when listed: someone born later is someone else
    # (features.born_after_listing). The youngest of the 7,577 listed persons with both dates was 17.
    min_age_at_listing: int = 14
    identifier_match: float = 0.3
    identifier_disagree: float = -0.05
    # A person against an organisation is weak evidence (a sole trader trades under his own name, an ERP may type
    # him either way); a person against a vessel is none of those: ships bear people's names ("WEN YAO").
    type_disagree: float = -0.2
    person_vessel_disagree: float = -0.5

    # --- reporting and decision ----------------------------------------------------------------------------------
    # Names scoring below this are not reported at all (and the index may skip them: candidate recall is exact
    # above it). Must stay above `single_part_cap` and `number_mismatch_cap`.
    report_threshold: float = 0.7
    review_threshold: float = 0.8
    # BLOCK without an identifier needs a name at least this good plus an agreeing secondary attribute.
    block_name_threshold: float = 0.95
    # An identifier match blocks when the name is at least this similar (guards against a reused number).
    identifier_block_name_min: float = 0.5
    max_matches: int = 20

    def __post_init__(self) -> None:
        if self.report_threshold <= max(self.single_part_cap, self.number_mismatch_cap):
            raise ValueError("report_threshold must exceed the single-part and number-mismatch caps")
        if self.principal_omission_weight < self.person_surplus_weight:
            # The index's bound weighs every omitted part at the person surplus weight at least.
            raise ValueError("principal_omission_weight must be at least person_surplus_weight")
        if not 0.0 < self.token_cutoff <= 1.0:
            raise ValueError("token_cutoff must be in (0, 1]")
        if self.fuzzy_min_length < 2 or self.transposition_min_length < 2:
            raise ValueError("fuzzy_min_length and transposition_min_length must be at least 2")

    @property
    def token_key(self) -> TokenKey:
        """The fields that decide which tokens are related and how much: an index's token graph is valid for
        every configuration with the same key."""
        return (
            self.token_cutoff,
            self.fuzzy_min_length,
            self.fuzzy_first_letter_length,
            self.transposition_min_length,
            self.fuzzy_penalty,
            self.transposition_penalty,
            self.digraph_similarity,
        )
