"""alerts and analyst decisions (four-eyes, good-guy memory)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'alert',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('org_id', sa.String(length=64), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('counterparty', JSON_TYPE, nullable=False),
        sa.Column('list_id', sa.String(length=64), nullable=False),
        sa.Column('entity_id', sa.String(length=128), nullable=False),
        sa.Column('entity_name', sa.Text(), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('list_version', sa.String(length=128), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('match', JSON_TYPE, nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('source_ref', sa.String(length=255), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('occurrences', sa.Integer(), nullable=False),
        sa.Column('closing_decision_id', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    )
    op.create_index('ix_alert_org_status', 'alert', ['org_id', 'status', 'id'], unique=False)
    op.create_index('ix_alert_org_fingerprint', 'alert', ['org_id', 'fingerprint'], unique=False)
    op.create_index('ix_alert_list_entity', 'alert', ['list_id', 'entity_id'], unique=False)
    op.create_table(
        'alert_decision',
        sa.Column('id', BIG_ID, autoincrement=True, nullable=False),
        sa.Column('alert_id', BIG_ID, nullable=False),
        sa.Column('org_id', sa.String(length=64), nullable=False),
        sa.Column('decision', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('actor_key_id', sa.String(length=64), nullable=False),
        sa.Column('actor_role', sa.String(length=32), nullable=False),
        sa.Column('status_before', sa.String(length=32), nullable=False),
        sa.Column('status_after', sa.String(length=32), nullable=False),
        sa.Column('content_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['alert_id'], ['alert.id'], name=op.f('fk_alert_decision_alert_id_alert'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_decision')),
    )
    op.create_index('ix_alert_decision_alert', 'alert_decision', ['alert_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_alert_decision_alert', table_name='alert_decision')
    op.drop_table('alert_decision')
    op.drop_index('ix_alert_list_entity', table_name='alert')
    op.drop_index('ix_alert_org_fingerprint', table_name='alert')
    op.drop_index('ix_alert_org_status', table_name='alert')
    op.drop_table('alert')
