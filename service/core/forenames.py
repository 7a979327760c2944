"""Given names from a public first-name dictionary, for listed names that do not mark their surname.

The dictionary is Jörg Michael's first-name list (gender.c, c't magazine; GNU FDL), as the PyPI package
`gender-guesser` ships it: some 46,000 given names from about fifty countries, Western ones included. The given
names the lists themselves teach (`names.given_names`) are Arabic, Russian and Asian in the main; this adds "Scott",
"Barry" or "Kelly", so that "Scott Michael Miller" is known to end in its surname."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from service.core.names import strong_parts

# Line codes of given names: male, female, first-part-only, mostly male or female, unisex ("=" lines are nicknames).
_GIVEN_CODES = frozenset({"M", "F", "1M", "1F", "?M", "?F", "?"})
_NAME_COLUMNS = slice(3, 29)
# The file prints a name with an umlaut twice; the copy with "+" in column 30 is the one to skip (its header says so).
_DUPLICATE_COLUMN = 29


@lru_cache(maxsize=1)
def dictionary_forenames() -> frozenset[str]:
    """The dictionary's given names as skeletons of their strong parts ("Abdel+Aziz" gives "aziz")."""
    found: set[str] = set()
    with _dictionary_path().open(encoding="utf-8") as fh:
        for line in fh:
            if line[:2].strip() not in _GIVEN_CODES or line[_DUPLICATE_COLUMN : _DUPLICATE_COLUMN + 1] == "+":
                continue
            # "+" inside a name joins parts written with a hyphen, a space or nothing ("Jun+Wei").
            found.update(folded for _, folded in strong_parts(line[_NAME_COLUMNS].strip().replace("+", " "), True))
    return frozenset(found)


def _dictionary_path() -> Path:
    """Where the package keeps the file; the package is not imported (it needs nothing but its data)."""
    spec = importlib.util.find_spec("gender_guesser")
    assert spec is not None and spec.submodule_search_locations, "gender-guesser is a dependency"
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "nam_dict.txt"
