"""ownership graph and per-organisation decision settings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ownership_edge",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=500), nullable=False),
        sa.Column("owned", sa.String(length=500), nullable=False),
        sa.Column("percent", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("control_type", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("owner_country", sa.String(length=2), nullable=True),
        sa.Column("owner_listed", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ownership_edge")),
    )
    op.create_index("ix_ownership_edge_org_id", "ownership_edge", ["org_id", "id"], unique=False)
    op.create_table(
        "org_setting",
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", JSON_TYPE, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "key", name=op.f("pk_org_setting")),
    )


def downgrade() -> None:
    op.drop_table("org_setting")
    op.drop_index("ix_ownership_edge_org_id", table_name="ownership_edge")
    op.drop_table("ownership_edge")
