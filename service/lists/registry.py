"""Stable format names → parser modules. Each module exposes `parse(paths, list_id) -> ParsedList`."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

from service.core.errors import UnknownFormatError
from service.core.model import ParsedList

Parser = Callable[[Sequence[Path], str], ParsedList]

# Format name (documented in README, used by the sources file and `screening lists import`) → module.
FORMATS: dict[str, str] = {
    "ofac-csv": "service.lists.ofac_csv",
    "ofac-xml": "service.lists.ofac_xml",
    "ofac-advanced-xml": "service.lists.ofac_advanced_xml",
    "un-xml": "service.lists.un_xml",
    "eu-fsf-xml": "service.lists.eu_fsf_xml",
    "eu-fsf-csv": "service.lists.eu_fsf_csv",
    "eu-journal-csv": "service.lists.eu_journal_csv",
    "uk-csv": "service.lists.uk_csv",
    "uk-xml": "service.lists.uk_xml",
    "ofsi-csv": "service.lists.ofsi_csv",
    "csl-json": "service.lists.csl_json",
    "csl-csv": "service.lists.csl_csv",
    "ftm-json": "service.lists.ftm_json",
    "custom-csv": "service.lists.custom_csv",
}


def get_parser(fmt: str) -> Parser:
    """Return the parser for a format name, or raise UnknownFormatError listing the valid names."""
    module_name = FORMATS.get(fmt)
    if module_name is None:
        raise UnknownFormatError(
            f"unknown list format {fmt!r}; use one of: {', '.join(sorted(FORMATS))}", field="format"
        )
    module = importlib.import_module(module_name)
    parser: Parser = module.parse
    return parser


def parse(fmt: str, paths: Sequence[Path], list_id: str) -> ParsedList:
    """Parse files of one list in one format."""
    return get_parser(fmt)(paths, list_id)
