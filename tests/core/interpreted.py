"""Tests that replace a matcher function to watch its calls. Compiled (setup.py, mypyc), the matcher's modules call
each other directly, past any replacement: such a test runs again in a pytest process that imports their sources
(`SCREENING_INTERPRETED=1`, service/core/__init__.py) and passes when it passes there."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import service.core.matcher as matcher

ROOT = Path(__file__).resolve().parents[2]


def compiled() -> bool:
    """True when this process runs the compiled matcher."""
    return not str(matcher.__file__).endswith(".py")


def passed_interpreted(request: pytest.FixtureRequest) -> bool:
    """When the matcher is compiled: run the calling test in a process that imports the sources, fail unless it
    passes there, and return True (the caller then stops). False when this process runs the sources itself."""
    if not compiled():
        return False
    env = {**os.environ, "SCREENING_INTERPRETED": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", request.node.nodeid]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, f"interpreted run failed:\n{run.stdout[-4000:]}\n{run.stderr[-2000:]}"
    assert re.search(r"\b1 passed\b", run.stdout), run.stdout[-2000:]  # not skipped: it ran
    return True
