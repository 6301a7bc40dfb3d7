"""What the server-rendered staff pages share: telling pages from API calls, the navigation,
and re-rendering a form with its errors and the user's input."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, ValidationError
from werkzeug.wrappers import Response as WerkzeugResponse

from migrantdesk.auth.permissions import Scope
from migrantdesk.core.errors import DomainError, ValidationFailed


def is_page_request() -> bool:
    """Browsers get HTML pages; everything under /api gets the JSON error shape."""
    return not request.path.startswith("/api/")


def is_partial_request() -> bool:
    """htmx swaps a fragment into the page instead of loading a whole one."""
    return request.headers.get("HX-Request") == "true"


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths, so a login link cannot send the user elsewhere."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    scope: Scope | None


# Feature packages register their pages under these endpoints; a link shows only when the
# page exists and the user's role may open it.
NAVIGATION = (
    NavItem("calls_pages.hotline", _l("Hotline"), Scope.CALLS_WRITE),
    NavItem("cases_pages.case_list", _l("Cases"), Scope.CASES_READ),
    NavItem("cases_pages.my_tasks", _l("My tasks"), Scope.CASES_READ),
    NavItem("guidance_pages.index", _l("Guidance"), Scope.GUIDANCE_READ),
    NavItem("leaflets_pages.manage", _l("Leaflets"), Scope.GUIDANCE_READ),
    NavItem("stats_pages.dashboard", _l("Statistics"), Scope.STATS_READ),
    NavItem("admin_pages.index", _l("Administration"), Scope.USERS_ADMIN),
    NavItem("admin_pages.audit_log", _l("Audit log"), Scope.AUDIT_READ),
)


def navigation() -> list[NavItem]:
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [item for item in NAVIGATION
            if item.endpoint in views and (item.scope is None or current_user.can(item.scope))]


class FormFailure:
    """A domain error as a form shows it: a summary, messages per field, and what was typed."""

    def __init__(self, error: DomainError | None = None) -> None:
        self.message = error.message if error else ""
        self.fields: dict[str, list[str]] = {}
        for name, messages in (error.fields if error else {}).items():
            self.fields[name] = _as_strings(messages)

    def __bool__(self) -> bool:
        return bool(self.message or self.fields)

    def of(self, name: str) -> list[str]:
        return self.fields.get(name, [])


def _as_strings(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [f"{key}: {text}" for key, value in messages.items() for text in _as_strings(value)]
    if isinstance(messages, (list, tuple)):
        return [text for message in messages for text in _as_strings(message)]
    return [str(messages)]


def render_form(template: str, error: DomainError, **context: Any) -> tuple[str, int]:
    """The same page again, with the errors beside their fields and the input kept."""
    return render_template(template, errors=FormFailure(error), form=request.form,
                           **context), error.status


def home() -> WerkzeugResponse:
    """The start page: the first page the user's role opens, or sign-in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth_pages.login"))
    pages = navigation()
    # Administrators also see figures, but administration is their work.
    administration = [item for item in pages if item.endpoint == "admin_pages.index"]
    start = (administration or pages)[0].endpoint if pages else "auth_pages.account"
    return redirect(url_for(start))


def init_app(app: Flask) -> None:
    app.add_url_rule("/", "index", home)

    @app.context_processor
    def staff_page_context() -> dict[str, Any]:
        return {"navigation": navigation, "errors": FormFailure(), "form": {}}


# marshmallow speaks English; a form shows its messages in the user's language.
_MARSHMALLOW_MESSAGES = (
    (re.compile(r"^Missing data for required field\.$"), _l("Required.")),
    (re.compile(r"^Field may not be null\.$"), _l("Required.")),
    (re.compile(r"^Must not be blank\.$"), _l("Required.")),
    (re.compile(r"^Unknown field\.$"), _l("Unknown field.")),
    (re.compile(r"^Not a valid (integer|number)\.$"), _l("Enter a number.")),
    (re.compile(r"^Not a valid date\.$"), _l("Enter a date as YYYY-MM-DD.")),
    (re.compile(r"^Not a valid datetime\.$"), _l("Enter a date and time.")),
    (re.compile(r"^Not a valid (string|boolean)\.$"), _l("Not a valid value.")),
    (re.compile(r"^Must be one of: .*\.$"), _l("Choose one of the offered values.")),
    (re.compile(r"^Not a valid email address\.$"), _l("Enter an e-mail address.")),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), _l("Too short.")),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), _l("Too long.")),
    (re.compile(r"^Length must be between .*\.$"), _l("Wrong length.")),
)


def localised(message: str) -> str:
    for pattern, translation in _MARSHMALLOW_MESSAGES:
        if pattern.match(message):
            return str(translation)
    return message


def load_form(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields through the API's own schema; blank inputs count as not given, and fields the
    schema does not know (the CSRF token, buttons, the way back) are not its business."""
    given = {name: value for name, value in data.items()
             if name in schema.load_fields and value != ""}
    try:
        return schema.load(given)  # type: ignore[no-any-return]
    except ValidationError as invalid:
        messages = invalid.normalized_messages()
        fields = {name: [localised(text) for text in _as_strings(value)]
                  for name, value in messages.items()}
        raise ValidationFailed(_("Some fields are invalid."), fields) from None
