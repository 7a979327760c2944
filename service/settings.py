"""One Settings class (env prefix SCREENING_). No other module reads os.environ."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = PROJECT_ROOT / "config" / "sources.official.toml"
# Accepted only in development: the production check below refuses it.
DEFAULT_WEBHOOK_SECRET = "development-webhook-secret"


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
    # Batches: limits enforced before parsing where possible (413 beyond), and how the work is cut up.
    batch_max_items: int = Field(100_000, ge=1)
    batch_max_bytes: int = Field(64 * 1024 * 1024, ge=1024)
    batch_chunk_size: int = Field(500, ge=1, le=10_000)
    # A chunk queued or running for longer than this is re-enqueued by the `batches.sweep` beat task.
    chunk_timeout_seconds: int = Field(300, ge=1)
    chunk_max_attempts: int = Field(5, ge=1)
    sweep_interval_seconds: float = Field(60.0, gt=0)
    # Webhooks: HMAC-SHA256 secret (never the default outside development), timeout, bounded retries with backoff.
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    webhook_timeout_seconds: float = Field(10.0, gt=0)
    webhook_max_attempts: int = Field(8, ge=1)
    webhook_backoff_seconds: float = Field(2.0, ge=0)
    # Callback URLs must reach public addresses (SSRF guard); a deployment whose receivers live on its own network
    # (or a test with a local receiver) sets this.
    webhook_allow_private_networks: bool = False
    # Releasing a BLOCK alert as a false positive needs a second analyst's key (four-eyes); off → one decision.
    four_eyes_block_release: bool = True

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        # A production deployment must name its database and broker explicitly (habit 4: no default secrets).
        if self.environment == "production":
            if self.database_url.startswith("sqlite"):
                raise ValueError("SCREENING_DATABASE_URL must point at PostgreSQL in production")
            if not self.broker_url:
                raise ValueError("SCREENING_BROKER_URL must be set in production")
            if self.webhook_secret == DEFAULT_WEBHOOK_SECRET or len(self.webhook_secret) < 16:
                raise ValueError("SCREENING_WEBHOOK_SECRET must be set (16+ characters) in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
