"""The guidance editor: lawyers draft provisions, templates and rules, preview them on a real
case, send them for review, and a second lawyer or consul approves; operators may read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from migrantdesk.core.web import FormFailure, load_form, render_form
from migrantdesk.guidance import editing, review
from migrantdesk.guidance.models import ContentStatus, Topic, Verification
from migrantdesk.guidance.page_forms import content_from_form, form_from_content, languages_of
from migrantdesk.guidance.schemas import ReasonSchema

pages = Blueprint("guidance_pages", __name__, url_prefix="/guidance")

KIND_LABELS = {"provisions": _l("Provisions"), "templates": _l("Templates"),
               "rules": _l("Rules")}
STATUS_LABELS = {ContentStatus.DRAFT: _l("Draft"), ContentStatus.IN_REVIEW: _l("In review"),
                 ContentStatus.PUBLISHED: _l("Published"), ContentStatus.RETIRED: _l("Retired")}
TOPIC_LABELS = {
    Topic.MOBILISATION_NOTICE: _l("Mobilisation notice"), Topic.FOREIGN_ARMY: _l("Foreign army"),
    Topic.DUAL_CITIZENSHIP: _l("Dual citizenship"), Topic.STAY_AND_ENTRY: _l("Stay and entry"),
    Topic.DOCUMENTS_AND_DEPORTATION: _l("Documents and deportation"),
    Topic.REMITTANCES: _l("Remittances"), Topic.DETENTION: _l("Detention")}
VERIFICATION_LABELS = {Verification.CONFIRMED: _l("Confirmed"),
                       Verification.REPORTED: _l("Reported by one source"),
                       Verification.NEEDS_VERIFICATION: _l("Needs verification")}

# The same words as the form's labels, so a field reads the same on every page.
FIELD_LABELS = {
    "topic": _l("Topic"), "origin_country": _l("Origin country"),
    "host_country": _l("Host country"), "title": _l("Title"), "body": _l("Text"),
    "provision_keys": _l("Provisions cited"), "name": _l("Rule name"),
    "description": _l("Description"), "conditions": _l("Conditions"),
    "template_keys": _l("Templates selected"), "jurisdiction": _l("Jurisdiction"),
    "instrument": _l("Instrument"), "article": _l("Article"), "part": _l("Part"),
    "summary": _l("Summary"), "penalty": _l("Penalty"),
    "penalty_text": _l("Penalty as the source words it"),
    "effective_from": _l("In force from"), "effective_to": _l("In force until (exclusive)"),
    "source_citation": _l("Source"), "source_url": _l("Source address (URL)"),
    "verification": _l("Verification"), "verification_note": _l("Why this verification")}


def _language() -> str:
    return str(get_locale() or "en").split("_")[0]


def _common() -> dict[str, Any]:
    locale = get_locale()
    names = locale.territories if locale else {}
    return {"kind_labels": KIND_LABELS, "status_labels": STATUS_LABELS,
            "field_labels": FIELD_LABELS,
            "topic_labels": TOPIC_LABELS, "verification_labels": VERIFICATION_LABELS,
            "countries": sorted(((code, names.get(code, code)) for code in KNOWN_COUNTRIES),
                                key=lambda pair: pair[1]),
            "language": _language(), "kind_of": editing.KIND_OF, "label_of": editing.label_of}


@pages.route("")
@require(Scope.GUIDANCE_READ)
def index():
    filters = {name: request.args.get(name, "") for name in ("kind", "status", "country",
                                                              "topic")}
    chosen = {name: value for name, value in filters.items() if value}
    valid = (filters["kind"] in ("", *editing.KINDS)
             and filters["status"] in ("", *ContentStatus)
             and filters["topic"] in ("", *Topic)
             and filters["country"] in ("", *KNOWN_COUNTRIES))
    items = editing.catalogue(**chosen) if valid else []
    waiting = editing.awaiting_review(actor())
    return render_template("guidance/index.html", items=items, waiting=waiting,
                           filters=filters, names=editing.people(items + waiting),
                           **_common())


@pages.route("/<kind>/<int:item_id>")
@require(Scope.GUIDANCE_READ)
def item(kind: str, item_id: int):
    return _item_page(editing.get(kind, item_id))


def _item_page(item: Any, error: DomainError | None = None, **context: Any):
    kind = editing.KIND_OF[type(item)]
    versions = review.versions_of(type(item), item.key)
    page = render_template("guidance/item.html", item=item, kind=kind, versions=versions,
                           names=editing.people(versions), errors=FormFailure(error),
                           content=editing.content_of(item), **context, **_common())
    return (page, error.status) if error else page


@pages.route("/<kind>/new", methods=["GET", "POST"])
@require(Scope.GUIDANCE_WRITE)
def new(kind: str):
    editing.model_of(kind)
    languages = languages_of(None, kind)
    context = {"kind": kind, "languages": languages, "item": None, "mode": "new", **_common()}
    if request.method == "GET":
        return render_template("guidance/edit.html", **context)
    try:
        content = content_from_form(kind, request.form, with_key=True, languages=languages)
        created = editing.create(actor(), kind, content.pop("key"), content)
    except DomainError as refused:
        return render_form("guidance/edit.html", refused, **context)
    flash(_("Draft saved."), "info")
    return redirect(url_for(".item", kind=kind, item_id=created.id))


@pages.route("/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
@require(Scope.GUIDANCE_WRITE)
def edit(kind: str, item_id: int):
    """Change a draft in place; any other version answers 409 with the way to a new one."""
    found = editing.get(kind, item_id)
    languages = languages_of(editing.content_of(found), kind)
    context = {"kind": kind, "languages": languages, "item": found, "mode": "edit",
               **_common()}
    try:
        review.ensure_editable(found)
    except DomainError as refused:
        return render_form("guidance/edit.html", refused, locked=True, **context)
    if request.method == "GET":
        return render_template("guidance/edit.html",
                               form=form_from_content(kind, editing.content_of(found)),
                               **context)
    try:
        _check_not_stale(found)
        content = content_from_form(kind, request.form, with_key=False, languages=languages)
        editing.update_draft(actor(), found, content)
    except DomainError as refused:
        return render_form("guidance/edit.html", refused, **context)
    flash(_("Draft saved."), "info")
    return redirect(url_for(".item", kind=kind, item_id=found.id))


def _check_not_stale(item: Any) -> None:
    """Someone saved the draft since this form was opened: say who, keep what this user typed,
    and let a second save replace their change knowingly (the form now carries the new
    version number)."""
    seen = request.form.get("lock_version", type=int)
    if seen is not None and seen != item.lock_version:
        raise Conflict(_("%(name)s saved this draft after you opened it. Your text is kept "
                         "below: open the draft in another tab to see their version, or save "
                         "again to replace it.", name=editing.last_editor(item) or "?"))


@pages.route("/<kind>/<int:item_id>/new-version", methods=["GET", "POST"])
@require(Scope.GUIDANCE_WRITE)
def new_version(kind: str, item_id: int):
    """A draft of the next version, starting from this one's content."""
    base = editing.get(kind, item_id)
    languages = languages_of(editing.content_of(base), kind)
    context = {"kind": kind, "languages": languages, "item": base, "mode": "new_version",
               **_common()}
    if request.method == "GET":
        return render_template("guidance/edit.html",
                               form=form_from_content(kind, editing.content_of(base)),
                               **context)
    try:
        content = content_from_form(kind, request.form, with_key=False, languages=languages)
        created = editing.new_version(actor(), base, content)
    except DomainError as refused:
        return render_form("guidance/edit.html", refused, **context)
    flash(_("Version %(version)s saved as a draft.", version=created.version), "info")
    return redirect(url_for(".item", kind=kind, item_id=created.id))


