"""Public: the catalogue (/leaflets, /api/v1/leaflets), downloads by hash, verification (/v/…).
Staff: preview, publish, revoke, download statistics (/api/v1/leaflets/…)."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import Response, render_template, request, send_file
from flask_babel import force_locale

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core.api import Blueprint
from migrantdesk.core.ratelimit import limiter, public_limit
from migrantdesk.leaflets import briefing, services
from migrantdesk.leaflets.schemas import (
    BriefingQuerySchema,
    CatalogueQuerySchema,
    DownloadStatSchema,
    LeafletRequestSchema,
    LeafletSchema,
    RevokeSchema,
)

blp = Blueprint("leaflets_api", __name__, url_prefix="/api/v1/leaflets",
                description="Briefing leaflets: public catalogue, publishing, revocation")
pages = FlaskBlueprint("leaflets", __name__)

ONE_YEAR = 365 * 24 * 3600


@blp.route("")
@limiter.limit(public_limit)
@blp.arguments(CatalogueQuerySchema, location="query")
@blp.response(200, LeafletSchema(many=True))
def catalogue(filters):
    """Current leaflets, public; filter by origin_country, host_country, topic, language."""
    return services.catalogue(filters)


@blp.route("/preview", methods=["POST"])
@require(Scope.GUIDANCE_READ)
@blp.arguments(LeafletRequestSchema)
@blp.response(200, content_type="application/pdf")
def preview(body):
    """The PDF as it would be published, for any template version; nothing is stored."""
    return Response(services.preview(actor(), **body), mimetype="application/pdf")


@blp.route("/publish", methods=["POST"])
@require(Scope.GUIDANCE_PUBLISH)
@blp.arguments(LeafletRequestSchema)
@blp.response(201, LeafletSchema)
def publish(body):
    return services.publish(actor(), **body)


@blp.route("/<int:leaflet_id>/revoke", methods=["POST"])
@require(Scope.GUIDANCE_PUBLISH)
@blp.arguments(RevokeSchema)
@blp.response(200, LeafletSchema)
def revoke(body, leaflet_id):
    return services.revoke(actor(), leaflet_id, body["reason"])


@blp.route("/stats")
@require(Scope.GUIDANCE_PUBLISH)
@blp.response(200, DownloadStatSchema(many=True))
def download_stats():
    """Downloads of this consulate's leaflets per leaflet (and so language) and day."""
    return services.download_stats(actor())


@pages.route("/leaflets")
@limiter.limit(public_limit)
def catalogue_page():
    """The catalogue in the visitor's language; a language without leaflets (for the other
    filters) gets the languages that have some, an unknown filter value a 404 page listing
    the values that exist."""
    filters = {k: v for k, v in request.args.items() if k in services.FILTERS and v}
    page = {"filters": filters, "languages": services.LEAFLET_LANGUAGES,
            "language_names": services.language_names()}
    try:
        leaflets = services.catalogue(filters)
    except services.NotInCatalogue as unknown:
        return render_template("leaflets/catalogue.html", leaflets=[], available=[],
                               unknown=unknown.fields, **page), 404
    return render_template("leaflets/catalogue.html", leaflets=leaflets, unknown=None,
                           available=services.available_languages(filters), **page)


@pages.route("/leaflets/<sha256>.pdf")
@limiter.limit(public_limit)
def download(sha256: str):
    """Immutable, content-addressed: cached for a year, revalidated by ETag."""
    stored = services.by_hash(sha256)
    if request.if_none_match.contains(sha256):
        return Response(status=304, headers={"ETag": f'"{sha256}"'})
    services.count_download(stored.leaflet_id)
    response = send_file(stored.path, mimetype="application/pdf", etag=sha256,
                         max_age=ONE_YEAR, download_name=stored.download_name)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


@pages.route("/v/<code>")
@limiter.limit(public_limit)
def verify(code: str):
    """Is this leaflet current? Answered in the leaflet's own language."""
    found = services.verify(code)
    with force_locale(found.leaflet.language.replace("-", "_")):
        return render_template("leaflets/verify.html", found=found,
                               html_lang=found.leaflet.language)


briefing_blp = Blueprint("case_briefing", __name__, url_prefix="/api/v1/cases",
                         description="Per-case briefing PDF for the migrant")


@briefing_blp.route("/<int:case_id>/briefing.pdf")
@require(Scope.CASES_READ)
@briefing_blp.arguments(BriefingQuerySchema, location="query")
@briefing_blp.response(200, content_type="application/pdf")
def case_briefing(query, case_id):
    """The migrant's consultation summary in their language; audited as an export."""
    pdf = briefing.briefing_pdf(actor(), case_id, query["language"])
    return Response(pdf, mimetype="application/pdf", headers={"Cache-Control": "no-store"})
