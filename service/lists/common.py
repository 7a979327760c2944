"""Helpers shared by the list parsers: reading files safely, dates, empty markers, XML parsing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from service.core.errors import ListFormatError
from service.core.model import PartialDate

# Hardened parser: no network, no entity expansion (lists come from the internet).
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def read_bytes(path: Path) -> bytes:
    """Read a list file; an empty or missing file is a format error, not a crash."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ListFormatError(f"list file not found: {path}", field="path") from exc
    if not data.strip():
        raise ListFormatError(f"list file is empty: {path}", field="path")
    return data


def decode(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without BOM), falling back to cp1252 which older OFAC/UK files use."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ListFormatError(f"cannot decode {path.name} as UTF-8 or Windows-1252", field="path")


def read_text(path: Path) -> str:
    return decode(read_bytes(path), path)


def csv_rows(text: str, *, delimiter: str = ",") -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def parse_xml(path: Path) -> etree._Element:
    """Parse an XML list file; truncated or malformed XML raises ListFormatError naming the file and line."""
    data = read_bytes(path)
    try:
        return etree.fromstring(data, XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ListFormatError(f"{path.name} is not well-formed XML ({exc}); the file may be truncated") from exc


def local(tag: object) -> str:
    """Tag name without its namespace."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def clean(value: str | None) -> str | None:
    """Strip whitespace and OFAC's `-0-` empty marker; None for empty."""
    if value is None:
        return None
    text = " ".join(value.split())
    if not text or text == "-0-":
        return None
    return text


_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")


def parse_date(value: str | None) -> date | None:
    """Parse the full dates lists use (ISO, DD/MM/YYYY, DD.MM.YYYY, DD Mon YYYY, ISO datetime); None if not full."""
    text = clean(value)
    if text is None:
        return None
    text = text.strip()
    iso = _ISO_DATE.match(text)
    if iso:
        # Fast path: most list dates are ISO; strptime over many formats is slow on 10^5 values.
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%Y/%m/%d", "%d-%b-%Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


def parse_partial_date(value: str | None) -> PartialDate | None:
    """Parse a date of birth that may be partial: '1962', 'Mar 1962', '12 Mar 1962', 'circa 1962', '1960 to 1962'."""
    text = clean(value)
    if text is None:
        return None
    lowered = text.lower()
    circa = any(w in lowered for w in ("circa", "approx", "about", "ca."))
    full = parse_date(re.sub(r"(?i)\b(circa|approximately|approx\.?|about|ca\.)\s*", "", text))
    if full is not None:
        return PartialDate(full.year, full.month, full.day, circa=circa)
    years = [int(y) for y in _YEAR.findall(text)]
    if not years:
        return None
    if len(years) >= 2 and (" to " in lowered or "-" in lowered or "–" in lowered):
        return PartialDate(min(years), circa=circa, year_to=max(years))
    month = None
    for token in re.findall(r"[A-Za-z]+", lowered):
        if token[:3] in _MONTHS:
            month = _MONTHS[token[:3]]
            break
    m = re.match(r"^(\d{1,2})[./-](\d{4})$", text)
    if m and 1 <= int(m.group(1)) <= 12:
        month = int(m.group(1))
    return PartialDate(years[0], month, None, circa=circa)


def require_entries(count: int, path_names: Sequence[str], fmt: str) -> None:
    """An import that yields nothing is a broken file, never an empty list (guards atomic activation)."""
    if count == 0:
        raise ListFormatError(f"{fmt}: no entries found in {', '.join(path_names)}; refusing an empty list")
