"""leaflets

Revision ID: 94a193b48e0e
Revises: 5c827880ede8
Create Date: 2026-11-23 14:17:39.626269
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import migrantdesk.core.db

revision: str = '94a193b48e0e'
down_revision: str | None = '5c827880ede8'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('leaflets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('template_key', sa.String(length=60), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Enum('mobilisation_notice', 'foreign_army', 'dual_citizenship', 'stay_and_entry', 'documents_and_deportation', 'remittances', 'detention', name='topic', native_enum=False, length=40), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=False),
    sa.Column('host_country', sa.String(length=2), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('page_format', sa.Enum('A5', 'A4', name='pageformat', native_enum=False, length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_size', sa.Integer(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('published_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_leaflets_office_id_offices')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_leaflets_published_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_leaflets_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['leaflets.id'], name=op.f('fk_leaflets_superseded_by_id_leaflets')),
    sa.ForeignKeyConstraint(['template_id'], ['guidance_templates.id'], name=op.f('fk_leaflets_template_id_guidance_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaflets')),
    sa.UniqueConstraint('code', name=op.f('uq_leaflets_code'))
    )
    with op.batch_alter_table('leaflets', schema=None) as batch_op:
        batch_op.create_index('ix_leaflets_catalogue', ['origin_country', 'host_country', 'topic', 'language'], unique=False)
        batch_op.create_index(batch_op.f('ix_leaflets_pdf_sha256'), ['pdf_sha256'], unique=False)
        batch_op.create_index('ix_leaflets_series', ['office_id', 'template_key', 'language', 'page_format'], unique=False)

    op.create_table('leaflet_downloads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('leaflet_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['leaflet_id'], ['leaflets.id'], name=op.f('fk_leaflet_downloads_leaflet_id_leaflets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaflet_downloads')),
    sa.UniqueConstraint('leaflet_id', 'day', name=op.f('uq_leaflet_downloads_leaflet_id'))
    )


def downgrade() -> None:
    op.drop_table('leaflet_downloads')
    with op.batch_alter_table('leaflets', schema=None) as batch_op:
        batch_op.drop_index('ix_leaflets_series')
        batch_op.drop_index(batch_op.f('ix_leaflets_pdf_sha256'))
        batch_op.drop_index('ix_leaflets_catalogue')

    op.drop_table('leaflets')
