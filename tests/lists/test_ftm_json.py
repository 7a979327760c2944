"""ftm-json: yente fixtures t1 and zala, and the OpenSanctions sa_wiki_peps export (FollowTheMoney JSON lines)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, PartialDate
from service.lists import ftm_json
from tests.conftest import shared_path

T1 = ("opensanctions", "yente_ftm_fixtures", "t1.entities.ftm.json")
ZALA = ("opensanctions", "yente_ftm_fixtures", "zala.entities.ftm.json")
PEPS = ("opensanctions", "sa_wiki_peps_20240311", "entities.ftm.json")


def test_t1_parties_only() -> None:
    """Checks: 7 lines → 6 entries (Organization 2 + Person 4; the Address is not a party), names, DOB, identifiers."""
    parsed = ftm_json.parse([shared_path(*T1)], "os")
    assert len(parsed.entries) == 6
    assert Counter(e.entity_type for e in parsed.entries) == {EntityType.PERSON: 4, EntityType.ORGANIZATION: 2}
    by_id = {e.entity_id: e for e in parsed.entries}
    kuz = by_id["NK-2Ka3UvopqbpZmVDFjWd4LA"]
    assert kuz.primary_name == "Vitaly Yurievich KUZMENKO"  # the caption
    assert {"Vitalij Kuzmenko", "Виталий Юрьевич КУЗЬМЕНКО"} <= {n.value for n in kuz.names}
    assert kuz.dates_of_birth == (PartialDate(1971, 1, 22),)
    assert kuz.nationalities == ("RU",)
    assert ("tax", "366510784303") in {(i.type, i.number) for i in kuz.identifiers}
    assert kuz.gender == "male"
    assert kuz.remarks is not None and kuz.remarks.startswith("Topics: sanction")
    tobacco = by_id["NK-2GdmHtZTeNXjNVrBGEXZNj"]
    assert tobacco.countries == ("BY",)
    assert ("registration", "808000714") in {(i.type, i.number) for i in tobacco.identifiers}


def test_zala_relations_sanctions_aliases() -> None:
    """Checks: 17 entries, 14 Ownership → owned_by/owner_of with percent, Sanction → programs/listed_on, aliases."""
    parsed = ftm_json.parse([shared_path(*ZALA)], "os")
    assert len(parsed.entries) == 17
    assert Counter(e.entity_type for e in parsed.entries) == {EntityType.PERSON: 6, EntityType.ORGANIZATION: 11}
    kinds = Counter(r.kind for e in parsed.entries for r in e.relations)
    assert kinds["owned_by"] == 14 and kinds["owner_of"] == 14
    assert kinds["director"] == 3 and kinds["director_of"] == 3
    by_id = {e.entity_id: e for e in parsed.entries}
    cst = by_id["NK-abdzbEBkqyT29GyREbiURZ"]
    assert cst.primary_name == "LLC CST"
    owners = {(r.target_name, r.percent) for r in cst.relations if r.kind == "owned_by"}
    assert ("Alexander Vyacheslavovich ZAKHAROV", 51.0) in owners
    assert ("JSC Kalashnikov Concern", 49.0) in owners
    assert "ZALA" in {n.value for n in cst.names if n.kind is NameKind.WEAK_ALIAS}
    assert {"AU-RUSSIA", "GB-RUS", "US-RUSHAR"} <= set(cst.programs)
    assert cst.listed_on == date(2021, 10, 30)
    zakharov = by_id["NK-aU5ybkbRFJucf8YMwsJvDw"]
    assert ("owner_of", "LLC CST", 51.0) in {(r.kind, r.target_name, r.percent) for r in zakharov.relations}
    assert zakharov.listed_on == date(2023, 7, 1)
    osetrova = by_id["NK-2Tbri3s6GgNtAwsSXh4qpL"]
    # Her previousName values are also spelled in `name` (case differs): a name listed as both stays strong.
    assert "maria aleksandrovna zakharova" in {n.value.casefold() for n in osetrova.names}
    assert NameKind.FORMER not in {n.kind for n in osetrova.names}
    assert ("Zakharova Mariia Oleksandrivna", NameKind.ALIAS) in {(n.value, n.kind) for n in osetrova.names}
    # Address entities are attached through addressEntity (matched on id or referents).
    assert sum(len(e.addresses) for e in parsed.entries) > 0
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_sa_wiki_peps_persons_and_family() -> None:
    """Checks: 1,264 lines → 576 Person entries; Family links become relations; positions land in remarks."""
    parsed = ftm_json.parse([shared_path(*PEPS)], "os")
    assert len(parsed.entries) == 576
    assert {e.entity_type for e in parsed.entries} == {EntityType.PERSON}
    assert sum(1 for e in parsed.entries for r in e.relations if r.kind == "family") > 0
    assert sum(1 for e in parsed.entries if e.remarks and "Position: " in e.remarks) >= 113
    ids = [e.entity_id for e in parsed.entries]
    assert len(set(ids)) == len(ids)


def test_previous_name_weak_alias_document_and_sanction(tmp_path: Path) -> None:
    """Checks: previousName → FORMER, weakAlias → WEAK_ALIAS, Passport → identifier, Sanction dates → listed_on."""
    path = tmp_path / "small.json"
    path.write_text(
        "\n".join(
            [
                '{"id": "p1", "schema": "Person", "caption": "Anna Roe", "properties": {"name": ["Anna Roe"], '
                '"previousName": ["Anna Doe"], "weakAlias": ["Annie"], "birthDate": ["1970-05"]}}',
                '{"id": "d1", "schema": "Passport", "properties": {"holder": ["p1"], "number": ["X123"], '
                '"country": ["gb"]}}',
                '{"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "program": ["Internal"], '
                '"startDate": ["2022-03-01"], "listingDate": ["2021-12-31"]}}',
                '{"id": "s2", "schema": "Sanction", "properties": {"entity": ["gone"], "program": ["X"]}}',
            ]
        )
        + "\n"
    )
    parsed = ftm_json.parse([path], "os")
    (anna,) = parsed.entries
    assert [(n.value, n.kind) for n in anna.names] == [
        ("Anna Roe", NameKind.PRIMARY),
        ("Anna Doe", NameKind.FORMER),
        ("Annie", NameKind.WEAK_ALIAS),
    ]
    assert anna.dates_of_birth == (PartialDate(1970, 5),)
    assert [(i.type, i.number, i.country) for i in anna.identifiers] == [("passport", "X123", "GB")]
    assert anna.programs == ("Internal",)
    assert anna.listed_on == date(2021, 12, 31)
    assert parsed.warnings == ["1 links/sanctions point at parties not in the file; ignored"]


def test_truncated_malformed_empty(tmp_path: Path) -> None:
    """Checks: a cut last line, a non-entity line and an empty file raise ListFormatError naming the line."""
    data = shared_path(*ZALA).read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: len(data) - 50])
    with pytest.raises(ListFormatError, match="line 91"):
        ftm_json.parse([cut], "os")
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x", "schema": "Person", "properties": {"name": ["A"]}}\n[1, 2]\n')
    with pytest.raises(ListFormatError, match="line 2"):
        ftm_json.parse([bad], "os")
    empty = tmp_path / "empty.json"
    empty.write_text("\n")
    with pytest.raises(ListFormatError):
        ftm_json.parse([empty], "os")
    only_links = tmp_path / "links.json"
    only_links.write_text('{"id": "o1", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"]}}\n')
    with pytest.raises(ListFormatError, match="no entries"):
        ftm_json.parse([only_links], "os")
