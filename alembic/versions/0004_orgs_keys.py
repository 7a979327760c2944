"""organisations and API keys (hashed, roles, expiry); org_id on customer rows

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:50:00
"""

from collections.abc import Sequence

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # PLACEHOLDER: filled in by the change that owns this revision


def downgrade() -> None:
    pass  # PLACEHOLDER
