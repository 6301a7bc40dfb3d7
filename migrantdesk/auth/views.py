"""Login, logout, own account, API tokens (/api/v1/auth) and user administration (/api/v1/users)."""

from __future__ import annotations

from flask import Flask
from flask_login import login_user, logout_user
from flask_wtf.csrf import generate_csrf

from migrantdesk.auth import guard, services
from migrantdesk.auth.permissions import Scope
from migrantdesk.auth.schemas import (
    CsrfSchema,
    LoginSchema,
    NewTokenSchema,
    OwnSettingsSchema,
    TokenCreateSchema,
    TokenSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from migrantdesk.core.api import Blueprint
from migrantdesk.core.audit import AuditAction, record
from migrantdesk.core.ratelimit import (
    account_and_address,
    limiter,
    login_address_limit,
    login_limit,
)

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
                description="Sessions, own account and API tokens")
users_blp = Blueprint("users", __name__, url_prefix="/api/v1/users",
                      description="User administration (admin)")


def init_app(app: Flask) -> None:
    guard.init_app(app)


@blp.route("/csrf")
@blp.response(200, CsrfSchema)
def csrf_token():
    """A CSRF token for cookie-session requests (send it as X-CSRFToken)."""
    return {"csrf_token": generate_csrf()}


@blp.route("/login", methods=["POST"])
@limiter.limit(login_limit, key_func=account_and_address)
@limiter.limit(login_address_limit)
@blp.arguments(LoginSchema)
@blp.response(200, UserSchema)
def login(credentials):
    user = services.authenticate(credentials["email"], credentials["password"])
    login_user(user)
    return user


@blp.route("/logout", methods=["POST"])
@blp.response(204)
def logout():
    record(guard.actor(), AuditAction.LOGOUT, "user", guard.actor().id)
    logout_user()


@blp.route("/me")
@blp.response(200, UserSchema)
def me():
    return guard.actor()


@blp.route("/me", methods=["PATCH"])
@blp.arguments(OwnSettingsSchema)
@blp.response(200, UserSchema)
def update_me(settings):
    user = services.change_own_settings(guard.actor(), **settings)
    if "new_password" in settings:
        login_user(user)  # this session continues; all others end
    return user


@blp.route("/tokens")
@blp.response(200, TokenSchema(many=True))
def list_tokens():
    return services.list_tokens(guard.actor())


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenCreateSchema)
@blp.response(201, NewTokenSchema)
def create_token(request_body):
    token, secret = services.create_token(guard.actor(), request_body["name"],
                                          request_body["expires_at"])
    token.secret = secret  # shown in this response only; never stored
    return token


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
def revoke_token(token_id):
    services.revoke_token(guard.actor(), token_id)


@users_blp.route("")
@guard.require(Scope.USERS_ADMIN)
@users_blp.response(200, UserSchema(many=True))
def list_users():
    return services.list_users()


@users_blp.route("", methods=["POST"])
@guard.require(Scope.USERS_ADMIN)
@users_blp.arguments(UserCreateSchema)
@users_blp.response(201, UserSchema)
def create_user(new_user):
    return services.create_user(guard.actor(), **new_user)


@users_blp.route("/<int:user_id>")
@guard.require(Scope.USERS_ADMIN)
@users_blp.response(200, UserSchema)
def get_user(user_id):
    return services.get_user(user_id)


@users_blp.route("/<int:user_id>", methods=["PATCH"])
@guard.require(Scope.USERS_ADMIN)
@users_blp.arguments(UserUpdateSchema)
@users_blp.response(200, UserSchema)
def update_user(changes, user_id):
    return services.update_user(guard.actor(), services.get_user(user_id), changes)
