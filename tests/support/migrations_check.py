"""`make migrations-check`: alembic upgrade head, check, downgrade, upgrade again on a fresh PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.databases import create_database, drop_database

ROOT = Path(__file__).resolve().parents[2]


def main(server_url: str) -> int:
    url = create_database(server_url, prefix="screening_migrations")
    env = {**os.environ, "SCREENING_DATABASE_URL": url}
    alembic = str(Path(sys.executable).parent / "alembic")
    try:
        for args in (["upgrade", "head"], ["check"], ["downgrade", "base"], ["upgrade", "head"]):
            print("alembic", " ".join(args), flush=True)
            subprocess.run([alembic, *args], cwd=ROOT, env=env, check=True)
    except subprocess.CalledProcessError as exc:
        print(f"migrations check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        drop_database(server_url, url)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
