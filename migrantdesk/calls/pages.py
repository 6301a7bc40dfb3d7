"""The hotline screen: one page that follows a call from the first digits to its summary.

The call's state lives in the database (the call, its caller, its case), so every step is a
small form: full-page posts that redirect back to the call, and htmx fragments for the caller
search, the fact form and the guidance beside it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from migrantdesk.auth.guard import actor, require
from migrantdesk.auth.permissions import Scope
from migrantdesk.calls import fact_form, hotline, services
from migrantdesk.calls.guidance_panel import guidance_panel, language_name
from migrantdesk.calls.labels import (
    CONSENT_LABELS,
    OUTCOME_LABELS,
    RISK_LABELS,
    STANCE_LABELS,
    VERIFICATION_LABELS,
)
from migrantdesk.calls.schemas import CallUpdateSchema
from migrantdesk.cases.facts import LANGUAGE_TAGS
from migrantdesk.cases.schemas import CaseCreateSchema
from migrantdesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from migrantdesk.core.web import FormFailure, is_partial_request, load_form, localised
from migrantdesk.guidance import casework
from migrantdesk.migrants.models import ConsentPurpose
from migrantdesk.migrants.schemas import MigrantCreateSchema
from migrantdesk.offices.services import office_of

pages = Blueprint("calls_pages", __name__)
MIN_SEARCH_LENGTH = 3
_NAME_FIELDS = ("surname_cyrl", "given_names_cyrl", "surname_latn", "given_names_latn")


@pages.context_processor
def _hotline_helpers() -> dict[str, Any]:
    def when(moment: datetime) -> str:
        """A moment in the office's time zone, in the user's language."""
        local = moment.astimezone(ZoneInfo(office_of(actor()).timezone))
        locale = str(get_locale() or "en")
        return (f'{babel_dates.format_date(local, "medium", locale=locale)}, '
                f'{babel_dates.format_time(local, "short", locale=locale)}')

    def country_name(code: str) -> str:
        return Locale.parse(str(get_locale() or "en")).territories.get(code, code)

    return {"when": when, "country_name": country_name, "format_date": format_date,
            "empty_errors": FormFailure(),
            "format_decimal": format_decimal, "risk_labels": RISK_LABELS,
            "stance_labels": STANCE_LABELS, "verification_labels": VERIFICATION_LABELS}


@pages.route("/hotline", endpoint="hotline")
@require(Scope.CALLS_WRITE)
def landing():
    """Start a call; after one ends, say so (the browser then drops the summary draft)."""
    return render_template("calls/hotline.html", ended=request.args.get("ended", type=int))


@pages.route("/hotline/calls", methods=["POST"])
@require(Scope.CALLS_WRITE)
def start_call():
    try:
        call = hotline.start_call(actor(), request.form.get("caller_phone", "").strip())
    except DomainError as refused:
        return render_template("calls/hotline.html", errors=FormFailure(refused),
                               form=request.form), refused.status
    return redirect(url_for("calls_pages.call_page", call_id=call.id))


def _screen_context(call_id: int, **extra: Any) -> dict[str, Any]:
    screen = hotline.call_screen(actor(), call_id)
    context: dict[str, Any] = {
        "screen": screen, "categories": fact_form.category_choices(),
        "category_label": fact_form.category_label, "countries": fact_form.country_choices(),
        "outcomes": [(value, str(label)) for value, label in OUTCOME_LABELS.items()],
        "call_languages": [(tag, language_name(tag)) for tag in LANGUAGE_TAGS],
        "consent_labels": CONSENT_LABELS, "language_name": language_name,
    }
    if screen.case is not None:
        context.update(_facts_context(screen))
        language = screen.migrant.preferred_language if screen.migrant else None
        context["panel"] = guidance_panel(actor(), screen.case.id, language,
                                          screen.office.timezone)
    context.update(extra)
    return context


def _facts_context(screen: hotline.CallScreen, **extra: Any) -> dict[str, Any]:
    case = screen.case
    assert case is not None
    stored = fact_form.form_values(case.category, case.facts or {}, screen.office.timezone)
    return {"fact_fields": fact_form.fact_fields(case.category), "fact_values": stored,
            "facts_loaded": json.dumps(stored, ensure_ascii=False),
            "case_version": case.version, **extra}


@pages.route("/hotline/calls/<int:call_id>")
@require(Scope.CALLS_WRITE, Scope.CASES_READ)
def call_page(call_id: int):
    return render_template("calls/call.html", **_screen_context(call_id, initial=True))


def _back(call_id: int) -> Response:
    return redirect(url_for("calls_pages.call_page", call_id=call_id))


def _page_with_errors(call_id: int, error: DomainError, **extra: Any) -> tuple[str, int]:
    return render_template("calls/call.html", errors=FormFailure(error), form=request.form,
                           **_screen_context(call_id, **extra)), error.status


@pages.route("/hotline/calls/<int:call_id>/search", methods=["POST"])
@require(Scope.CALLS_WRITE, Scope.MIGRANTS_READ)
def search_callers(call_id: int):
    """Matching migrants as the operator types: POSTed, so no name or number reaches a URL
    or an access log."""
    services.get_call(actor(), call_id)
    query = request.form.get("q", "").strip()
    if len(query) < MIN_SEARCH_LENGTH:
        return render_template("calls/_search_results.html", call_id=call_id, query=query,
                               too_short=True, migrants=[], unlinked_calls=[])
    found = services.search_callers(actor(), query[:100], current_app.config[
        "SEARCH_RESULT_LIMIT"])
    earlier = [c for c in found["unlinked_calls"] if c.id != call_id]
    return render_template("calls/_search_results.html", call_id=call_id, query=query,
                           too_short=False, migrants=found["migrants"], unlinked_calls=earlier)


@pages.route("/hotline/calls/<int:call_id>/caller", methods=["POST"])
@require(Scope.CALLS_WRITE)
def choose_caller(call_id: int):
    migrant_id = request.form.get("migrant_id", type=int)
    if migrant_id is None:
        raise ValidationFailed(_("Some fields are invalid."), {"migrant_id": [_("Required.")]})
    hotline.choose_caller(actor(), call_id, migrant_id)
    return _back(call_id)


@pages.route("/hotline/calls/<int:call_id>/caller/forget", methods=["POST"])
@require(Scope.CALLS_WRITE)
def forget_caller(call_id: int):
    hotline.forget_caller(actor(), call_id)
    return _back(call_id)


@pages.route("/hotline/calls/<int:call_id>/case", methods=["POST"])
@require(Scope.CALLS_WRITE, Scope.CASES_WRITE)
def choose_case(call_id: int):
    case_id = request.form.get("case_id", type=int)
    if case_id is None:
        raise ValidationFailed(_("Some fields are invalid."), {"case_id": [_("Required.")]})
    hotline.choose_case(actor(), call_id, case_id)
    return _back(call_id)


def _leaf_messages(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _leaf_messages(value)]
    if isinstance(messages, (list, tuple)):
        return [text for value in messages for text in _leaf_messages(value)]
    return [localised(str(messages))]


_CALLER_MESSAGES = {
    "A surname in Cyrillic or Latin script is required.":
        lambda: _("Give a surname in Cyrillic or Latin script."),
    "This phone number cannot exist.": lambda: _("This phone number cannot exist."),
    "Not a phone number; use +<country code><number>.":
        lambda: _("Not a phone number; use +<country code><number>."),
}
# The form's control for each part of the API's migrant record.
_CALLER_FIELDS = {"phones": "phone", "citizenships": "citizenship", "consents": "consent"}


def _caller_form_data() -> tuple[dict[str, Any], list[str]]:
    form = request.form
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in _NAME_FIELDS}
    data["birth_date"] = form.get("birth_date", "").strip()
    data["preferred_language"] = form.get("preferred_language", "").strip()
    phone = form.get("phone", "").strip()
    data["phones"] = [{"number": phone}] if phone else []
    countries = list(dict.fromkeys(c for c in form.getlist("citizenship") if c))
    data["citizenships"] = [{"country": country} for country in countries]
    consents = [p for p in form.getlist("consent") if p in set(ConsentPurpose)]
    return data, consents


def _caller_errors(error: ValidationFailed) -> ValidationFailed:
    fields: dict[str, list[str]] = {}
    for name, messages in error.fields.items():
        texts = [_CALLER_MESSAGES[t]() if t in _CALLER_MESSAGES else t
                 for t in _leaf_messages(messages)]
        fields.setdefault(_CALLER_FIELDS.get(name, name), []).extend(texts)
    return ValidationFailed(error.message, fields)


@pages.route("/hotline/calls/<int:call_id>/new-caller", methods=["POST"])
@require(Scope.CALLS_WRITE, Scope.MIGRANTS_WRITE)
def register_caller(call_id: int):
    data, consents = _caller_form_data()
    try:
        loaded = load_form(MigrantCreateSchema(), data)
        hotline.register_caller(actor(), call_id, loaded, consents)
    except ValidationFailed as invalid:
        return _page_with_errors(call_id, _caller_errors(invalid), new_caller_open=True)
    return _back(call_id)


@pages.route("/hotline/calls/<int:call_id>/consent", methods=["POST"])
@require(Scope.CALLS_WRITE, Scope.MIGRANTS_WRITE)
def record_consent(call_id: int):
    purposes = [p for p in request.form.getlist("consent") if p in set(ConsentPurpose)]
    if not purposes:
        raise ValidationFailed(_("Some fields are invalid."),
                               {"consent": [_("Tick the consent the caller gave.")]})
    hotline.record_verbal_consent(actor(), call_id, purposes)
    return _back(call_id)


@pages.route("/hotline/calls/<int:call_id>/cases", methods=["POST"])
@require(Scope.CALLS_WRITE, Scope.CASES_WRITE)
def open_case(call_id: int):
    try:
        # The case is the caller's: the service takes the migrant from the call.
        loaded = load_form(CaseCreateSchema(exclude=("migrant_id",)), request.form)
        hotline.open_case_on_call(actor(), call_id, loaded)
    except DomainError as refused:
        if getattr(refused, "code", "") == "consent_missing":
            return _page_with_errors(call_id, refused, consent_missing=True)
        if isinstance(refused, ValidationFailed):
            return _page_with_errors(call_id, refused)
        raise
    return _back(call_id)


def _facts_fragment(call_id: int, errors: FormFailure | None = None, status: int = 200,
                    **extra: Any) -> tuple[str, int]:
    screen = hotline.call_screen(actor(), call_id)
    if screen.case is None:
        raise NotFound("case")
    context = _facts_context(screen, **extra)
    if errors:  # the form as it was drawn and typed, so only the operator's changes count
        context.update(errors=errors, form=request.form,
                       facts_loaded=request.form.get("facts_loaded", "{}"),
                       case_version=request.form.get("version", context["case_version"]))
    return render_template("calls/_facts.html", screen=screen, **context), status


def _stale_fragment(call_id: int, case_id: int, category: str, stale: Conflict
                    ) -> tuple[str, int]:
    """The latest facts with the operator's changes laid over them and marked, the version
    now current, and who changed the case: saving again applies only the operator's input."""
    who, when = hotline.last_change(actor(), case_id)
    mine = fact_form.changed_values(category, request.form)
    screen = hotline.call_screen(actor(), call_id)
    context = _facts_context(screen, stale_by=who, stale_at=when, kept=set(mine))
    context.update(errors=FormFailure(stale), form={**context["fact_values"], **mine})
    return render_template("calls/_facts.html", screen=screen, **context), 409


