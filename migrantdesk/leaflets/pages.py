"""Staff pages for leaflets: what this consulate has printed of each published template and
language, preview (a PDF in a new tab), publish, revoke with a reason, download statistics.
The public catalogue and verification pages are the `leaflets` blueprint in views.py."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core import formats
from migrantdesk.core.errors import ValidationFailed
from migrantdesk.core.web import FormFailure, load_form
from migrantdesk.leaflets import services
from migrantdesk.leaflets.models import PageFormat
from migrantdesk.leaflets.schemas import LeafletRequestSchema, RevokeSchema

pages = Blueprint("leaflets_pages", __name__, url_prefix="/leaflets/manage")
formats.register(pages)


def _manage_page(submitted: str | None = None, error: ValidationFailed | None = None):
    body = render_template(
        "leaflets/manage.html", series=services.management_overview(actor()),
        formats=[(f.value, f.value) for f in PageFormat], can_publish=actor().can(
            Scope.GUIDANCE_PUBLISH), submitted=submitted, errors=FormFailure(error),
        no_errors=FormFailure(), form=request.form if error else {})
    return body, error.status if error else 200


def _series_key(form) -> str:
    return f"{form.get('template_id', '')}-{form.get('language', '')}"


@pages.route("")
@require(Scope.GUIDANCE_READ)
def manage():
    return _manage_page()


@pages.route("/preview", methods=["POST"])
@require(Scope.GUIDANCE_READ)
def preview():
    """The PDF as it would be published, shown inline (the form opens it in a new tab)."""
    try:
        wanted = load_form(LeafletRequestSchema(), request.form)
        pdf = services.preview(actor(), **wanted)
    except ValidationFailed as refused:
        return _manage_page(_series_key(request.form), refused)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": "inline; filename=preview.pdf", "Cache-Control": "no-store"})


@pages.route("/publish", methods=["POST"])
@require(Scope.GUIDANCE_PUBLISH)
def publish():
    try:
        wanted = load_form(LeafletRequestSchema(), request.form)
        leaflet = services.publish(actor(), **wanted)
    except ValidationFailed as refused:
        return _manage_page(_series_key(request.form), refused)
    flash(_("The leaflet is published; its code is %(code)s.", code=leaflet.code), "info")
    anchor = f"series-{_series_key(request.form)}"
    return redirect(url_for("leaflets_pages.manage", _anchor=anchor), 303)


@pages.route("/<int:leaflet_id>/revoke", methods=["POST"])
@require(Scope.GUIDANCE_PUBLISH)
def revoke(leaflet_id: int):
    try:
        given = load_form(RevokeSchema(), request.form)
    except ValidationFailed as refused:
        return _manage_page(f"revoke-{leaflet_id}", refused)
    services.revoke(actor(), leaflet_id, given["reason"])
    flash(_("The leaflet is revoked. Anyone checking its code is told why."), "info")
    return redirect(url_for("leaflets_pages.manage"), 303)


@pages.route("/stats")
@require(Scope.GUIDANCE_PUBLISH)
def stats():
    rows = services.download_stats(actor())
    totals: dict[tuple[str, int, str], int] = {}
    for row in rows:
        key = (row["template_key"], row["template_version"], row["language"])
        totals[key] = totals.get(key, 0) + row["downloads"]
    return render_template("leaflets/manage_stats.html", rows=rows,
                           totals=sorted(totals.items(), key=lambda item: -item[1]))
