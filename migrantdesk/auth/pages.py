"""Staff pages for signing in and out and for one's own account."""

from __future__ import annotations

from babel import Locale
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from migrantdesk.auth import guard, services
from migrantdesk.auth.schemas import LoginSchema, OwnSettingsSchema
from migrantdesk.core.audit import AuditAction, record
from migrantdesk.core.errors import DomainError
from migrantdesk.core.i18n import interface_languages
from migrantdesk.core.ratelimit import (
    account_and_address,
    limiter,
    login_address_limit,
    login_limit,
)
from migrantdesk.core.web import load_form, render_form, safe_next

pages = Blueprint("auth_pages", __name__)


@pages.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, key_func=account_and_address, methods=["POST"])
@limiter.limit(login_address_limit, methods=["POST"])
def login():
    target = safe_next(request.values.get("next"), url_for("index"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target)
        return render_template("auth/login.html", next=target)
    try:
        credentials = load_form(LoginSchema(), request.form)
        user = services.authenticate(credentials["email"], credentials["password"])
    except DomainError as refused:
        return render_form("auth/login.html", refused, next=target)
    login_user(user)
    return redirect(target)


@pages.route("/logout", methods=["POST"])
def logout():
    record(guard.actor(), AuditAction.LOGOUT, "user", guard.actor().id)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth_pages.login"))


def _language_choices() -> list[tuple[str, str]]:
    """Each language named in itself, so a user can find their own in any interface."""
    return [(tag.replace("_", "-"), (Locale.parse(tag).get_display_name(tag) or tag).capitalize())
            for tag in interface_languages()]


@pages.route("/account", methods=["GET", "POST"])
def account():
    context = {"languages": _language_choices()}
    if request.method == "GET":
        return render_template("auth/account.html", **context)
    try:
        settings = load_form(OwnSettingsSchema(), request.form)
        user = services.change_own_settings(guard.actor(), **settings)
    except DomainError as refused:
        return render_form("auth/account.html", refused, **context)
    if "new_password" in settings:
        login_user(user)  # this session continues; all others end
        flash(_("Your password is changed. Other sessions are signed out."), "info")
    else:
        flash(_("Your settings are saved."), "info")
    return redirect(url_for("auth_pages.account"))