def _step(kind: str, item_id: int, act: Any, done: str, reason: bool = False):
    found = editing.get(kind, item_id)
    try:
        if reason:
            act(actor(), found, load_form(ReasonSchema(), request.form)["reason"])
        else:
            act(actor(), found)
    except DomainError as refused:
        return _item_page(found, refused, form=request.form)
    flash(done, "info")
    return redirect(url_for(".item", kind=kind, item_id=found.id))


@pages.route("/<kind>/<int:item_id>/submit", methods=["POST"])
@require(Scope.GUIDANCE_WRITE)
def submit(kind: str, item_id: int):
    return _step(kind, item_id, review.submit, _("Sent for review."))


@pages.route("/<kind>/<int:item_id>/approve", methods=["POST"])
@require(Scope.GUIDANCE_PUBLISH)
def approve(kind: str, item_id: int):
    return _step(kind, item_id, review.approve, _("Approved and published."))


@pages.route("/<kind>/<int:item_id>/send-back", methods=["POST"])
@require(Scope.GUIDANCE_PUBLISH)
def send_back(kind: str, item_id: int):
    return _step(kind, item_id, review.send_back, _("Sent back to draft."), reason=True)


@pages.route("/<kind>/<int:item_id>/retire", methods=["POST"])
@require(Scope.GUIDANCE_PUBLISH)
def retire(kind: str, item_id: int):
    return _step(kind, item_id, review.retire, _("Retired."), reason=True)


@pages.route("/<kind>/<int:item_id>/diff")
@require(Scope.GUIDANCE_READ)
def diff(kind: str, item_id: int):
    """Differences between two versions of one key, field by field and language by language."""
    newer = editing.get(kind, item_id)
    versions = review.versions_of(type(newer), newer.key)
    base_id = request.args.get("base", type=int)
    older = next((v for v in versions if v.id == base_id), None)
    if older is None:
        older = next((v for v in reversed(versions) if v.version < newer.version), newer)
    return render_template("guidance/diff.html", item=newer, base=older, kind=kind,
                           versions=versions, changes=editing.differences(older, newer),
                           **_common())


@pages.route("/<kind>/<int:item_id>/preview", methods=["GET", "POST"])
@require(Scope.GUIDANCE_WRITE, Scope.CASES_READ)
def preview(kind: str, item_id: int):
    """The dry run on a real case of the office: does the rule match, what would be read out."""
    if kind == "provisions":
        raise NotFound("preview")
    found = editing.get(kind, item_id)
    context = {"item": found, "kind": kind, **_common()}
    if request.method == "GET":
        return render_template("guidance/preview.html", result=None, **context)
    case_id = request.form.get("case_id", "").strip().lstrip("#")
    try:
        if not case_id.isdigit():
            raise ValidationFailed(_("Some fields are invalid."),
                                   {"case_id": [_("Enter the case number.")]})
        result = editing.preview(actor(), found, int(case_id), _language())
    except DomainError as refused:
        if refused.status == 404:
            refused = ValidationFailed(_("Some fields are invalid."),
                                       {"case_id": [_("No such case in your office.")]})
        return render_form("guidance/preview.html", refused, result=None, **context)
    return render_template("guidance/preview.html", result=result, form=request.form,
                           **context)
