"""ownership graph and per-organisation decision settings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 07:50:00
"""

from collections.abc import Sequence

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the change that owns this revision


def downgrade() -> None:
    pass  # PLACEHOLDER
