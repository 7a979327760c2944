"""The compiled matcher (setup.py, mypyc) runs only the sources it was compiled from (service/core/__init__.py)."""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
from pathlib import Path

import pytest

import service.core
from service.core import RECORD, prefer_sources, stale_modules
from tests.core.interpreted import compiled

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _package(root: Path, name: str, source: str) -> Path:
    """A package `name` under `root` whose module `mod` has `source` and a compiled form that is not loadable."""
    directory = root / name
    directory.mkdir()
    (directory / "__init__.py").write_text("")
    (directory / "mod.py").write_text(source)
    (directory / f"mod{SUFFIX}").write_bytes(b"not a shared object")
    (directory / "plain.py").write_text("VALUE = 2\n")  # no compiled form: never listed
    return directory


def _record(directory: Path, **digests: str) -> None:
    (directory / RECORD).write_text(json.dumps(digests))


def test_a_source_changed_since_its_build_makes_every_compiled_module_stale(tmp_path: Path) -> None:
    directory = _package(tmp_path, "pkg_stale", "VALUE = 1\n")
    (directory / "other.py").write_text("X = 0\n")
    (directory / f"other{SUFFIX}").write_bytes(b"")
    digest = {p: hashlib.sha256((directory / f"{p}.py").read_bytes()).hexdigest() for p in ("mod", "other")}
    _record(directory, **digest)
    assert stale_modules(directory) == []
    (directory / "mod.py").write_text("VALUE = 3\n")
    assert stale_modules(directory) == ["mod", "other"]  # all or none: compiled, they call each other directly
    (directory / RECORD).unlink()
    (directory / "mod.py").write_text("VALUE = 1\n")
    assert stale_modules(directory) == ["mod", "other"]  # no record of the build: nothing is known to be current


def test_stale_modules_are_imported_from_their_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = _package(tmp_path, "pkg_sources", "VALUE = 1\n")
    _record(directory, mod="0" * 64)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    for name in ("pkg_sources", "pkg_sources.mod"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ImportError):
        importlib.import_module("pkg_sources.mod")  # Python tries the compiled form first
    with pytest.warns(RuntimeWarning, match="rebuild"):
        assert prefer_sources("pkg_sources", directory) == ["mod"]
    module = importlib.import_module("pkg_sources.mod")
    assert module.VALUE == 1
    assert module.__file__ == str(directory / "mod.py")
    monkeypatch.delitem(sys.modules, "pkg_sources.mod")


def test_interpreted_on_request_imports_sources_without_warning(tmp_path: Path) -> None:
    directory = _package(tmp_path, "pkg_request", "VALUE = 1\n")
    _record(directory, mod=hashlib.sha256(b"VALUE = 1\n").hexdigest())
    meta_path = list(sys.meta_path)
    try:
        assert prefer_sources("pkg_request", directory) == []  # current: the compiled form is used
        assert prefer_sources("pkg_request", directory, interpreted=True) == ["mod"]
    finally:
        sys.meta_path[:] = meta_path


def test_this_build_runs_the_sources_it_compiled() -> None:
    """After `make install` the matcher's modules are compiled from these very sources (edit one without rebuilding
    and this fails: the other tests then ran the sources, not what the product runs)."""
    directory = Path(service.core.__file__).parent
    record = directory / RECORD
    digests = json.loads(record.read_text()) if record.exists() else {}
    if not digests:
        pytest.skip("built without mypyc (SCREENING_INTERPRETED=1 at install): the sources run interpreted")
    assert stale_modules(directory) == [], "sources changed since the build: run `make install`"
    assert compiled()
