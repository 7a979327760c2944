"""uk-csv: the FCDO UK Sanctions List CSV (real header + 1 row), the Report Date preamble, grouping by Unique ID."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, ListEntry, NameKind, PartialDate
from service.lists import uk_csv
from tests.conftest import shared_path

SAMPLE = ("samples", "uk_sanctions_list_csv_header_plus_1row_2026-10-08.csv")


def test_sample_row_ship() -> None:
    """Checks: 58-column header recognised, RUS2176 ship, IMO number, flag, regime, Date Designated, owner relation."""
    parsed = uk_csv.parse([shared_path(*SAMPLE)], "uk")
    assert parsed.published is None  # the sample has no "Report Date:" preamble
    (entry,) = parsed.entries
    assert entry.entity_id == "RUS2176"
    assert entry.entity_type is EntityType.VESSEL
    assert entry.primary_name == "KOROLEV PROSPECT"
    assert [i.number for i in entry.identifiers if i.type == "imo"] == ["9826902"]
    assert entry.countries == ("GA",)
    assert entry.programs == ("The Russia (Sanctions) (EU Exit) Regulations 2019",)
    assert entry.listed_on == date(2024, 7, 31)
    assert entry.relations[0].target_name == "Stream Ship Management FZCO"
    assert entry.remarks is not None and "UK Statement of Reasons: KOROLEV PROSPECT (IMO 9826902)" in entry.remarks
    assert ListEntry.from_dict(entry.to_dict()) == entry


def test_report_date_preamble_sets_published(tmp_path: Path) -> None:
    """Checks: the official `Report Date: DD-Mon-YYYY` line before the header → published; entries unchanged."""
    text = shared_path(*SAMPLE).read_text(encoding="utf-8")
    path = tmp_path / "with_preamble.csv"
    path.write_text("Report Date: 08-Oct-2026\n" + text, encoding="utf-8")
    parsed = uk_csv.parse([path], "uk")
    assert parsed.published == date(2026, 10, 8)
    assert parsed.entries == uk_csv.parse([shared_path(*SAMPLE)], "uk").entries


def _rows_file(tmp_path: Path, changes: list[dict[str, str]]) -> Path:
    """Rows built on the real header: each dict overrides cells of an otherwise empty row."""
    header = next(csv.reader(io.StringIO(shared_path(*SAMPLE).read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for change in changes:
        writer.writerow([change.get(col, "") for col in header])
    path = tmp_path / "rows.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_rows_grouped_by_unique_id_weak_stays_weak(tmp_path: Path) -> None:
    """Checks: one row per name grouped by Unique ID, every alias attached, Low → WEAK_ALIAS, DOB/nationality merge."""
    common = {
        "Unique ID": "AQD0128",
        "Designation Type": "Individual",
        "Regime Name": "ISIL",
        "Date Designated": "11/03/2010",
        "Nationality(/ies)": "Iraq",
    }
    path = _rows_file(
        tmp_path,
        [
            {**common, "Name 1": "AKRAM", "Name 6": "AL-MAZIDIH", "Name type": "Primary Name", "D.O.B": "dd/mm/1974"},
            {**common, "Name 1": "Abu", "Name 6": "Akram", "Name type": "Alias", "Alias strength": "Low quality a.k.a"},
            {
                **common,
                "Name 1": "Akram",
                "Name 6": "Al-Hishan",
                "Name type": "Alias",
                "Alias strength": "Good quality",
            },
            {
                **common,
                "Name 1": "AKRAM",
                "Name 6": "AL MAZIDIH",
                "Name type": "Primary name variation",
                "D.O.B": "1985",
            },
            {"Unique ID": "RUS0001", "Name 6": "ACME", "Name type": "Primary name", "Designation Type": "Entity"},
        ],
    )
    entries = {e.entity_id: e for e in uk_csv.parse([path], "uk").entries}
    assert list(entries) == ["AQD0128", "RUS0001"]
    person = entries["AQD0128"]
    assert person.entity_type is EntityType.PERSON
    assert [(n.value, n.kind) for n in person.names] == [
        ("AKRAM AL-MAZIDIH", NameKind.PRIMARY),
        ("Akram Al-Hishan", NameKind.ALIAS),
        ("AKRAM AL MAZIDIH", NameKind.ALIAS),
        ("Abu Akram", NameKind.WEAK_ALIAS),
    ]
    assert person.dates_of_birth == (PartialDate(1974), PartialDate(1985))
    assert person.nationalities == ("IQ",)
    assert person.listed_on == date(2010, 3, 11)
    assert entries["RUS0001"].entity_type is EntityType.ORGANIZATION


def test_truncated_empty_and_wrong_file(tmp_path: Path) -> None:
    """Checks: a row cut mid-file, an empty file and a file without the UK header raise ListFormatError."""
    data = shared_path(*SAMPLE).read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: len(data) - 300])
    with pytest.raises(ListFormatError, match="truncated"):
        uk_csv.parse([cut], "uk")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ListFormatError):
        uk_csv.parse([empty], "uk")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ListFormatError, match="header"):
        uk_csv.parse([wrong], "uk")
    header_only = tmp_path / "header_only.csv"
    header_only.write_text(data.decode("utf-8").splitlines()[0] + "\n")
    with pytest.raises(ListFormatError, match="no entries"):
        uk_csv.parse([header_only], "uk")
