"""The compiled parts of the matcher; everything else is in pyproject.toml.

- service/core/_kernels.c: the loops over thousands of tokens, postings and token occurrences, in C.
- The matcher's per-query Python (`COMPILED`) compiled with mypyc from the same sources, which stay the code: two
  forked workers screened a quarter more queries per second than interpreted (benchmarks/matching.py's measure).
  The build records each source's digest in `service/core/_compiled.json`; `service/core/__init__.py` imports the
  sources instead of the compiled modules when any of them changed since (an edit not yet rebuilt: `make install`).
"""

import hashlib
import json
import os
import platform
from pathlib import Path

from mypyc.build import mypycify
from setuptools import Extension, setup

CORE = Path("service/core")
# The modules a query runs through, hottest first; they call each other directly once compiled (one mypyc group).
COMPILED = [
    "matcher",
    "names",
    "name_bound",
    "token_graph",
    "token_index",
    "translit",
    "name_rules",
    "legal_forms",
    "places",
    "features",
    "korean",
    "countries",
]

# The LCS prefilter counts bits; without this flag x86-64 compilers call a slow software popcount.
flags = ["-O3", "-mpopcnt"] if platform.machine().lower() in ("x86_64", "amd64") else ["-O3"]
kernels = Extension("service.core._kernels", ["service/core/_kernels.c"], extra_compile_args=flags)

if os.environ.get("SCREENING_INTERPRETED") == "1":  # a build without mypyc: the sources run as they are
    compiled = []
    digests: dict[str, str] = {}
else:
    sources = [str(CORE / f"{name}.py") for name in COMPILED]
    # mypyc type-checks what it compiles, in the build environment: the build requirements only, so not with the
    # project's configuration, whose pydantic plugin is not there (service/core/mypyc.ini says what it checks).
    options = ["--config-file", str(CORE / "mypyc.ini")]
    compiled = mypycify([*options, *sources], group_name="service.core._compiled")
    digests = {name: hashlib.sha256((CORE / f"{name}.py").read_bytes()).hexdigest() for name in COMPILED}
(CORE / "_compiled.json").write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")

setup(ext_modules=[kernels, *compiled])
