"""statistics: response timestamps and export jobs

Cases get first_response_at and resolved_at (kept by cases.services from now on). Existing
cases are filled from what is known: the last change of a case that left "new" stands for its
first response, and the closing or last change of a resolved or closed case for its resolution.
An index on (office_id, opened_at) serves the dashboard's period queries; on PostgreSQL it
carries the grouped columns, so they are read without visiting the table.

Revision ID: 868b46cfb747
Revises: ea516feb814f
Create Date: 2026-11-23 15:16:40.456359
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import migrantdesk.core.db

revision: str = '868b46cfb747'
down_revision: str | None = 'ea516feb814f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stats_export_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('aggregates', 'cases', name='exportkind', native_enum=False, length=40), nullable=False),
    sa.Column('format', sa.Enum('csv', 'xlsx', 'json', name='exportformat', native_enum=False, length=40), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='jobstate', native_enum=False, length=40), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(length=100), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_stats_export_jobs_office_id_offices')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_stats_export_jobs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_export_jobs'))
    )
    with op.batch_alter_table('stats_export_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_stats_export_jobs_office_created', ['office_id', 'created_at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_response_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_cases_office_opened', ['office_id', 'opened_at'], unique=False, postgresql_include=['category', 'status', 'priority', 'host_country'])

    op.execute("UPDATE cases SET first_response_at = updated_at WHERE status <> 'new'")
    op.execute("UPDATE cases SET resolved_at = COALESCE(closed_at, updated_at) "
               "WHERE status IN ('resolved', 'closed')")



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_office_opened', postgresql_include=['category', 'status', 'priority', 'host_country'])
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('first_response_at')

    with op.batch_alter_table('stats_export_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_stats_export_jobs_office_created')

    op.drop_table('stats_export_jobs')
