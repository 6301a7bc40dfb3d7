"""The OpenAPI layer: flask-smorest, with MigrantDesk's error shape."""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint

from migrantdesk.core.errors import handle_http_exception

__all__ = ["Api", "Blueprint", "init_app"]


class Api(SmorestApi):
    def handle_http_exception(self, error):  # type: ignore[override]
        return handle_http_exception(error)


def init_app(app: Flask) -> Api:
    api = Api(app, spec_kwargs={
        "info": {"description": "Consular hotline, migrant cases and legal guidance."},
        "servers": [{"url": "/"}],
    })
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "API token"})
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.spec.options["security"] = [{"bearer": []}, {"session": []}]
    return api
