"""translation review state of guidance templates

Each template version records, per translated language, whether a native-speaking lawyer has
checked the translation ({"ky": "unreviewed"}); existing versions have no translations yet.

Revision ID: bc444ab4250c
Revises: ab0173cccb21
Create Date: 2026-11-23 15:16:52.244517
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'bc444ab4250c'
down_revision: str | None = 'ab0173cccb21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('guidance_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translation_review', sa.JSON(), server_default='{}',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('guidance_templates', schema=None) as batch_op:
        batch_op.drop_column('translation_review')
