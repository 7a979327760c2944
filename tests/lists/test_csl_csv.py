"""csl-csv: the trade.gov CSL CSV fixture (13 rows, 10 sources) and the 2023-11-30 export (repeated header, cut end)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, PartialDate
from service.lists import csl_csv
from tests.conftest import shared_path

FIXTURE = ("samples", "us_csl_consolidated_csv_fixture_2025-06.csv")
EXPORT = ("us_csl", "csl_2023-11-30.csv")


def test_fixture_sources_and_fields() -> None:
    """Checks: 13 entries from 10 sources, short codes, `; `-joined aliases/addresses/ids, gender from ids, DOB."""
    parsed = csl_csv.parse([shared_path(*FIXTURE)], "csl")
    assert len(parsed.entries) == 13
    assert Counter(e.source_list for e in parsed.entries) == {
        "SSI": 3,
        "PLC": 2,
        "ISN": 1,
        "UVL": 1,
        "MEU": 1,
        "SDN": 1,
        "DTC": 1,
        "DPL": 1,
        "FSE": 1,
        "EL": 1,
    }
    by_id = {e.entity_id: e for e in parsed.entries}
    rim = by_id["SDN:52291"]
    assert rim.entity_type is EntityType.PERSON
    assert rim.dates_of_birth == (PartialDate(1978, 12, 5),)
    assert [a.full for a in rim.addresses] == ["Shenyang, CN", "Pyongyang, KP"]
    assert rim.countries == ("CN", "KP")
    assert [(i.type, i.number, i.country) for i in rim.identifiers] == [("passport", "836238033", "KP")]
    assert rim.gender == "male"
    plc = by_id["PLC:9673"]
    assert [n.value for n in plc.names if n.kind is NameKind.ALIAS] == [
        "Mohammad Mutlaq ABU JHESHEH",
        "Mohammed ABU JEHEISHA",
    ]
    assert plc.programs == ("NS-PLC",)
    meu = next(e for e in parsed.entries if e.source_list == "MEU")
    assert meu.listed_on == date(2020, 12, 23)
    assert meu.entity_id == "MEU:66f6ab3f26234b75a9093fce79ef0ce0"
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_export_is_cut_mid_record() -> None:
    """Checks: the real 2023-11-30 file ends inside a quoted field (row 4229 has 8 of 29 cells): refused."""
    with pytest.raises(ListFormatError, match="row 4229 has 8 fields"):
        csl_csv.parse([shared_path(*EXPORT)], "csl")


def test_export_complete_rows(tmp_path: Path) -> None:
    """Checks: without the cut last record, 4,226 entries; the repeated header row skipped; ids unique across lists."""
    data = shared_path(*EXPORT).read_bytes()
    path = tmp_path / "csl.csv"
    path.write_bytes(data[: data.rindex(b"\n") + 1])
    parsed = csl_csv.parse([path], "csl")
    # 4,228 data lines = 4,226 complete records + 1 repeated header + 1 cut record.
    assert len(parsed.entries) == 4226
    assert parsed.warnings == ["csl.csv: row 2 repeats the header; skipped"]
    ids = [e.entity_id for e in parsed.entries]
    assert len(set(ids)) == len(ids)
    # The same _id appears under two sources (MBS and SSI, PLC and SDN): distinct entries per sub-list.
    assert {"MBS:17014", "SSI:17014", "PLC:9659", "SDN:9659"} <= set(ids)
    assert Counter(e.source_list for e in parsed.entries)["SDN"] == 1737
    assert Counter(e.source_list for e in parsed.entries)["EL"] == 919


def test_empty_and_wrong_header(tmp_path: Path) -> None:
    """Checks: an empty file, a header-only file and a non-CSL header raise ListFormatError."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ListFormatError):
        csl_csv.parse([empty], "csl")
    header_only = tmp_path / "header.csv"
    header_only.write_text(shared_path(*FIXTURE).read_text(encoding="utf-8").splitlines()[0] + "\n")
    with pytest.raises(ListFormatError, match="no entries"):
        csl_csv.parse([header_only], "csl")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    with pytest.raises(ListFormatError, match="header"):
        csl_csv.parse([wrong], "csl")
