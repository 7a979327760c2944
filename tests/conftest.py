"""Shared fixtures: where the real data lives (../shared/data), skipping cleanly where it is absent,
and migrated databases: every test that takes `db_url` runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from service.db.migrate import upgrade
from service.db.models import Base
from service.db.session import engine_for
from service.screening_service import INDEXES
from service.settings import Settings
from tests.support.databases import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped with a clear reason if it does not exist."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not available: {path} (expected ../shared/data beside the project)")
    return path


@pytest.fixture
def shared_data() -> Path:
    return shared_path()


REQUIRE_SERVICES = os.environ.get("SCREENING_TEST_REQUIRE_SERVICES") == "1"
POSTGRES_SERVER = os.environ.get("SCREENING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("SCREENING_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def service_missing(what: str) -> None:
    """Fail under `make test` (CI must exercise real services), skip in an ad-hoc run without them."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required by `make test` but does not answer")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        url = create_database(POSTGRES_SERVER)
    except Exception as exc:
        service_missing(f"PostgreSQL at {POSTGRES_SERVER} ({type(exc).__name__})")
        raise
    upgrade(url)
    yield url
    engine_for(url).dispose()
    drop_database(POSTGRES_SERVER, url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _truncate(url: str) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine_for(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A migrated, empty database: a fresh SQLite file, or the session's PostgreSQL database truncated after use."""
    if request.param == "sqlite":
        path = tmp_path / "screening.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
        yield url
        engine_for(url).dispose()
        return
    url = request.getfixturevalue("postgres_url")
    _truncate(url)
    INDEXES.clear()
    yield url
    _truncate(url)
    INDEXES.clear()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=db_url,
        broker_url=None,
        download_dir=tmp_path / "downloads",
        sources_file=tmp_path / "sources.toml",
        webhook_allow_private_networks=True,  # test receivers listen on 127.0.0.1
        _env_file=None,  # type: ignore[call-arg]
    )
