"""Name matching and screening: pure code, no web, queue or database imports.

The build compiles the modules a query runs through (setup.py, mypyc) and records their sources' digests in
`_compiled.json`. Python imports a compiled module before its source, so after an edit not yet rebuilt it would run
the old code: when any compiled module's source differs from the one compiled, all of them are imported from their
sources (compiled, they call each other directly: all or none), with a warning to rebuild (`make install`).
`SCREENING_INTERPRETED=1` imports the sources too (profilers and tests that replace a function see the Python).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

RECORD = "_compiled.json"


def compiled_modules(directory: Path) -> list[str]:
    """The modules of `directory` that have a compiled form beside their source."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return sorted(p.stem for p in directory.glob("*.py") if any(p.with_name(p.stem + s).exists() for s in suffixes))


def stale_modules(directory: Path) -> list[str]:
    """The modules of `directory` that have a compiled form, when any of their sources differs from the one the
    build compiled (or the build's record is missing); else none."""
    compiled = compiled_modules(directory)
    try:
        digests = json.loads((directory / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        digests = {}
    for name in compiled:
        if digests.get(name) != hashlib.sha256((directory / f"{name}.py").read_bytes()).hexdigest():
            return compiled
    return []


class _Sources(MetaPathFinder):
    """Finds the listed modules of a package as their sources, ahead of their compiled forms."""

    def __init__(self, package: str, directory: Path, names: Sequence[str]) -> None:
        self._paths = {f"{package}.{name}": directory / f"{name}.py" for name in names}

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self._paths.get(fullname)
        return None if source is None else importlib.util.spec_from_file_location(fullname, source)


def prefer_sources(package: str, directory: Path, interpreted: bool = False) -> list[str]:
    """Import from their sources, from now on, the modules of `package` that have a compiled form: with
    `interpreted`, all of them; else `stale_modules(directory)`, with a warning. Returns them."""
    if interpreted:
        chosen = compiled_modules(directory)
    else:
        chosen = stale_modules(directory)
        if chosen:
            warnings.warn(
                f"{package}: sources changed since they were compiled; running them interpreted "
                "(rebuild: make install)",
                RuntimeWarning,
                stacklevel=2,
            )
    if chosen:
        sys.meta_path.insert(0, _Sources(package, directory, chosen))
    return chosen


prefer_sources(__name__, Path(__file__).parent, os.environ.get("SCREENING_INTERPRETED") == "1")