@pages.route("/hotline/calls/<int:call_id>/facts", methods=["POST"])
@require(Scope.CALLS_WRITE, Scope.CASES_WRITE)
def save_facts(call_id: int):
    screen = hotline.call_screen(actor(), call_id)
    if screen.case is None:
        raise NotFound("case")
    category = screen.case.category
    version = request.form.get("version", type=int)
    try:
        if version is None:
            raise ValidationFailed(_("Some fields are invalid."), {"version": [_("Required.")]})
        facts = fact_form.read_facts(category, request.form, screen.office.timezone)
        hotline.save_facts(actor(), call_id, version, facts)
    except Conflict as stale:
        return _stale_fragment(call_id, screen.case.id, category, stale)
    except ValidationFailed as invalid:
        nested = invalid.fields.get("facts", invalid.fields)
        fields = fact_form.fact_errors(category, nested if isinstance(nested, dict) else {})
        failure = FormFailure(ValidationFailed(_("Some facts are invalid."), fields))
        return _facts_fragment(call_id, failure, 422)
    if not is_partial_request():
        return _back(call_id)
    body, status = _facts_fragment(call_id, saved=True)
    return body, status, {"HX-Trigger": "facts-saved"}


def _panel(call_id: int, **extra: Any) -> str:
    screen = hotline.call_screen(actor(), call_id)
    if screen.case is None:
        raise NotFound("case")
    language = screen.migrant.preferred_language if screen.migrant else None
    panel = guidance_panel(actor(), screen.case.id, language, screen.office.timezone)
    return render_template("calls/_guidance.html", screen=screen, panel=panel,
                           language_name=language_name, **extra)


