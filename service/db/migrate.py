"""Run Alembic migrations programmatically (CLI `screening db upgrade`, `make run`, tests)."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from alembic.config import Config

from alembic import command
from service.settings import PROJECT_ROOT


def alembic_config(url: str) -> Config:
    """An Alembic config bound to `url` (passed as `-x url=...`, which env.py prefers over the environment)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"), cmd_opts=Namespace(x=[f"url={url}"]))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str) -> None:
    """Migrate the database at `url` to the latest revision."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
