"""The OpenAPI layer: flask-smorest, with MigrantDesk's error shape."""

from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from migrantdesk.core.errors import handle_http_exception

__all__ = ["Api", "Blueprint", "PageQuerySchema", "init_app"]


class PageQuerySchema(Schema):
    """Page through a listing, newest first; list query schemas extend it."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class Api(SmorestApi):
    def handle_http_exception(self, error):  # type: ignore[override]
        return handle_http_exception(error)


def _schema_name(schema: type[Schema] | Schema) -> str:
    """OpenAPI component names; a partial (PATCH) use of a schema gets its own name."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and schema.partial:
        name += "Patch"
    return name


def init_app(app: Flask) -> Api:
    api = Api(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name),
        "info": {"description": "Consular hotline, migrant cases and legal guidance."},
        "servers": [{"url": "/"}],
    })
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "API token"})
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.options["security"] = [{"bearer": []}, {"session": []}]
    return api
