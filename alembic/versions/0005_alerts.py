"""alerts and analyst decisions (four-eyes, good-guy memory)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:50:00
"""

from collections.abc import Sequence

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the change that owns this revision


def downgrade() -> None:
    pass  # PLACEHOLDER
