"""Two lists publishing one designation: the US Consolidated Screening List republishes OFAC's lists (SDN, SSI, PLC,
CAP, CMIC, NS-MBS, FSE) under OFAC's own unique ids, while the CSL projection the service may hold carries no dates
of birth, nationalities or identifiers. A match on the CSL record is then weighed with the attributes of the OFAC
record of the same designation, and the explanation names that record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from service.core.model import ListEntry

# CSL sub-list codes whose entity numbers are OFAC unique ids (service.lists.csl_json writes "<code>:<number>").
_CSL_OFAC_CODES = frozenset({"SDN", "SSI", "PLC", "CAP", "CMIC", "MBS", "FSE"})
_OFAC_SOURCES = frozenset({"SDN", "CONSOLIDATED"})  # service.lists.ofac_* source_list values


def ofac_uid(entry: ListEntry) -> str | None:
    """OFAC's unique id of the designation an entry publishes, when it is one of OFAC's."""
    code, _, number = entry.entity_id.partition(":")
    if number and code in _CSL_OFAC_CODES and entry.source_list in _CSL_OFAC_CODES and number.isdigit():
        return number
    if entry.source_list in _OFAC_SOURCES and entry.entity_id.isdigit():
        return entry.entity_id
    return None


def _has_attributes(entry: ListEntry) -> bool:
    return bool(entry.dates_of_birth or entry.nationalities or entry.identifiers)


def link_twins(entries: Sequence[ListEntry]) -> dict[int, int]:
    """For each entry without dates of birth, nationalities or identifiers, the position of another list's record of
    the same OFAC designation that has some (the first in `entries` order)."""
    donors: dict[str, int] = {}
    for position, entry in enumerate(entries):
        uid = ofac_uid(entry)
        if uid is not None and _has_attributes(entry):
            donors.setdefault(uid, position)
    links: dict[int, int] = {}
    for position, entry in enumerate(entries):
        uid = ofac_uid(entry)
        if uid is None or _has_attributes(entry):
            continue
        donor = donors.get(uid)
        if donor is not None and entries[donor].list_id != entry.list_id:
            links[position] = donor
    return links


def with_attributes_of(entry: ListEntry, twin: ListEntry) -> ListEntry:
    """`entry` with the twin's dates of birth, nationalities, countries and identifiers (for weighing a match)."""
    return replace(
        entry,
        dates_of_birth=twin.dates_of_birth,
        nationalities=twin.nationalities,
        countries=tuple(dict.fromkeys((*entry.countries, *twin.countries))),
        identifiers=twin.identifiers,
    )
