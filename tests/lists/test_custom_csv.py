"""custom-csv: the documented internal-list CSV — a valid file, and strict errors naming row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from service.core.errors import ListFormatError
from service.core.model import EntityType, Identifier, ListEntry, NameKind, PartialDate
from service.lists import custom_csv

HEADER = ",".join(custom_csv.COLUMNS)
GOOD = [
    "C-0001,person,Ivan PETROV,Иван Петров|Ivan Petrov Jr,Vanya,1970-03-12|1971,RU,Russia|CY,"
    "passport:7512345:RU|crypto_wallet:bc1:xyz:,EXIT|FRAUD,2024-05-01,Exited 2024",
    'C-0002,Organization,"Acme Trading, LLC",Acme Trading,,,,AE,registration:12345:AE|tax:99-123,INTERNAL,,',
]


def _write(tmp_path: Path, lines: list[str], name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_file_all_columns(tmp_path: Path) -> None:
    """Checks: every documented column: names/kinds, partial DOBs, ISO countries, identifiers, programs, listed_on."""
    parsed = custom_csv.parse([_write(tmp_path, [HEADER, *GOOD])], "internal")
    petrov, acme = parsed.entries
    assert petrov.entity_id == "C-0001"
    assert petrov.entity_type is EntityType.PERSON
    assert [(n.value, n.kind) for n in petrov.names] == [
        ("Ivan PETROV", NameKind.PRIMARY),
        ("Иван Петров", NameKind.ALIAS),
        ("Ivan Petrov Jr", NameKind.ALIAS),
        ("Vanya", NameKind.WEAK_ALIAS),
    ]
    assert petrov.dates_of_birth == (PartialDate(1970, 3, 12), PartialDate(1971))
    assert petrov.nationalities == ("RU",)
    assert petrov.countries == ("RU", "CY")
    assert petrov.identifiers == (
        Identifier(type="passport", number="7512345", country="RU"),
        Identifier(type="crypto_wallet", number="bc1:xyz", country=None),
    )
    assert petrov.programs == ("EXIT", "FRAUD")
    assert petrov.listed_on == date(2024, 5, 1)
    assert petrov.remarks == "Exited 2024"
    assert acme.entity_type is EntityType.ORGANIZATION
    assert acme.primary_name == "Acme Trading, LLC"
    assert acme.listed_on is None
    for entry in parsed.entries:
        assert ListEntry.from_dict(entry.to_dict()) == entry


def test_minimal_columns_in_any_order(tmp_path: Path) -> None:
    """Checks: only the required columns, in another order, are enough."""
    parsed = custom_csv.parse([_write(tmp_path, ["name,entity_type,entity_id", "Jane Roe,person,1"])], "x")
    assert parsed.entries[0].primary_name == "Jane Roe"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["entity_id,name", "1,A"], "row 1: missing required column(s) entity_type"),
        ([HEADER + ",alias", GOOD[0] + ",x"], "row 1: unknown column(s) alias"),
        ([HEADER, GOOD[0], "C-3,person,,,,,,,,,,"], "row 3, column name: is empty"),
        ([HEADER, "C-3,ship,Boat,,,,,,,,,"], "row 2, column entity_type"),
        ([HEADER, "C-3,person,Jane,,,1970-13-01,,,,,,"], "row 2, column date_of_birth"),
        ([HEADER, "C-3,person,Jane,,,12/03/1970,,,,,,"], "row 2, column date_of_birth"),
        ([HEADER, "C-3,person,Jane,,,,,,,,2024/05/01,"], "row 2, column listed_on"),
        ([HEADER, "C-3,person,Jane,,,,Atlantis,,,,,"], "row 2, column nationality"),
        ([HEADER, "C-3,person,Jane,,,,,,badge:123,,,"], "row 2, column identifiers"),
        ([HEADER, "C-3,person,Jane,,,,,,passport,,,"], "row 2, column identifiers"),
        ([HEADER, GOOD[0], GOOD[0]], "row 3, column entity_id"),
        ([HEADER, "C-3,person,Jane"], "row 2: 3 cells, expected 12"),
        ([HEADER], "no entries"),
    ],
)
def test_strict_errors_name_row_and_column(tmp_path: Path, lines: list[str], message: str) -> None:
    """Checks: each validation failure raises ListFormatError whose message names the row and the column."""
    with pytest.raises(ListFormatError) as err:
        custom_csv.parse([_write(tmp_path, lines)], "x")
    assert message in err.value.message


def test_empty_and_truncated(tmp_path: Path) -> None:
    """Checks: an empty file and a file cut inside a quoted cell raise ListFormatError."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ListFormatError):
        custom_csv.parse([empty], "x")
    cut = _write(tmp_path, [HEADER, GOOD[0], GOOD[1][:20]], "cut.csv")
    with pytest.raises(ListFormatError, match="row 3"):
        custom_csv.parse([cut], "x")
