"""initial schema

Revision ID: 5fb2fee1e6ac
Revises: 
Create Date: 2026-11-23 13:00:51.342286
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import migrantdesk.core.db

revision: str = '5fb2fee1e6ac'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Trigram indexes for repeat-caller search by name and phone.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.Enum('KG', 'UZ', 'TJ', 'KZ', 'TM', name='origincountry', native_enum=False, length=40), nullable=False),
    sa.Column('host_country', sa.String(length=2), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('hotline_numbers', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=60), nullable=False),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('code', name=op.f('uq_offices_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.Enum('operator', 'lawyer', 'consul', 'manager', 'admin', name='role', native_enum=False, length=40), nullable=False),
    sa.Column('preferred_language', sa.String(length=10), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_users_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_office_id'), ['office_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.Enum('read', 'search', 'create', 'update', 'delete', 'export', 'login', 'login_failed', 'logout', name='auditaction', native_enum=False, length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_audit_events_office_id_offices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_office_occurred', ['office_id', 'occurred_at'], unique=False)

    op.create_table('migrants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('surname_cyrl', sa.String(length=100), nullable=True),
    sa.Column('given_names_cyrl', sa.String(length=150), nullable=True),
    sa.Column('surname_latn', sa.String(length=100), nullable=True),
    sa.Column('given_names_latn', sa.String(length=150), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('home_region', sa.String(length=100), nullable=True),
    sa.Column('host_city', sa.String(length=100), nullable=True),
    sa.Column('preferred_language', sa.String(length=10), nullable=True),
    sa.Column('search_key', sa.String(length=600), nullable=False),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_migrants_office_id_offices')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_migrants_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migrants'))
    )
    with op.batch_alter_table('migrants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_migrants_office_id'), ['office_id'], unique=False)
        batch_op.create_index('ix_migrants_search_key_trgm', ['search_key'], unique=False, postgresql_using='gin', postgresql_ops={'search_key': 'gin_trgm_ops'})

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('migrant_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('host_country', sa.String(length=2), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('new', 'in_progress', 'waiting', 'resolved', 'closed', name='casestatus', native_enum=False, length=40), nullable=False),
    sa.Column('priority', sa.Enum('low', 'normal', 'high', 'urgent', name='priority', native_enum=False, length=40), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_cases_assignee_id_users')),
    sa.ForeignKeyConstraint(['migrant_id'], ['migrants.id'], name=op.f('fk_cases_migrant_id_migrants')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_cases_office_id_offices')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_cases_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_migrant_id'), ['migrant_id'], unique=False)
        batch_op.create_index('ix_cases_office_status', ['office_id', 'status'], unique=False)

    op.create_table('citizenships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('migrant_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('acquired_how', sa.Enum('birth', 'naturalisation', 'simplified', 'treaty', 'restoration', 'unknown', name='acquisitionmode', native_enum=False, length=40), nullable=False),
    sa.Column('acquired_on', sa.Date(), nullable=True),
    sa.Column('renounced_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['migrant_id'], ['migrants.id'], name=op.f('fk_citizenships_migrant_id_migrants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizenships')),
    sa.UniqueConstraint('migrant_id', 'country', name=op.f('uq_citizenships_migrant_id'))
    )
    with op.batch_alter_table('citizenships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizenships_migrant_id'), ['migrant_id'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('migrant_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('case_handling', 'call_back', 'sharing_with_lawyer', 'statistics', name='consentpurpose', native_enum=False, length=40), nullable=False),
    sa.Column('method', sa.Enum('verbal_on_call', 'written', 'electronic', name='consentmethod', native_enum=False, length=40), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['migrant_id'], ['migrants.id'], name=op.f('fk_consents_migrant_id_migrants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_migrant_id'), ['migrant_id'], unique=False)

    op.create_table('identity_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('migrant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('national_passport', 'foreign_passport', 'russian_passport', 'work_patent', 'registration', 'residence_permit', 'migration_card', name='documentkind', native_enum=False, length=40), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('number_key', sa.String(length=40), nullable=False),
    sa.Column('issuing_country', sa.String(length=2), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('valid', 'expired', 'lost', 'confiscated', 'suspected_forged', name='documentstatus', native_enum=False, length=40), nullable=False),
    sa.ForeignKeyConstraint(['migrant_id'], ['migrants.id'], name=op.f('fk_identity_documents_migrant_id_migrants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_documents'))
    )
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_documents_migrant_id'), ['migrant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identity_documents_number_key'), ['number_key'], unique=False)

    op.create_table('migrant_phones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('migrant_id', sa.Integer(), nullable=False),
    sa.Column('e164', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['migrant_id'], ['migrants.id'], name=op.f('fk_migrant_phones_migrant_id_migrants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_migrant_phones')),
    sa.UniqueConstraint('migrant_id', 'e164', name=op.f('uq_migrant_phones_migrant_id'))
    )
    with op.batch_alter_table('migrant_phones', schema=None) as batch_op:
        batch_op.create_index('ix_migrant_phones_e164_trgm', ['e164'], unique=False, postgresql_using='gin', postgresql_ops={'e164': 'gin_trgm_ops'})
        batch_op.create_index(batch_op.f('ix_migrant_phones_migrant_id'), ['migrant_id'], unique=False)

    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('started_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('direction', sa.Enum('inbound', 'outbound', name='calldirection', native_enum=False, length=40), nullable=False),
    sa.Column('caller_phone', sa.String(length=16), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('migrant_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_calls_case_id_cases')),
    sa.ForeignKeyConstraint(['migrant_id'], ['migrants.id'], name=op.f('fk_calls_migrant_id_migrants')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_calls_office_id_offices')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_calls_operator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_caller_phone'), ['caller_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_migrant_id'), ['migrant_id'], unique=False)
        batch_op.create_index('ix_calls_office_started', ['office_id', 'started_at'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)

    op.create_table('case_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('done_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', migrantdesk.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_case_tasks_assignee_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_tasks_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_tasks'))
    )
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_case_tasks_assignee_due', ['assignee_id', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_tasks_case_id'), ['case_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_tasks_case_id'))
        batch_op.drop_index('ix_case_tasks_assignee_due')

    op.drop_table('case_tasks')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_case_id'))

    op.drop_table('case_notes')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_office_started')
        batch_op.drop_index(batch_op.f('ix_calls_migrant_id'))
        batch_op.drop_index(batch_op.f('ix_calls_case_id'))
        batch_op.drop_index(batch_op.f('ix_calls_caller_phone'))

    op.drop_table('calls')
    with op.batch_alter_table('migrant_phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_migrant_phones_migrant_id'))
        batch_op.drop_index('ix_migrant_phones_e164_trgm', postgresql_using='gin', postgresql_ops={'e164': 'gin_trgm_ops'})

    op.drop_table('migrant_phones')
    with op.batch_alter_table('identity_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_documents_number_key'))
        batch_op.drop_index(batch_op.f('ix_identity_documents_migrant_id'))

    op.drop_table('identity_documents')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_migrant_id'))

    op.drop_table('consents')
    with op.batch_alter_table('citizenships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizenships_migrant_id'))

    op.drop_table('citizenships')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_office_status')
        batch_op.drop_index(batch_op.f('ix_cases_migrant_id'))
        batch_op.drop_index(batch_op.f('ix_cases_category'))
        batch_op.drop_index(batch_op.f('ix_cases_assignee_id'))

    op.drop_table('cases')
    with op.batch_alter_table('migrants', schema=None) as batch_op:
        batch_op.drop_index('ix_migrants_search_key_trgm', postgresql_using='gin', postgresql_ops={'search_key': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_migrants_office_id'))

    op.drop_table('migrants')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_office_occurred')

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_office_id'))

    op.drop_table('users')
    op.drop_table('offices')
