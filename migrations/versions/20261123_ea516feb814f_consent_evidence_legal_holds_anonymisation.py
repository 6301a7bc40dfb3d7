"""consent evidence, legal holds, anonymisation

Consents may name the call during which they were given; cases get a legal hold (reason,
who, when) and an anonymisation time; tasks get a kind (a call-back needs consent);
migrants keep their birth year once anonymised.

Revision ID: ea516feb814f
Revises: 3c4940fc284d
Create Date: 2026-11-23 15:21:24.796351
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import migrantdesk.core.db

revision: str = 'ea516feb814f'
down_revision: str | None = '3c4940fc284d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('follow_up', 'call_back', name='taskkind', native_enum=False, length=40), server_default='follow_up', nullable=False))

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold_reason', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('legal_hold_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_legal_hold_by_id_users'), 'users', ['legal_hold_by_id'], ['id'])

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('call_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_consents_call_id_calls'), 'calls', ['call_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('migrants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('anonymised_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('migrants', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('birth_year')

    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_consents_call_id_calls'), type_='foreignkey')
        batch_op.drop_column('call_id')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_legal_hold_by_id_users'), type_='foreignkey')
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('legal_hold_at')
        batch_op.drop_column('legal_hold_by_id')
        batch_op.drop_column('legal_hold_reason')

    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_column('kind')
