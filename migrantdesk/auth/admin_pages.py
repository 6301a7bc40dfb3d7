"""Administration pages: offices, users and roles, API tokens, and the audit log viewer with
its CSV export. Administrators manage every office (as the API lets them); consuls read the
audit log of their own office."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from babel import Locale
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from migrantdesk.auth import services
from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Role, Scope
from migrantdesk.auth.schemas import TokenCreateSchema, UserCreateSchema, UserUpdateSchema
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction, AuditFilter
from migrantdesk.core.countries import KNOWN_COUNTRIES, OriginCountry
from migrantdesk.core.db import utcnow
from migrantdesk.core.errors import DomainError, ValidationFailed
from migrantdesk.core.i18n import interface_languages
from migrantdesk.core.web import FormFailure, load_form, render_form
from migrantdesk.offices import services as offices
from migrantdesk.offices.schemas import OfficeSchema, OfficeUpdateSchema

pages = Blueprint("admin_pages", __name__)

ROLE_LABELS = {Role.OPERATOR: _l("Operator"), Role.LAWYER: _l("Lawyer"),
               Role.CONSUL: _l("Consul"), Role.MANAGER: _l("Manager"),
               Role.ADMIN: _l("Administrator")}
ACTION_LABELS = {
    AuditAction.READ: _l("Read"), AuditAction.SEARCH: _l("Search"),
    AuditAction.CREATE: _l("Create"), AuditAction.UPDATE: _l("Update"),
    AuditAction.DELETE: _l("Delete"), AuditAction.EXPORT: _l("Export"),
    AuditAction.LOGIN: _l("Sign-in"), AuditAction.LOGIN_FAILED: _l("Failed sign-in"),
    AuditAction.LOGOUT: _l("Sign-out")}


def _countries(codes: Any) -> list[tuple[str, str]]:
    locale = get_locale()
    names = locale.territories if locale else {}
    return sorted(((str(code), names.get(str(code), str(code))) for code in codes),
                  key=lambda pair: pair[1])


def _languages() -> list[tuple[str, str]]:
    return [(tag.replace("_", "-"), (Locale.parse(tag).get_display_name(tag) or tag).capitalize())
            for tag in interface_languages()]


def _context() -> dict[str, Any]:
    visible = offices.visible_offices(actor())
    return {"role_labels": ROLE_LABELS, "languages": _languages(), "offices": visible,
            "office_choices": [(office.id, office.name) for office in visible],
            "origin_countries": _countries(OriginCountry),
            "host_countries": _countries(KNOWN_COUNTRIES)}


@pages.route("/admin")
@require(Scope.USERS_ADMIN)
def index():
    return render_template("admin/index.html", can_read_audit=actor().can(Scope.AUDIT_READ))


# --- offices -------------------------------------------------------------------------------

def _office_form(form: Any) -> dict[str, Any]:
    """Hotline numbers are typed one a line (or separated by commas)."""
    data = dict(form)
    data["hotline_numbers"] = [n for n in re.split(r"[\n,;]+", form.get("hotline_numbers", ""))
                               if n.strip()]
    return data


@pages.route("/admin/offices")
@require(Scope.OFFICES_ADMIN)
def office_list():
    return render_template("admin/offices.html", **_context())


@pages.route("/admin/offices/new", methods=["GET", "POST"])
@require(Scope.OFFICES_ADMIN)
def office_new():
    if request.method == "GET":
        return render_template("admin/office_form.html", office=None, **_context())
    try:
        created = offices.create_office(actor(), **load_form(OfficeSchema(),
                                                             _office_form(request.form)))
    except DomainError as refused:
        return render_form("admin/office_form.html", refused, office=None, **_context())
    flash(_("Office %(name)s created.", name=created.name), "info")
    return redirect(url_for(".office_list"))


@pages.route("/admin/offices/<int:office_id>", methods=["GET", "POST"])
@require(Scope.OFFICES_ADMIN)
def office_edit(office_id: int):
    office = offices.get_office(actor(), office_id)
    if request.method == "GET":
        return render_template("admin/office_form.html", office=office, **_context())
    try:
        changes = load_form(OfficeUpdateSchema(), _office_form(request.form))
        if not request.form.get("address", "").strip():
            changes["address"] = None
        offices.update_office(actor(), office, changes)
    except DomainError as refused:
        return render_form("admin/office_form.html", refused, office=office, **_context())
    flash(_("Office %(name)s saved.", name=office.name), "info")
    return redirect(url_for(".office_list"))


# --- users -----------------------------------------------------------------------------------

@pages.route("/admin/users")
@require(Scope.USERS_ADMIN)
def user_list():
    office_id = request.args.get("office_id", type=int)
    return render_template("admin/users.html", users=services.list_users(office_id),
                           chosen_office=office_id, now=utcnow(), **_context())


@pages.route("/admin/users/new", methods=["GET", "POST"])
@require(Scope.USERS_ADMIN)
def user_new():
    if request.method == "GET":
        return render_template("admin/user_form.html", user=None, **_context())
    try:
        created = services.create_user(actor(), **load_form(UserCreateSchema(), request.form))
    except DomainError as refused:
        return render_form("admin/user_form.html", refused, user=None, **_context())
    flash(_("Account for %(name)s created.", name=created.name), "info")
    return redirect(url_for(".user_list"))


@pages.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@require(Scope.USERS_ADMIN)
def user_edit(user_id: int):
    user = services.get_user(user_id)
    if request.method == "GET":
        return render_template("admin/user_form.html", user=user, **_context())
    try:
        changes = load_form(UserUpdateSchema(), request.form)
        if user.id == actor().id and changes.get("role", user.role) != user.role:
            raise ValidationFailed(_("Some fields are invalid."), {
                "role": [_("You cannot change your own role.")]})
        services.update_user(actor(), user, changes)
    except DomainError as refused:
        return render_form("admin/user_form.html", refused, user=user, **_context())
    flash(_("Account of %(name)s saved.", name=user.name), "info")
    return redirect(url_for(".user_list"))


@pages.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@require(Scope.USERS_ADMIN)
def user_deactivate(user_id: int):
    user = services.set_active(actor(), services.get_user(user_id), False)
    flash(_("Account of %(name)s deactivated; its sessions have ended.", name=user.name), "info")
    return redirect(url_for(".user_list"))


@pages.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
@require(Scope.USERS_ADMIN)
def user_reactivate(user_id: int):
    user = services.set_active(actor(), services.get_user(user_id), True)
    flash(_("Account of %(name)s reactivated.", name=user.name), "info")
    return redirect(url_for(".user_list"))


@pages.route("/admin/users/<int:user_id>/unlock", methods=["POST"])
@require(Scope.USERS_ADMIN)
def user_unlock(user_id: int):
    user = services.unlock_user(actor(), services.get_user(user_id))
    flash(_("Account of %(name)s unlocked.", name=user.name), "info")
    return redirect(url_for(".user_list"))


# --- API tokens --------------------------------------------------------------------------------

@pages.route("/account/tokens", methods=["GET", "POST"])
def own_tokens():
    """Any signed-in user's own tokens. A new token's secret is in this one response only: it
    is never stored, nor put in the session cookie."""
    secret = None
    if request.method == "POST":
        try:
            wanted = load_form(TokenCreateSchema(), request.form)
            _token, secret = services.create_token(actor(), wanted["name"], wanted["expires_at"])
        except DomainError as refused:
            return render_form("admin/own_tokens.html",
                               refused, tokens=services.list_tokens(actor()))
    return render_template("admin/own_tokens.html", tokens=services.list_tokens(actor()),
                           secret=secret)


@pages.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_own_token(token_id: int):
    services.revoke_token(actor(), token_id)
    flash(_("Token revoked."), "info")
    return redirect(url_for(".own_tokens"))


@pages.route("/admin/tokens")
@require(Scope.USERS_ADMIN)
def office_tokens():
    return render_template("admin/tokens.html", tokens=services.office_tokens(actor()))


@pages.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@require(Scope.USERS_ADMIN)
def revoke_office_token(token_id: int):
    services.revoke_office_token(actor(), token_id)
    flash(_("Token revoked."), "info")
    return redirect(url_for(".office_tokens"))


# --- audit log ---------------------------------------------------------------------------------

def _audit_filter() -> AuditFilter:
    """The viewer's filters from the query string; a malformed one is named beside its field."""
    args = request.args
    problems: dict[str, list[str]] = {}

    def number(name: str) -> int | None:
        value = args.get(name, "").strip()
        if value and not value.isdigit():
            problems[name] = [_("Enter a number.")]
        return int(value) if value.isdigit() else None

    def day(name: str) -> date | None:
        value = args.get(name, "").strip()
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            problems[name] = [_("Enter a date as YYYY-MM-DD.")]
            return None

    action = args.get("action") or None
    if action and action not in set(AuditAction):
        problems["action"] = [_("Choose one of the offered values.")]
    chosen = AuditFilter(office_id=number("office_id"), user_id=number("user_id"),
                         action=action, entity_type=args.get("entity_type") or None,
                         entity_id=number("entity_id"), since=day("since"), until=day("until"))
    if problems:
        raise ValidationFailed(_("Some fields are invalid."), problems)
    return chosen


