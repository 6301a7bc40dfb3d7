"""The guidance beside the fact form: what applies to the call's case, shaped for the screen
(the template in the migrant's language when it exists, the provisions each cites with their
verification, the notice deadline, the dual-citizenship risk, what was already given)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from flask_babel import get_locale

from migrantdesk.auth.models import User
from migrantdesk.guidance import casework
from migrantdesk.guidance.models import GuidanceTemplate, Provision, Verification

FALLBACK_LANGUAGE = "ru"


def language_name(tag: str) -> str:
    """A language tag (ky, uz-Latn) named in the interface's language."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(str(get_locale() or "en"))
    except (ValueError, LookupError):
        return tag
    return (name or tag).capitalize()


@dataclass
class TemplateView:
    template: GuidanceTemplate
    language: str  # the language its text is shown in
    wanted: str | None  # the migrant's language, when the template lacks it
    provisions: list[Provision]
    given: list[casework.GivenEntry] = field(default_factory=list)

    @property
    def languages(self) -> list[tuple[str, str]]:
        return [(tag, language_name(tag)) for tag in sorted(self.template.body)]

    @property
    def title(self) -> str:
        return self.template.title.get(self.language) or next(iter(self.template.title.values()))

    @property
    def body(self) -> str:
        return self.template.body.get(self.language) or next(iter(self.template.body.values()))

    @property
    def unverified(self) -> list[Provision]:
        return [p for p in self.provisions if p.verification != Verification.CONFIRMED]


@dataclass
class Panel:
    case_id: int
    templates: list[TemplateView]
    other_provisions: list[Provision]
    deadline: Any
    deadline_local: datetime | None
    risk: Any
    history: list[casework.GivenEntry]
    risk_language: str


def _shown_language(template: GuidanceTemplate, wanted: str | None) -> tuple[str, str | None]:
    if wanted and wanted in template.body:
        return wanted, None
    fallback = FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in template.body else sorted(
        template.body)[0]
    return fallback, wanted


def guidance_panel(actor: User, case_id: int, migrant_language: str | None,
                   timezone: str) -> Panel:
    """What applies to the case now, and what was given on it."""
    selection = casework.applicable_guidance(actor, case_id)
    history = casework.guidance_history(actor, case_id)
    by_key = {p.key: p for p in selection.provisions}
    views, cited = [], set()
    for template in selection.templates:
        language, wanted = _shown_language(template, migrant_language)
        provisions = [by_key[key] for key in template.provision_keys if key in by_key]
        cited.update(template.provision_keys)
        views.append(TemplateView(template, language, wanted, provisions,
                                  [e for e in history if e.template.key == template.key]))
    deadline = selection.deadline
    local = (deadline.deadline.astimezone(ZoneInfo(timezone))
             if deadline is not None and deadline.deadline is not None else None)
    ui = str(get_locale() or "en")
    return Panel(case_id, views, [p for p in selection.provisions if p.key not in cited],
                 deadline, local, selection.risk, history,
                 "en" if ui == "en" else "ru")  # staff read the legal sources in Russian
