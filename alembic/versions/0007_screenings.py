"""synchronous screenings kept as evidence (input and result document per request)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'screening',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('org_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('reference', sa.String(length=200), nullable=True),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=True),
        sa.Column('request', JSON_TYPE, nullable=False),
        sa.Column('document', JSON_TYPE, nullable=False),
        sa.Column('key_id', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_screening')),
    )
    op.create_index('ix_screening_org_created', 'screening', ['org_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_screening_org_created', table_name='screening')
    op.drop_table('screening')
