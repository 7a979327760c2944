"""organisations and API keys (hashed, roles, expiry); org_id on customer rows

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Everything written before organisations existed belonged to the one implicit organisation.
DEFAULT_ORG = 'default'


def upgrade() -> None:
    op.create_table(
        'organisation',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    )
    op.create_table(
        'api_key',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('org_id', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_api_key_org_id_organisation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
        sa.UniqueConstraint('token_sha256', name='uq_api_key_token_sha256'),
    )
    op.create_index('ix_api_key_org', 'api_key', ['org_id', 'created_at'], unique=False)

    # Batches and audit chains written so far belong to "default": give it a row, then make org_id required.
    op.execute(sa.text('UPDATE batch SET org_id = :org WHERE org_id IS NULL').bindparams(org=DEFAULT_ORG))
    op.execute(
        sa.text(
            'INSERT INTO organisation (id, name, created_at) '
            'SELECT o.org_id, o.org_id, CURRENT_TIMESTAMP FROM '
            '(SELECT org_id FROM batch UNION SELECT org_id FROM audit_event) AS o'
        )
    )
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.alter_column('org_id', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint('uq_batch_idempotency_key', type_='unique')
        batch_op.create_unique_constraint('uq_batch_org_idempotency_key', ['org_id', 'idempotency_key'])


def downgrade() -> None:
    # Refuses (unique violation) when two organisations reused one idempotency key: that data needs a decision.
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_constraint('uq_batch_org_idempotency_key', type_='unique')
        batch_op.create_unique_constraint('uq_batch_idempotency_key', ['idempotency_key'])
        batch_op.alter_column('org_id', existing_type=sa.String(length=64), nullable=True)
    op.drop_index('ix_api_key_org', table_name='api_key')
    op.drop_table('api_key')
    op.drop_table('organisation')
