"""One Settings class (env prefix SCREENING_). No other module reads os.environ."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = PROJECT_ROOT / "config" / "sources.official.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", env_file=".env", extra="ignore")

    environment: str = Field("development", description="development | test | production")
    # Embedded default: a SQLite file under ./var; production: postgresql+psycopg://...
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'screening.db'}"
    # None → in-process worker thread running the same task code; redis://... → Celery over Redis.
    broker_url: str | None = None
    sources_file: Path = DEFAULT_SOURCES
    # Where fetched list files are kept (one folder per list, one file per content hash).
    download_dir: Path = PROJECT_ROOT / "var" / "downloads"
    fetch_timeout_seconds: float = 30.0
    # How often beat runs `lists.refresh` (seconds).
    refresh_interval_seconds: int = 6 * 3600
    # Bootstrap API keys (comma separated) accepted until the key store exists; never a default in production.
    api_keys: str = ""

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # A production deployment must name its database and broker explicitly (habit 4: no default secrets).
        if self.environment == "production":
            if self.database_url.startswith("sqlite"):
                raise ValueError("SCREENING_DATABASE_URL must point at PostgreSQL in production")
            if not self.broker_url:
                raise ValueError("SCREENING_BROKER_URL must be set in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
