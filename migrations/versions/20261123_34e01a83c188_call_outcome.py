"""call outcome

How a hotline call ended (advice given, case opened, call back needed…), chosen by the
operator with the summary when the call ends.

Revision ID: 34e01a83c188
Revises: 868b46cfb747
Create Date: 2026-11-23 15:32:47.554407
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '34e01a83c188'
down_revision: str | None = '868b46cfb747'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.Enum(
            'advice_given', 'case_opened', 'case_updated', 'call_back_needed', 'referred',
            'no_action', 'dropped', name='calloutcome', native_enum=False, length=40),
            nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('outcome')
