"""`flask leaflets publish-demo`: fill the public catalogue of a demo database with leaflets."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import ROLE_SCOPES, Role, Scope
from migrantdesk.core.db import db
from migrantdesk.core.errors import ValidationFailed
from migrantdesk.guidance.models import ContentStatus, GuidanceTemplate, Topic
from migrantdesk.leaflets import services
from migrantdesk.leaflets.models import PageFormat
from migrantdesk.offices.models import Office

# The languages of each origin country's citizens (languages.md), besides Russian.
HOME_LANGUAGES = {"KG": ("ky",), "UZ": ("uz-Latn", "uz-Cyrl"), "TJ": ("tg",), "KZ": ("kk",),
                  "TM": ("tk",)}
# Two leaflets for every migrant in Russia, whatever their origin.
GENERIC_KEYS = ("RU-STAY-90", "GEN-DETENTION")
_PUBLISHERS = [role for role in Role if Scope.GUIDANCE_PUBLISH in ROLE_SCOPES[role]]


@click.group("leaflets", help="Briefing leaflets.")
def cli() -> None:
    pass


@cli.command("publish-demo")
@with_appcontext
def publish_demo() -> None:
    """Publish, for every demo office (seed-demo) with a lawyer or consul, its country's
    mobilisation leaflet
    in every language it is written in, and two general leaflets in the office's languages
    and Russian (A5). Idempotent: a leaflet whose guidance has not changed is kept."""
    base_url = current_app.config.get("PUBLIC_BASE_URL") or \
        f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    published, kept, refused = 0, 0, []
    with current_app.test_request_context(base_url=base_url):
        for office in db.session.scalars(select(Office).order_by(Office.id)):
            # Only the demo's own consulates (seed-demo's staff): never a real office.
            actor = db.session.scalars(select(User).where(
                User.office_id == office.id, User.role.in_(_PUBLISHERS),
                User.email.endswith(f"@{office.code}.demo")).order_by(User.id)).first()
            if actor is None:
                continue
            for template, language in _demo_series(office):
                if services.has_current_leaflet(office.id, template.id, language,
                                                PageFormat.A5):
                    kept += 1
                    continue
                try:
                    services.publish(actor, template.id, language, PageFormat.A5)
                except ValidationFailed as error:
                    refused.append(f"{office.code} {template.key} {language}: {error.fields}")
                    continue
                published += 1
        db.session.commit()
    click.echo(f"Leaflets: {published} published, {kept} already current, "
               f"{len(refused)} refused.")
    for line in refused:
        click.echo(f"  refused: {line}", err=True)


def _demo_series(office: Office) -> list[tuple[GuidanceTemplate, str]]:
    """(template, language) pairs to publish for this office: at most a dozen renders."""
    published = {template.key: template for template in db.session.scalars(
        select(GuidanceTemplate).where(GuidanceTemplate.status == ContentStatus.PUBLISHED))}
    own = ("ru", *HOME_LANGUAGES.get(office.country, ()))
    series = []
    for template in published.values():
        if template.origin_country == office.country and \
                template.topic == Topic.MOBILISATION_NOTICE:
            series += [(template, language) for language in services.LEAFLET_LANGUAGES
                       if language in template.body]
    for key in GENERIC_KEYS:
        if key in published:
            series += [(published[key], language) for language in own
                       if language in published[key].body]
    return series

