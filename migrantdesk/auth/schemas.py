from __future__ import annotations

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate, validates

from migrantdesk.auth.permissions import Role
from migrantdesk.core.api import ID_RANGE

ROLE_FIELD = fields.Enum(Role, by_value=True)


def _known_language(value: str) -> None:
    if value.replace("-", "_") not in current_app.config["LANGUAGES"]:
        raise ValidationError(f"Unsupported language; one of {current_app.config['LANGUAGES']}.")


class LoginSchema(Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CsrfSchema(Schema):
    csrf_token = fields.String()


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    office_id = fields.Integer(required=True, validate=ID_RANGE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    preferred_language = fields.String(load_default="ru", validate=_known_language)
    active = fields.Boolean(dump_only=True)
    scopes = fields.List(fields.String(), dump_only=True)
    last_login_at = fields.AwareDateTime(dump_only=True)


class UserCreateSchema(UserSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class UserUpdateSchema(Schema):
    office_id = fields.Integer(validate=ID_RANGE)
    name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.Enum(Role, by_value=True)
    preferred_language = fields.String(validate=_known_language)
    active = fields.Boolean()


class OwnSettingsSchema(Schema):
    preferred_language = fields.String(validate=_known_language)
    current_password = fields.String(load_only=True, validate=validate.Length(max=200))
    new_password = fields.String(load_only=True, validate=validate.Length(max=200))

    @validates("new_password")
    def _not_blank(self, value: str, **kwargs: object) -> None:
        if not value.strip():
            raise ValidationError("Must not be blank.")


class TokenCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True)


class TokenSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    secret = fields.String(metadata={"description": "Shown once; store it now."})
