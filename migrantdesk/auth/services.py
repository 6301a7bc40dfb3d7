"""Accounts, passwords, lock-out and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from migrantdesk.auth import passwords
from migrantdesk.auth.models import ApiToken, User
from migrantdesk.auth.permissions import Role
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, utcnow
from migrantdesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from migrantdesk.offices.models import Office

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the e-mail is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
TOKEN_PREFIX = "mdk_"  # noqa: S105 -- a marker, not a secret  # nosec B105
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


class LoginRejected(DomainError):
    status = 401
    code = "login_failed"


def hash_password(password: str, *, personal: tuple[str, ...] = (),
                  field: str = "password") -> str:
    """The argon2id hash of a password that meets the policy (auth/passwords.py); a 422
    naming `field` otherwise. `personal`: the account's name and e-mail, not to be reused."""
    problems = passwords.problems(password, personal)
    if problems:
        raise ValidationFailed(_("Please choose a stronger password."), {field: problems})
    return _hasher.hash(password)


def _password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == email.strip().lower())).first()


def authenticate(email: str, password: str) -> User:
    """The user whose credentials these are; one vague error for every failure (lock-out too)."""
    user = find_user_by_email(email)
    if user is None:
        _password_matches(_DUMMY_HASH, password)
        raise _rejected()
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        _record_failure(user, locked=True)
    if not user.active or not _password_matches(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
            minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
            user.locked_until = now + timedelta(minutes=minutes)
            user.failed_logins = 0
        _record_failure(user, locked=False)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(user, AuditAction.LOGIN, "user", user.id)
    return user


def _rejected() -> LoginRejected:
    return LoginRejected(_("Wrong e-mail or password, or the account is locked for a while. "
                           "Try again later or ask your administrator."))


def _record_failure(user: User, *, locked: bool) -> None:
    audit.record(user, AuditAction.LOGIN_FAILED, "user", user.id,
                 details={"locked": True} if locked else None)
    # The failure count and its audit entry must survive the error response's rollback.
    db.session.commit()
    raise _rejected()


def load_session_user(session_id: str) -> User | None:
    """The user behind a session id "<id>:<session_version>", if that session is still valid."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # The office comes along: most requests need its countries (phone plans, defaults).
    user = db.session.get(User, int(user_id), options=[joinedload(User.office)])
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def load_token_user(secret: str) -> User | None:
    token = db.session.scalars(
        select(ApiToken).where(ApiToken.token_hash == _token_digest(secret))
        .options(joinedload(ApiToken.user).joinedload(User.office))).first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    return token.user


def end_sessions_and_tokens(actor: User, user: User) -> None:
    """Every session of the user stops working, and so does every API token: after a password
    change (maybe the old one leaked, and with it a token made with it) or a deactivation (a
    reactivated account starts without the tokens it had)."""
    user.session_version += 1
    now = utcnow()
    for token in db.session.scalars(select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = now
        audit.record(actor, AuditAction.DELETE, "api_token", token.id,
                     office_id=user.office_id, details={"reason": "sessions_ended"})


def create_token(actor: User, name: str, expires_at: datetime | None) -> tuple[ApiToken, str]:
    """A new token for the actor and its secret, which is shown once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, prefix=secret[:12],
                     token_hash=_token_digest(secret), expires_at=expires_at)
    db.session.add(token)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "api_token", token.id)
    return token, secret


def list_tokens(actor: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id)))


def revoke_token(actor: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise NotFound("api_token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, AuditAction.DELETE, "api_token", token.id)
    return token


def change_own_settings(actor: User, *, preferred_language: str | None = None,
                        current_password: str | None = None,
                        new_password: str | None = None) -> User:
    changed: list[str] = []
    if preferred_language and preferred_language != actor.preferred_language:
        actor.preferred_language = preferred_language
        changed.append("preferred_language")
    if new_password is not None:
        if not current_password or not _password_matches(actor.password_hash, current_password):
            raise ValidationFailed(_("Your current password is not correct."),
                                   {"current_password": [_("Not correct.")]})
        actor.password_hash = hash_password(new_password, personal=(actor.name, actor.email),
                                            field="new_password")
        end_sessions_and_tokens(actor, actor)
        changed.append("password")
    if changed:
        audit.record(actor, AuditAction.UPDATE, "user", actor.id, fields=changed)
    return actor


# --- administration -----------------------------------------------------------------------

def create_user(actor: User | None, *, office_id: int, name: str, email: str, role: Role,
                password: str, preferred_language: str = "ru") -> User:
    if db.session.get(Office, office_id) is None:
        raise ValidationFailed(_("Unknown office."), {"office_id": [_("No such office.")]})
    email = email.strip().lower()
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise Conflict(_("An account with this e-mail already exists."),
                       {"email": [_("Already in use.")]})
    user = User(office_id=office_id, name=name, email=email, role=role,
                preferred_language=preferred_language,
                password_hash=hash_password(password, personal=(name, email)))
    db.session.add(user)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "user", user.id, office_id=office_id,
                 fields=["office_id", "name", "email", "role", "preferred_language"])
    return user


def list_users(office_id: int | None = None) -> list[User]:
    statement = select(User).order_by(User.office_id, User.name)
    if office_id is not None:
        statement = statement.where(User.office_id == office_id)
    return list(db.session.scalars(statement))


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("user")
    return user


def update_user(actor: User, user: User, changes: dict) -> User:
    if "office_id" in changes and db.session.get(Office, changes["office_id"]) is None:
        raise ValidationFailed(_("Unknown office."), {"office_id": [_("No such office.")]})
    was_active = user.active
    changed = audit.changed_fields(user, changes)
    if was_active and not user.active:
        end_sessions_and_tokens(actor, user)
    if user.active and "active" in changed:
        user.failed_logins, user.locked_until = 0, None
    if changed:
        audit.record(actor, AuditAction.UPDATE, "user", user.id, fields=changed,
                     office_id=user.office_id)
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    """Deactivate (every session and token of the user stops working) or reactivate an
    account; an administrator cannot lock themselves out this way."""
    if user.id == actor.id and not active:
        raise Conflict(_("You cannot deactivate your own account."))
    return update_user(actor, user, {"active": active})


def unlock_user(actor: User, user: User) -> User:
    """Lift a lock-out after too many failed sign-ins."""
    if user.locked_until is not None or user.failed_logins:
        user.locked_until, user.failed_logins = None, 0
        audit.record(actor, AuditAction.UPDATE, "user", user.id,
                     fields=["locked_until", "failed_logins"], office_id=user.office_id)
    return user


def office_tokens(actor: User) -> list[ApiToken]:
    """API tokens of the users of the actor's office, newest first, with their owners."""
    return list(db.session.scalars(
        select(ApiToken).join(ApiToken.user).where(User.office_id == actor.office_id)
        .order_by(ApiToken.id.desc())))


def revoke_office_token(actor: User, token_id: int) -> ApiToken:
    """Revoke a token of a user of the actor's office; another office's token is not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user.office_id != actor.office_id:
        raise NotFound("api_token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, AuditAction.DELETE, "api_token", token.id,
                     details={"user_id": token.user_id})
    return token
