"""Login is required everywhere except an explicit public list; scopes are checked per view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from migrantdesk.auth import services
from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Scope
from migrantdesk.core.errors import PermissionDenied, error_reply

login_manager = LoginManager()
csrf = CSRFProtect()

# Endpoints reachable without logging in. Everything else needs a user.
PUBLIC_ENDPOINTS = frozenset({
    "index", "static", "auth.csrf_token", "auth.login", "auth_pages.login",
    "leaflets_api.catalogue", "leaflets.catalogue_page", "leaflets.download", "leaflets.verify",
    "api-docs.openapi_json", "api-docs.openapi_redoc",
})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

View = TypeVar("View", bound=Callable[..., Any])


def require(*scopes: Scope) -> Callable[[View], View]:
    """Refuse the view (403) unless the current user holds every scope named."""
    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            missing = [s for s in scopes if not current_user.can(s)]
            if missing:
                raise PermissionDenied(_("Your role does not allow this."),
                                       missing_scopes=[str(s) for s in missing])
            return view(*args, **kwargs)
        guarded.required_scopes = scopes  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]
    return decorate


def actor() -> User:
    """The logged-in user, for passing to services."""
    return current_user._get_current_object()  # type: ignore[no-any-return]


@login_manager.user_loader
def _load_from_session(session_id: str) -> User | None:
    return services.load_session_user(session_id)


@login_manager.request_loader
def _load_from_bearer(req) -> User | None:
    header = req.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    user = services.load_token_user(secret.strip())
    if user is not None:
        g.authenticated_by_token = True
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    if not request.path.startswith("/api/"):
        if request.headers.get("HX-Request") == "true":
            # htmx cannot follow a redirect into a whole page; it reloads to the login page.
            return "", 401, {"HX-Redirect": url_for("auth_pages.login", next=request.path)}
        return redirect(url_for("auth_pages.login", next=request.full_path.rstrip("?")))
    return error_reply(401, "login_required", _("Please log in."))


def _enforce_login_and_csrf():
    if request.endpoint is None:
        return None  # 404/405 are answered by the router
    user = current_user._get_current_object()
    # Cookie sessions need a CSRF token; bearer tokens are not sent by browsers on their own.
    if request.method not in _SAFE_METHODS and not g.get("authenticated_by_token"):
        csrf.protect()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not user.is_authenticated:
        return login_manager.unauthorized()
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.before_request(_enforce_login_and_csrf)

    @app.errorhandler(CSRFError)
    def _csrf_failed(error: CSRFError):
        return error_reply(400, "csrf_failed",
                              _("The security token is missing or expired; reload and retry."))

