"""Secondary attributes of a match: country, date of birth, identifiers, entity type — each a signed contribution
to the score with the raw values that produced it, applied only when both sides have the attribute."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from service.core.countries import is_iso2, related_countries
from service.core.match_config import MatchConfig
from service.core.model import EntityType, ListEntry, NameKind, PartialDate
from service.core.names import one_transposition

if TYPE_CHECKING:
    from service.core.matcher import Query

_ID_CHARS = re.compile(r"[^0-9a-z]")
# Kinds of identifier that are numbers of the same register, so a match between different labels still counts.
_ID_KIND_GROUPS = {"tax": "tax", "registration": "registration", "national_id": "national_id", "passport": "passport"}
# Identifier kinds that describe contact points, not identity: they neither block nor contradict.
ID_IGNORED = frozenset({"email", "website", "phone"})


@dataclass(frozen=True, slots=True)
class Feature:
    """One signed contribution to a match score and the raw values that produced it."""

    contribution: float
    query: Any
    listed: Any
    detail: Any = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        data = {"contribution": round(self.contribution, 4), "query": self.query, "listed": self.listed}
        if self.detail is not None:
            data["detail"] = self.detail
        return data


def normalise_identifier(number: str) -> str:
    """Identifier number reduced to lowercase letters and digits ("IMO 9.123.456" → "imo9123456" → "9123456")."""
    text = _ID_CHARS.sub("", number.casefold())
    return text.removeprefix("imo") if text.startswith("imo") and text[3:].isdigit() else text


def kind_factor(kind: NameKind, cfg: MatchConfig) -> float:
    if kind is NameKind.WEAK_ALIAS:
        return cfg.weak_alias_factor
    if kind is NameKind.FORMER:
        return cfg.former_name_factor
    return 1.0


def country_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """Country agreement raises, disagreement lowers; absent on either side says nothing, and neither does a
    territory of a listed country or the country of a listed territory (Hong Kong and China: detail "territory")."""
    if not query.country:
        return None
    # Only assigned codes: a list's "NM" (New Mexico in a CSL record) or withdrawn "AN" names no country to compare.
    listed = sorted({c for c in (*entry.nationalities, *entry.countries) if is_iso2(c)})
    listed += sorted({a.country for a in entry.addresses if a.country and is_iso2(a.country)} - set(listed))
    if not listed:
        return None
    mine = query.country.upper()
    if mine in {c.upper() for c in listed}:
        return "country", Feature(cfg.country_agree, query.country, listed)
    if any(related_countries(mine, c) for c in listed):
        return "country", Feature(0.0, query.country, listed, "territory")
    return "country", Feature(cfg.country_disagree, query.country, listed)


def dob_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """Date of birth: full-date equality and year equality raise; years further apart than the tolerance lower, and
    so do full dates more than one slip apart (`_two_full_dates_apart`), but not the same birthday in a year one
    slip away (`_year_slip`). A listed person without one still has a year of listing: someone born after it, or
    too shortly before (`born_after_listing`), is someone else."""
    dob = query.date_of_birth
    if dob is None:
        return None
    if not entry.dates_of_birth:
        return born_after_listing(query, entry, cfg)
    listed = [d.iso() for d in entry.dates_of_birth]
    best = cfg.dob_disagree
    for cand in entry.dates_of_birth:
        lo, hi = cand.year, cand.year_to or cand.year
        if cand.circa:
            lo, hi = lo - cfg.dob_year_tolerance, hi + cfg.dob_year_tolerance
        if (
            dob.month is not None
            and dob.day is not None
            and (cand.year, cand.month, cand.day) == (dob.year, dob.month, dob.day)
        ):
            best = max(best, cfg.dob_exact)
        elif _year_slip(dob, cand):
            best = max(best, 0.0)  # the same birthday written with another year: neither for nor against
        elif _two_full_dates_apart(dob, cand):
            continue  # not one slip of the pen: another person's birthday
        elif lo <= dob.year <= hi:
            if cand.month is not None and dob.month is not None and cand.month != dob.month:
                best = max(best, 0.0)  # same year, different month: neither for nor against
            else:
                best = max(best, cfg.dob_year)
        elif lo - cfg.dob_year_tolerance <= dob.year <= hi + cfg.dob_year_tolerance:
            best = max(best, 0.0)  # within tolerance: typos and circa dates, no evidence either way
    return "date_of_birth", Feature(best, dob.iso(), listed)


# A Federal Register citation: "83 FR 18112", "79 F.R. 78391 12/30/14" (volume, page, sometimes the date). Volume N
# is the year 1935 + N (volume 1 is 1936's).
_FR_CITATION = re.compile(r"\b(\d{1,3}) ?F\.? ?R\.? \d+")
_FR_FIRST_YEAR = 1935


def listing_year(entry: ListEntry) -> int | None:
    """The year a party was listed: its listing date, else the earliest Federal Register notice it cites (the US
    lists that publish no dates, as the CSL's ITAR debarred parties, cite the notice that listed them)."""
    if entry.listed_on is not None:
        return entry.listed_on.year
    years = [_FR_FIRST_YEAR + int(volume) for volume in _FR_CITATION.findall(entry.remarks or "")]
    plausible = [y for y in years if _FR_FIRST_YEAR < y <= date.today().year]
    return min(plausible) if plausible else None


def born_after_listing(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """A person born after the year the list named the listed one, or fewer than `min_age_at_listing` years before
    it, is not that person: lowered as a date of birth that disagrees, with the year of listing as the listed value.
    Only for persons (a company founded after a listing may carry its listed namesake's name on purpose)."""
    dob = query.date_of_birth
    if dob is None or EntityType.PERSON not in (query.entity_type, entry.entity_type):
        return None
    if entry.entity_type not in (EntityType.PERSON, EntityType.UNKNOWN):
        return None
    year = listing_year(entry)
    earliest = dob.year - (cfg.dob_year_tolerance if dob.circa else 0)  # "circa 1990" may be 1989
    if year is None or earliest <= year - cfg.min_age_at_listing:
        return None
    return "date_of_birth", Feature(cfg.dob_disagree, dob.iso(), f"listed {year}", "born_after_listing")


def _year_slip(dob: PartialDate, listed: PartialDate) -> bool:
    """Two exact full dates of the same day and month whose years differ in one digit or by two digits swapped
    ("1976-06-20" / "1967-06-20", "1984-05-06" / "1986-05-06"): lists that carry one person disagree so, and another
    person shares the birthday one time in 365. 1 January stands for an unknown day in many records: not counted."""
    if not _exact_full_dates(dob, listed) or (dob.month, dob.day) != (listed.month, listed.day):
        return False
    a, b = f"{dob.year:04d}", f"{listed.year:04d}"
    return sum(x != y for x, y in zip(a, b, strict=True)) == 1 or one_transposition(a, b)


def _exact_full_dates(dob: PartialDate, listed: PartialDate) -> bool:
    """Both dates exact to the day, and neither 1 January, which stands for an unknown day in many records."""
    if dob.day is None or listed.day is None or dob.circa or listed.circa or listed.year_to is not None:
        return False
    return (dob.month, dob.day) != (1, 1) and (listed.month, listed.day) != (1, 1)


def _two_full_dates_apart(dob: PartialDate, listed: PartialDate) -> bool:
    """Two exact full dates that differ in more than one of year, month and day, and not by day and month swapped.

    A typo or a clerk's slip changes one part ("1988-01-06" for "1989-01-06", "1969-07-16" for "1969-06-16"); two
    parts changing is a different date. 1 January stands for an unknown day in many records, so it never counts."""
    if not _exact_full_dates(dob, listed):
        return False
    if dob.year == listed.year and (dob.month, dob.day) == (listed.day, listed.month):
        return False
    return (dob.year != listed.year) + (dob.month != listed.month) + (dob.day != listed.day) >= 2


def identifier_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """An equal identifier number is decisive; a different number of the same kind lowers a little."""
    mine = [i for i in query.identifiers if i.type not in ID_IGNORED]
    if not mine:
        return None  # most queries: the listed identifiers are not read at all
    theirs = [i for i in entry.identifiers if i.type not in ID_IGNORED]
    if not theirs:
        return None
    listed_numbers = {normalise_identifier(i.number): i for i in theirs}
    for ident in mine:
        number = normalise_identifier(ident.number)
        if len(number) >= 4 and number in listed_numbers:
            hit = listed_numbers[number]
            return "identifier", Feature(
                cfg.identifier_match, f"{ident.type}:{ident.number}", f"{hit.type}:{hit.number}"
            )
    my_kinds = {_ID_KIND_GROUPS.get(i.type, i.type) for i in mine}
    their_kinds = {_ID_KIND_GROUPS.get(i.type, i.type) for i in theirs}
    if my_kinds & their_kinds - {"other"}:
        return "identifier", Feature(
            cfg.identifier_disagree,
            [f"{i.type}:{i.number}" for i in mine],
            [f"{i.type}:{i.number}" for i in theirs],
        )
    return None


def type_feature(query: Query, entry: ListEntry, cfg: MatchConfig) -> tuple[str, Feature] | None:
    """A person never matches an organisation or a vessel, and vice versa; unknown types say nothing. A person and a
    vessel weigh more: an organisation may be a person's own business, or a single-ship company named after its
    vessel, but a ship is never a person."""
    if query.entity_type in (None, EntityType.UNKNOWN) or entry.entity_type is EntityType.UNKNOWN:
        return None
    mine = query.entity_type is EntityType.PERSON
    theirs = entry.entity_type is EntityType.PERSON
    if mine == theirs:
        return None
    vessel = EntityType.VESSEL in (query.entity_type, entry.entity_type)
    weight = cfg.person_vessel_disagree if vessel and (mine or theirs) else cfg.type_disagree
    return "entity_type", Feature(weight, query.entity_type.value, entry.entity_type.value)
