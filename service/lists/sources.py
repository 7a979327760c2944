"""The sources file (TOML): which lists the service imports, in which format, from which URLs or paths.

[[list]]
id = "ofac-sdn"                 # stable list id, used in results and the API
name = "OFAC SDN List"
format = "ofac-csv"             # a name from service.lists.registry.FORMATS
urls = ["https://..."]          # fetched by `screening lists fetch` / the refresh task
paths = ["../data/sdn.csv"]     # or local files, relative to the sources file
published = "2024-05-03"        # optional: publication date when the file does not carry one
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from service.core.errors import ConfigError
from service.lists.registry import FORMATS


@dataclass(frozen=True, slots=True)
class ListSource:
    id: str
    name: str
    format: str
    urls: tuple[str, ...] = ()
    paths: tuple[Path, ...] = ()
    published: date | None = None


def load_sources(path: Path) -> list[ListSource]:
    """Read and validate a sources file; errors name the list and the key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"sources file not found: {path}", field="sources_file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {path} is not valid TOML: {exc}", field="sources_file") from exc
    sources: list[ListSource] = []
    seen: set[str] = set()
    for index, item in enumerate(data.get("list", [])):
        where = f"{path.name}: list #{index + 1}"
        list_id = item.get("id")
        if not isinstance(list_id, str) or not list_id:
            raise ConfigError(f"{where}: missing 'id'", field="id")
        if list_id in seen:
            raise ConfigError(f"{where}: duplicate id {list_id!r}", field="id")
        seen.add(list_id)
        fmt = item.get("format")
        if fmt not in FORMATS:
            raise ConfigError(f"{where} ({list_id}): unknown format {fmt!r}", field="format")
        urls = tuple(item.get("urls", ()))
        paths = tuple((path.parent / p).resolve() for p in item.get("paths", ()))
        if not urls and not paths:
            raise ConfigError(f"{where} ({list_id}): give 'urls' or 'paths'", field="urls")
        published = item.get("published")
        if isinstance(published, str):
            published = date.fromisoformat(published)
        sources.append(
            ListSource(
                id=list_id,
                name=str(item.get("name", list_id)),
                format=str(fmt),
                urls=urls,
                paths=paths,
                published=published,
            )
        )
    if not sources:
        raise ConfigError(f"sources file {path} names no [[list]]", field="sources_file")
    return sources