@pages.route("/hotline/calls/<int:call_id>/guidance")
@require(Scope.CALLS_WRITE, Scope.CASES_READ, Scope.GUIDANCE_READ)
def guidance(call_id: int):
    return _panel(call_id)


@pages.route("/hotline/calls/<int:call_id>/guidance", methods=["POST"])
@require(Scope.CALLS_WRITE, Scope.CASES_WRITE, Scope.GUIDANCE_READ)
def give_guidance(call_id: int):
    screen = hotline.call_screen(actor(), call_id)
    template_id = request.form.get("template_id", type=int)
    language = request.form.get("language", "")
    if screen.case is None or template_id is None:
        raise ValidationFailed(_("Some fields are invalid."), {"template_id": [_("Required.")]})
    casework.give_guidance(actor(), screen.case.id, template_id, language, call_id=call_id)
    if not is_partial_request():
        return _back(call_id)
    return _panel(call_id, just_given=template_id)


@pages.route("/hotline/calls/<int:call_id>/end", methods=["POST"])
@require(Scope.CALLS_WRITE)
def end_call(call_id: int):
    try:
        changes = load_form(CallUpdateSchema(), request.form)
        changes.pop("ended_at", None)
        hotline.end_call(actor(), call_id, changes)
    except ValidationFailed as invalid:
        if is_partial_request():
            return render_template("calls/_end_call.html", screen=hotline.call_screen(
                actor(), call_id), errors=FormFailure(invalid), form=request.form,
                outcomes=[(v, str(label)) for v, label in OUTCOME_LABELS.items()],
                call_languages=[(t, language_name(t)) for t in LANGUAGE_TAGS]), invalid.status
        return _page_with_errors(call_id, invalid)
    target = url_for("calls_pages.hotline", ended=call_id)
    if is_partial_request():
        return "", 204, {"HX-Redirect": target}
    return redirect(target)
