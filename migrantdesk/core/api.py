"""The OpenAPI layer: flask-smorest, with MigrantDesk's error shape."""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.routing import IntegerConverter, Map

from migrantdesk.core.errors import handle_http_exception

__all__ = ["ID_RANGE", "MAX_ID", "Api", "Blueprint", "PageQuerySchema", "init_app"]

# Ids are PostgreSQL `integer`s: a larger number in a URL or a body names no record, and must be
# answered as such (404, 422) instead of overflowing in the database driver (500).
MAX_ID = 2**31 - 1
ID_RANGE = validate.Range(min=1, max=MAX_ID)
MAX_PAGE = 100_000


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every route: from 1 to MAX_ID, anything else is a 404 from the router."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class PageQuerySchema(Schema):
    """Page through a listing, newest first; list query schemas extend it."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
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
    app.url_map.converters["int"] = RecordIdConverter  # before any route is added
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
