"""guidance provisions: versioned, sourced legal provisions per jurisdiction

Revision ID: 30e27c2d7d11
Revises: 5fb2fee1e6ac
Create Date: 2026-11-23 13:15:09.311434
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import migrantdesk.core.db

revision: str = '30e27c2d7d11'
down_revision: str | None = '5fb2fee1e6ac'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('provisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('jurisdiction', sa.String(length=2), nullable=False),
    sa.Column('instrument', sa.String(length=300), nullable=False),
    sa.Column('article', sa.String(length=20), nullable=True),
    sa.Column('part', sa.String(length=20), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('penalty', sa.JSON(), nullable=True),
    sa.Column('penalty_text', sa.Text(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('source_citation', sa.Text(), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=True),
    sa.Column('verification', sa.Enum('confirmed', 'reported', 'needs_verification', name='verification', native_enum=False, length=40), nullable=False),
    sa.Column('verification_note', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'in_review', 'published', 'retired', name='provisionstatus', native_enum=False, length=40), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("source_citation <> ''", name=op.f('ck_provisions_source_citation_present')),
    sa.CheckConstraint('effective_to IS NULL OR effective_to > effective_from', name=op.f('ck_provisions_effective_period')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_provisions_version_positive')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_provisions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_provisions_author_id_users')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['provisions.id'], name=op.f('fk_provisions_supersedes_id_provisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provisions')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_provisions_key_version'))
    )
    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.create_index('ix_provisions_jurisdiction_status', ['jurisdiction', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provisions', schema=None) as batch_op:
        batch_op.drop_index('ix_provisions_jurisdiction_status')
    op.drop_table('provisions')
