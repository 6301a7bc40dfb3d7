"""guidance templates rules positions given

Revision ID: 5c827880ede8
Revises: 30e27c2d7d11
Create Date: 2026-11-23 13:36:45.433453
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import migrantdesk.core.db

revision: str = '5c827880ede8'
down_revision: str | None = '30e27c2d7d11'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('citizenship_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=False),
    sa.Column('other_country', sa.String(length=2), nullable=False),
    sa.Column('stance', sa.Enum('recognised', 'treaty', 'tolerated', 'prohibited', 'penalised', name='citizenshipstance', native_enum=False, length=40), nullable=False),
    sa.Column('risk', sa.Enum('low', 'medium', 'high', name='risklevel', native_enum=False, length=40), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('provision_keys', sa.JSON(), nullable=False),
    sa.Column('source_citation', sa.Text(), nullable=False),
    sa.Column('verification', sa.Enum('confirmed', 'reported', 'needs_verification', name='verification', native_enum=False, length=40), nullable=False),
    sa.Column('verification_note', sa.Text(), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizenship_positions')),
    sa.UniqueConstraint('origin_country', 'other_country', name=op.f('uq_citizenship_positions_origin_country'))
    )
    op.create_table('guidance_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('template_keys', sa.JSON(), nullable=False),
    sa.Column('provision_keys', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'in_review', 'published', 'retired', name='contentstatus', native_enum=False, length=40), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_guidance_rules_approved_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_guidance_rules_author_id_users')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['guidance_rules.id'], name=op.f('fk_guidance_rules_supersedes_id_guidance_rules')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_rules')),
    sa.UniqueConstraint('key', 'version', name='uq_guidance_rules_key_version')
    )
    op.create_table('guidance_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.Enum('mobilisation_notice', 'foreign_army', 'dual_citizenship', 'stay_and_entry', 'documents_and_deportation', 'remittances', 'detention', name='topic', native_enum=False, length=40), nullable=False),
    sa.Column('origin_country', sa.String(length=2), nullable=True),
    sa.Column('host_country', sa.String(length=2), nullable=True),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('provision_keys', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'in_review', 'published', 'retired', name='contentstatus', native_enum=False, length=40), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_guidance_templates_approved_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_guidance_templates_author_id_users')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['guidance_templates.id'], name=op.f('fk_guidance_templates_supersedes_id_guidance_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_templates')),
    sa.UniqueConstraint('key', 'version', name='uq_guidance_templates_key_version')
    )
    op.create_table('guidance_given',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('migrant_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('provision_ids', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('given_by_id', sa.Integer(), nullable=False),
    sa.Column('given_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_guidance_given_call_id_calls')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_guidance_given_case_id_cases')),
    sa.ForeignKeyConstraint(['given_by_id'], ['users.id'], name=op.f('fk_guidance_given_given_by_id_users')),
    sa.ForeignKeyConstraint(['migrant_id'], ['migrants.id'], name=op.f('fk_guidance_given_migrant_id_migrants')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_guidance_given_office_id_offices')),
    sa.ForeignKeyConstraint(['template_id'], ['guidance_templates.id'], name=op.f('fk_guidance_given_template_id_guidance_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_given'))
    )
    with op.batch_alter_table('guidance_given', schema=None) as batch_op:
        batch_op.create_index('ix_guidance_given_case', ['case_id', 'given_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('guidance_given', schema=None) as batch_op:
        batch_op.drop_index('ix_guidance_given_case')

    op.drop_table('guidance_given')
    op.drop_table('guidance_templates')
    op.drop_table('guidance_rules')
    op.drop_table('citizenship_positions')
