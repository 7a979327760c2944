"""The compiled part of the matcher (service/core/_kernels.c); everything else is in pyproject.toml."""

import platform

from setuptools import Extension, setup

# The LCS prefilter counts bits; without this flag x86-64 compilers call a slow software popcount.
flags = ["-O3", "-mpopcnt"] if platform.machine().lower() in ("x86_64", "amd64") else ["-O3"]
setup(ext_modules=[Extension("service.core._kernels", ["service/core/_kernels.c"], extra_compile_args=flags)])