@pages.route("/admin/audit")
@require(Scope.AUDIT_READ)
def audit_log():
    who = actor()
    visible = offices.visible_offices(who)
    context = {"action_labels": ACTION_LABELS, "entity_types": audit.entity_types(who),
               "every_office": audit.sees_every_office(who), "offices": visible,
               "office_choices": [(office.id, office.name) for office in visible],
               "form": request.args,
               "staff": services.list_users(None if audit.sees_every_office(who)
                                            else who.office_id)}
    try:
        chosen = _audit_filter()
    except ValidationFailed as refused:  # a GET form: what was typed is in the query string
        return render_template("admin/audit.html", errors=FormFailure(refused), result=None,
                               **context), refused.status
    result = audit.search_events(who, chosen, request.args.get("page", 1, type=int))
    names = {user.id: user.name for user in context["staff"]}
    return render_template("admin/audit.html", result=result, names=names,
                           office_names={o.id: o.name for o in context["offices"]}, **context)


CSV_COLUMNS = ("id", "occurred_at", "office_id", "user_id", "action", "entity_type",
               "entity_id", "fields", "details")


@pages.route("/admin/audit/export.csv")
@require(Scope.AUDIT_READ)
def audit_export():
    """The filtered trail as CSV, streamed; cells a spreadsheet would run are neutralised."""
    total, batches = audit.export_events(actor(), _audit_filter())
    # The rows are read while the file streams, after this request has ended, in an app
    # context of their own; it opens after the header line, so a server that reads only
    # the first chunk (as WSGI test clients do) leaves no context pushed.
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def lines() -> Iterator[str]:
        rows = _csv_lines(batches)
        yield next(rows)
        with app.app_context():
            yield from rows

    return Response(lines(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=audit-log.csv",
        "X-Rows": str(total)})


def _csv_lines(batches: Iterator[list[audit.AuditEvent]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for batch in batches:
        for event in batch:
            writer.writerow([audit.spreadsheet_safe(value) for value in (
                event.id, event.occurred_at.isoformat(), event.office_id, event.user_id,
                event.action, event.entity_type, event.entity_id,
                " ".join(event.fields or []),
                "" if event.details is None else audit.json_text(event.details))])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
