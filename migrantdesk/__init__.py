"""MigrantDesk: consular hotline, cases and legal guidance for labour migrants abroad."""

from __future__ import annotations

from typing import Any

from flask import Flask

from migrantdesk.config import INSTANCE_PATH, PROJECT_ROOT, Config, config_from_env


def create_app(config: type[Config] | None = None, **overrides: Any) -> Flask:
    config = config or config_from_env()
    config.check()
    app = Flask(__name__, instance_path=str(INSTANCE_PATH),
                template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_object(config)
    app.config.update(overrides)

    from migrantdesk.core import api, db, errors, i18n, ratelimit, security, web
    from migrantdesk.core.cli import register_cli

    db.init_app(app)
    i18n.init_app(app)
    errors.register_error_handlers(app)
    ratelimit.init_app(app)
    web.init_app(app)
    security.init_app(app)

    from migrantdesk.auth import views as auth_views
    from migrantdesk.calls import views as calls_views
    from migrantdesk.cases import views as cases_views
    from migrantdesk.guidance import views as guidance_views
    from migrantdesk.leaflets import views as leaflets_views
    from migrantdesk.migrants import views as migrants_views
    from migrantdesk.offices import views as offices_views
    from migrantdesk.privacy import views as privacy_views
    from migrantdesk.stats import views as stats_views

    auth_views.init_app(app)
    rest = api.init_app(app)
    for blueprint in (auth_views.blp, offices_views.blp, auth_views.users_blp,
                      migrants_views.blp, cases_views.blp, calls_views.blp,
                      guidance_views.blp, guidance_views.case_blp, leaflets_views.blp,
                      leaflets_views.briefing_blp, privacy_views.blp, stats_views.blp):
        rest.register_blueprint(blueprint)
    from migrantdesk.auth import admin_pages
    from migrantdesk.auth import pages as auth_pages
    from migrantdesk.calls import pages as calls_pages
    from migrantdesk.cases import pages as cases_pages
    from migrantdesk.guidance import pages as guidance_pages
    from migrantdesk.leaflets import pages as leaflets_pages

    for pages in (leaflets_views.pages, auth_pages.pages, calls_pages.pages, cases_pages.pages,
                  leaflets_pages.pages, guidance_pages.pages, admin_pages.pages,
                  stats_views.pages):
        app.register_blueprint(pages)
    register_cli(app)
    return app
