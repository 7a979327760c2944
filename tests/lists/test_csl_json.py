"""csl-json: the compact CSL projection (2026-07-31, 25,921 entries) and the official layout (self-made fixture)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, ParsedList, PartialDate
from service.lists import csl_json
from tests.conftest import shared_path

COMPACT = ("us_csl", "screening-list_compact_2026-07-31.json")


@pytest.fixture(scope="module")
def compact() -> ParsedList:
    return csl_json.parse([shared_path(*COMPACT)], "csl")


def test_compact_counts_codes_and_unique_ids(compact: ParsedList) -> None:
    """Checks: 25,921 entries, countsBySource per short code, published from sourceGeneratedAt, unique entity ids."""
    assert len(compact.entries) == 25921
    assert compact.published == date(2026, 7, 31)
    assert Counter(e.source_list for e in compact.entries) == {
        "SDN": 19181,
        "EL": 3420,
        "DPL": 1596,
        "DTC": 787,
        "SSI": 286,
        "UVL": 222,
        "ISN": 161,
        "PLC": 78,
        "MEU": 70,
        "CMIC": 68,
        "MBS": 51,
        "CAP": 1,
    }
    ids = [e.entity_id for e in compact.entries]
    assert len(set(ids)) == len(ids)
    # Lists without entity numbers (EL, DPL, DTC...) get name hashes; the same name listed twice is numbered.
    numbered = [i for i in ids if i.endswith("-2")]
    assert numbered and all(i.split(":")[0] in {"EL", "DPL", "DTC", "UVL", "ISN", "MEU"} for i in numbered)
    assert len(compact.warnings) == 1 and "-2" in compact.warnings[0]


def test_compact_known_entities(compact: ParsedList) -> None:
    """Checks: VELESSTORE (SDN, RU, RUSSIA-EO14024), KOMINVEX alias, MCI TRADING alias "MCI DOO BEOGRAD", type."""
    by_name = {e.primary_name: e for e in compact.entries}
    veles = by_name["LIMITED LIABILITY COMPANY VELESSTORE"]
    assert veles.source_list == "SDN"
    assert veles.entity_id == "SDN:47485"
    assert veles.entity_type is EntityType.ORGANIZATION
    assert veles.countries == ("RU",)
    assert veles.programs == ("RUSSIA-EO14024",)
    kominvex = by_name["KOMINVEX DOO BEOGRAD"]
    assert kominvex.source_list == "SDN"
    assert [n.value for n in kominvex.names if n.kind is NameKind.ALIAS] == [
        "PREDUZECE ZA TRGOVINU I INZENJERING POSLOVE KOMINVEX DOO BEOGRAD RAKOVICA"
    ]
    mci = by_name["MCI TRADING DOO BEOGRAD PALILULA"]
    assert ("MCI DOO BEOGRAD", NameKind.ALIAS) in {(n.value, n.kind) for n in mci.names}
    assert mci.countries == ("RS",)


def test_compact_round_trip(compact: ParsedList) -> None:
    """Checks: ListEntry.from_dict(e.to_dict()) == e for every entry."""
    for entry in compact.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_compact_truncated_and_inconsistent(tmp_path: Path) -> None:
    """Checks: cut JSON, entryCount mismatch (entries removed) and an empty file raise ListFormatError."""
    data = shared_path(*COMPACT).read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ListFormatError, match="truncated"):
        csl_json.parse([cut], "csl")
    doc = json.loads(data)
    doc["entries"] = doc["entries"][:-10]
    short = tmp_path / "short.json"
    short.write_text(json.dumps(doc))
    with pytest.raises(ListFormatError, match="entryCount"):
        csl_json.parse([short], "csl")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    with pytest.raises(ListFormatError):
        csl_json.parse([empty], "csl")


def _official() -> dict[str, Any]:
    """A small record set in the official trade.gov layout (field names as the API documents them)."""
    return {
        "total": 3,
        "sources_used": [
            {"source": "Entity List (EL) - Bureau of Industry and Security", "source_last_updated": "2026-07-30"},
            {
                "source": "Specially Designated Nationals (SDN) - Treasury Department",
                "source_last_updated": "2026-07-31",
            },
        ],
        "results": [
            {
                "id": "a1b2",
                "source": "Specially Designated Nationals (SDN) - Treasury Department",
                "entity_number": "52291",
                "type": "Individual",
                "programs": ["NPWMD"],
                "name": "RIM, Ryong Nam",
                "title": "Representative",
                "alt_names": ["RIM, Ryong-nam"],
                "addresses": [
                    {"address": None, "city": "Shenyang", "state": None, "postal_code": None, "country": "CN"},
                ],
                "start_date": "2017-06-01",
                "ids": [
                    {"type": "Passport", "number": "836238033", "country": "KP"},
                    {"type": "Gender", "number": "Male", "country": None},
                    {
                        "type": "Secondary sanctions risk:",
                        "number": "North Korea Sanctions Regulations",
                        "country": None,
                    },
                ],
                "dates_of_birth": ["1978-12-05", "1979"],
                "nationalities": ["KP"],
                "citizenships": [],
                "places_of_birth": ["Pyongyang, North Korea"],
                "remarks": None,
                "federal_register_notice": "82 FR 25223",
            },
            {
                "id": "9f8e7d",
                "source": "Entity List (EL) - Bureau of Industry and Security",
                "entity_number": None,
                "type": None,
                "programs": [],
                "name": "Academy of Aerospace Solid Propulsion Technology",
                "alt_names": ["AASPT"],
                "addresses": [
                    {
                        "address": "Tian Wang te Zi #1",
                        "city": "Xian",
                        "state": "Shaanxi",
                        "postal_code": "710025",
                        "country": "CN",
                    }
                ],
                "start_date": "2020-12-23",
                "license_requirement": "For all items subject to the EAR.",
                "license_policy": "Presumption of denial.",
                "ids": [],
                "dates_of_birth": [],
                "nationalities": [],
                "citizenships": [],
                "places_of_birth": [],
            },
            {
                "source": "Denied Persons List (DPL) - Bureau of Industry and Security",
                "name": "JOHN DOE TRADING",
                "addresses": [],
            },
        ],
    }


def test_official_layout_fields(tmp_path: Path) -> None:
    """Checks: official `results` layout → names, aliases, addresses, ids (features skipped, gender kept), DOBs, ids."""
    path = tmp_path / "consolidated.json"
    path.write_text(json.dumps(_official()))
    parsed = csl_json.parse([path], "csl")
    assert parsed.published == date(2026, 7, 31)
    rim, academy, doe = parsed.entries
    assert rim.entity_id == "SDN:52291"
    assert rim.entity_type is EntityType.PERSON
    assert [(n.value, n.kind) for n in rim.names] == [
        ("RIM, Ryong Nam", NameKind.PRIMARY),
        ("RIM, Ryong-nam", NameKind.ALIAS),
    ]
    assert [(i.type, i.number, i.country) for i in rim.identifiers] == [("passport", "836238033", "KP")]
    assert rim.gender == "male"
    assert rim.dates_of_birth == (PartialDate(1978, 12, 5), PartialDate(1979))
    assert rim.nationalities == ("KP",)
    assert rim.addresses[0].city == "Shenyang" and rim.addresses[0].country == "CN"
    assert rim.listed_on == date(2017, 6, 1)
    assert rim.remarks is not None and "Federal Register notice: 82 FR 25223" in rim.remarks
    assert academy.entity_id == "EL:9f8e7d"  # no entity number: the record id
    assert academy.entity_type is EntityType.UNKNOWN
    assert academy.addresses[0].postal_code == "710025"
    assert academy.remarks is not None and "License policy: Presumption of denial." in academy.remarks
    assert doe.entity_id.startswith("DPL:h")  # neither number nor id: hash of source + name
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_official_bare_list_and_deterministic_duplicate_ids(tmp_path: Path) -> None:
    """Checks: a bare list of records is accepted; same-name DPL records get ids independent of file order."""
    records = _official()["results"]
    twin = {**records[2], "addresses": [{"address": "1 Main St", "country": "US"}]}
    first = tmp_path / "a.json"
    first.write_text(json.dumps([*records, twin]))
    second = tmp_path / "b.json"
    second.write_text(json.dumps([twin, *reversed(records)]))
    ids_a = {e.entity_id: e.addresses for e in csl_json.parse([first], "csl").entries}
    ids_b = {e.entity_id: e.addresses for e in csl_json.parse([second], "csl").entries}
    assert ids_a == ids_b
    assert len(ids_a) == 4


def test_official_record_without_name_or_source(tmp_path: Path) -> None:
    """Checks: a record without a name, or a top level that is neither layout, is a ListFormatError."""
    doc = _official()
    doc["results"][1]["name"] = ""
    path = tmp_path / "noname.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ListFormatError, match="no name"):
        csl_json.parse([path], "csl")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ListFormatError, match="results"):
        csl_json.parse([other], "csl")
