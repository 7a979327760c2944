"""Two records of one party, one of them without attributes: a match on that record is weighed with the other's.

* One designation in two lists: the US Consolidated Screening List republishes OFAC's lists (SDN, SSI, PLC, CAP,
  CMIC, NS-MBS, FSE) under OFAC's own unique ids, while the CSL projection the service may hold carries no dates of
  birth, nationalities or identifiers.
* One party on two sub-lists of one list, under the same name: the CSL gathers several agencies' lists, and the same
  person or company is often on two of them, one of which says nothing else about it. The State Department's ITAR
  debarred parties (DTC) come without any address, and 184 of its 787 names are on the Denied Persons List (DPL) as
  well, with theirs: the same convictions lead to both; 41 of the nonproliferation sanctions' (ISN) are on the SDN
  list or the Entity List. Only a record with no attribute at all takes another's, and only from a record with
  exactly the same primary name (case and spacing aside) and no other type.

The match's explanation names the record whose attributes were weighed (`linked_record`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from service.core.model import EntityType, ListEntry

# CSL sub-list codes whose entity numbers are OFAC unique ids (service.lists.csl_json writes "<code>:<number>").
_CSL_OFAC_CODES = frozenset({"SDN", "SSI", "PLC", "CAP", "CMIC", "MBS", "FSE"})
_OFAC_SOURCES = frozenset({"SDN", "CONSOLIDATED"})  # service.lists.ofac_* source_list values


@dataclass(frozen=True, slots=True)
class Link:
    """The position of the record whose attributes weigh a match, and why it is the same party."""

    twin: int
    reason: str


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


def _bare(entry: ListEntry) -> bool:
    """Nothing but names: no date of birth, nationality, identifier or country of any kind."""
    return not (_has_attributes(entry) or entry.countries)


def _sub_list_name(entry: ListEntry) -> tuple[str, str] | None:
    """The list and primary name, case and spacing aside, that make two sub-lists' records one party."""
    if entry.source_list is None:
        return None
    return entry.list_id, " ".join(entry.primary_name.casefold().split())


def _same_type(a: ListEntry, b: ListEntry) -> bool:
    return a.entity_type is b.entity_type or EntityType.UNKNOWN in (a.entity_type, b.entity_type)


def link_twins(entries: Sequence[ListEntry]) -> dict[int, Link]:
    """Per entry to be weighed with another record's attributes, that record (the first in `entries` order): for an
    entry without dates of birth, nationalities or identifiers, another list's record of the same OFAC designation
    with some; else, for an entry with no attribute at all, a record of another sub-list of its list with the same
    primary name and some."""
    designations: dict[str, int] = {}
    namesakes: dict[tuple[str, str], list[int]] = {}
    for position, entry in enumerate(entries):
        uid = ofac_uid(entry)
        if uid is not None and _has_attributes(entry):
            designations.setdefault(uid, position)
        key = _sub_list_name(entry)
        if key is not None and not _bare(entry):
            namesakes.setdefault(key, []).append(position)
    links: dict[int, Link] = {}
    for position, entry in enumerate(entries):
        uid = ofac_uid(entry)
        if uid is not None and not _has_attributes(entry):
            twin = designations.get(uid)
            if twin is not None and entries[twin].list_id != entry.list_id:
                links[position] = Link(twin, "same OFAC designation: its attributes are compared")
                continue
        key = _sub_list_name(entry)
        if key is None or not _bare(entry):
            continue
        for twin in namesakes.get(key, ()):
            other = entries[twin]
            if other.source_list != entry.source_list and _same_type(entry, other):
                links[position] = Link(
                    twin, f"same name on the {other.source_list} list, which says more: its attributes are compared"
                )
                break
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
