"""Ownership edges stated by the sanctions lists themselves: the `Relation`s the parsers keep on each entry
(FollowTheMoney Ownership with a percentage, OFAC "owned or controlled by", UK "parent company"...).

Two ways in, both bounded to what a shipment touches:
- a party or ownership node that matches a listed entity brings that entity's owned_by / controlled_by / owner_of
  relations (its listed owners, and what it owns);
- a party named as the target of a listed entity's owner_of relation is owned (or controlled) by that entity.
A relation with a percentage becomes a SHARES edge; without one it is a LIST_STATED control edge (a control
indicator, never multiplied through layers).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from service.core.matcher import MatcherIndex
from service.core.model import ListEntry, Relation
from service.core.ownership import ControlType

OWNED_BY = frozenset({"owned_by", "controlled_by"})  # the entry is owned/controlled by the target
OWNER_OF = frozenset({"owner_of"})  # the entry owns the target


def norm_name(name: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())


@dataclass(frozen=True, slots=True)
class RelationEdge:
    """`owner` → `owned` as the list states it; ends are labels (a party reference, a node label or a name)."""

    owner: str
    owned: str
    control: ControlType
    percent: Decimal | None
    source: str
    owner_listed: bool  # the owner is the listed entity itself


class RelationIndex:
    """Per matcher index: entries by (list, entity id), and owner_of relations by the target's normalised name."""

    def __init__(self, index: MatcherIndex) -> None:
        self.by_id: dict[tuple[str, str], ListEntry] = {}
        self.owners_of: dict[str, list[tuple[ListEntry, Relation]]] = {}
        for entry in index.entries:
            self.by_id[(entry.list_id, entry.entity_id)] = entry
            for rel in entry.relations:
                if rel.kind in OWNER_OF and rel.target_name:
                    self.owners_of.setdefault(norm_name(rel.target_name), []).append((entry, rel))


_LOCK = threading.Lock()


def relation_index(index: MatcherIndex) -> RelationIndex:
    """Built once per matcher index (the index itself is cached per set of list versions), and kept on it."""
    with _LOCK:
        found = index.derived.get("relations")
        if not isinstance(found, RelationIndex):
            found = index.derived["relations"] = RelationIndex(index)
        return found


def _percent(value: float | None) -> Decimal | None:
    if value is None:
        return None
    try:
        percent = Decimal(str(value))
    except InvalidOperation:
        return None
    return percent if Decimal(0) < percent <= Decimal(100) else None


def _edge(owner: str, owned: str, entry: ListEntry, rel: Relation, owner_listed: bool) -> RelationEdge | None:
    if norm_name(owner) == norm_name(owned):
        return None
    percent = _percent(rel.percent)
    control = ControlType.SHARES if percent is not None else ControlType.LIST_STATED
    stated = rel.kind.replace("_", " ") + (f" {percent.normalize():f}%" if percent is not None else "")
    source = f"{entry.list_id} {entry.entity_id}: {stated}" + (f" ({rel.note})" if rel.note else "")
    return RelationEdge(owner, owned, control, percent, source, owner_listed)


def _target_label(rel: Relation, by_id: Mapping[tuple[str, str], ListEntry], list_id: str) -> str | None:
    if rel.target_id:
        target = by_id.get((list_id, rel.target_id))
        if target is not None:
            return target.primary_name
    return rel.target_name


def edges_of_matches(relations: RelationIndex, label: str, matches: Iterable[Mapping[str, Any]]) -> list[RelationEdge]:
    """Edges stated by the listed entities a node (known as `label`) matched."""
    out: list[RelationEdge] = []
    for match in matches:
        entry = relations.by_id.get((str(match.get("list")), str(match.get("entity_id"))))
        if entry is None:
            continue
        for rel in entry.relations:
            target = _target_label(rel, relations.by_id, entry.list_id)
            if not target:
                continue
            edge: RelationEdge | None = None
            if rel.kind in OWNED_BY:
                edge = _edge(target, label, entry, rel, owner_listed=False)
            elif rel.kind in OWNER_OF:
                edge = _edge(label, target, entry, rel, owner_listed=False)
            if edge is not None:
                out.append(edge)
    return out


def edges_naming(relations: RelationIndex, label: str, name: str) -> list[RelationEdge]:
    """Edges from listed entities whose owner_of relation names this party."""
    out: list[RelationEdge] = []
    for entry, rel in relations.owners_of.get(norm_name(name), ()):
        edge = _edge(entry.primary_name, label, entry, rel, owner_listed=True)
        if edge is not None:
            out.append(edge)
    return out
