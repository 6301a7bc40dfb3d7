"""Guidance on one case: what applies now, and the immutable record of what was given."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from migrantdesk.auth.models import User
from migrantdesk.calls.models import Call
from migrantdesk.cases.models import Case
from migrantdesk.cases.services import check_processing
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import ValidationFailed
from migrantdesk.guidance import engine
from migrantdesk.guidance.conditions import Situation, event_date_of, matches
from migrantdesk.guidance.models import (
    ContentStatus,
    GuidanceGiven,
    GuidanceTemplate,
    Provision,
    Verification,
)
from migrantdesk.migrants.models import ConsentPurpose, Migrant
from migrantdesk.offices.services import office_of


def situation_of(case: Case, origin: str) -> Situation:
    """The case as rules see it; citizenships are those held on the event date."""
    facts = case.facts or {}
    on = event_date_of(facts, case.opened_at.date())
    held = frozenset(
        c.country for c in case.migrant.citizenships
        if (c.acquired_on is None or c.acquired_on <= on)
        and (c.renounced_on is None or c.renounced_on > on))
    return Situation(category=str(case.category), origin=origin, host_country=case.host_country,
                     citizenships=held, facts=facts, event_date=on)


def _case_with_citizenships(actor: User, case_id: int) -> tuple[Case, str]:
    case = get_in_office(Case, case_id, actor.office_id,
                         selectinload(Case.migrant).selectinload(Migrant.citizenships))
    return case, str(office_of(actor).country)


def applicable_guidance(actor: User, case_id: int, now: datetime | None = None
                        ) -> engine.Selection:
    case, origin = _case_with_citizenships(actor, case_id)
    audit.record(actor, AuditAction.READ, "case_guidance", case.id)
    return engine.select_guidance(engine.current_library(), situation_of(case, origin),
                                  now or utcnow())


def dry_run(actor: User, case_id: int, conditions: dict[str, Any]) -> dict[str, Any]:
    """Whether draft conditions would match a real case, without saving anything."""
    case, origin = _case_with_citizenships(actor, case_id)
    situation = situation_of(case, origin)
    return {"matches": matches(conditions, situation), "situation": situation}


def render_text(template: GuidanceTemplate, provisions: list[Provision], language: str) -> str:
    """The words given to the migrant: the template in their language, then each provision
    with its summary and a warning where the source is not confirmed."""
    lines = [template.title[language], "", template.body[language]]
    with force_locale(language.replace("-", "_")):
        for provision in provisions:
            article = f", {provision.article}" if provision.article else ""
            summary = provision.summary.get(language) or provision.summary.get("ru") or ""
            lines += ["", f"{provision.instrument}{article}: {provision.title}", summary]
            if provision.verification != Verification.CONFIRMED:
                lines.append(_("Not yet verified against the official text (%(status)s).",
                               status=provision.verification))
    return "\n".join(lines).strip() + "\n"


def give_guidance(actor: User, case_id: int, template_id: int, language: str,
                  call_id: int | None = None) -> GuidanceGiven:
    """Record, immutably, that this template version was given in this language."""
    case, origin = _case_with_citizenships(actor, case_id)
    check_processing(case, ConsentPurpose.CASE_HANDLING)
    template = db.session.get(GuidanceTemplate, template_id)
    if template is None or template.status != ContentStatus.PUBLISHED:
        raise ValidationFailed(_("Some fields are invalid."),
                               {"template_id": [_("No such published template.")]})
    if language not in template.body:
        raise ValidationFailed(_("Some fields are invalid."), {"language": [
            _("Available: %(languages)s", languages=", ".join(sorted(template.body)))]})
    if call_id is not None and db.session.scalar(select(Call.id).where(
            Call.id == call_id, Call.office_id == actor.office_id)) is None:
        raise ValidationFailed(_("Some fields are invalid."),
                               {"call_id": [_("No such call in your office.")]})
    library = engine.current_library()
    on = situation_of(case, origin).event_date
    provisions = [p for key in template.provision_keys
                  if (p := library.provision_in_force(key, on)) is not None]
    text = render_text(template, provisions, language)
    record = GuidanceGiven(
        office_id=actor.office_id, case_id=case.id, migrant_id=case.migrant_id, call_id=call_id,
        template_id=template.id, provision_ids=[p.id for p in provisions], language=language,
        text=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(), given_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "guidance_given", record.id,
                 details={"case_id": case.id, "template_id": template.id})
    return record


@dataclass
class GivenEntry:
    record: GuidanceGiven
    template: GuidanceTemplate
    superseded: bool
    superseded_because: list[str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.record, name)


def guidance_history(actor: User, case_id: int, today: date | None = None) -> list[GivenEntry]:
    """What was given on a case, newest first, flagged where the template or a provision has
    been replaced or withdrawn since (so staff can call the migrant back)."""
    case = get_in_office(Case, case_id, actor.office_id)
    records = list(db.session.scalars(select(GuidanceGiven).where(
        GuidanceGiven.case_id == case.id).order_by(GuidanceGiven.given_at.desc(),
                                                  GuidanceGiven.id.desc())))
    templates = {t.id: t for t in db.session.scalars(select(GuidanceTemplate).where(
        GuidanceTemplate.id.in_({r.template_id for r in records})))}
    provision_ids = {pid for r in records for pid in r.provision_ids}
    provisions = {p.id: p for p in db.session.scalars(
        select(Provision).where(Provision.id.in_(provision_ids)))}
    audit.record(actor, AuditAction.READ, "guidance_given", None, details={"case_id": case.id})
    entries = []
    for record in records:
        template = templates[record.template_id]
        reasons = []
        if template.status != ContentStatus.PUBLISHED:
            reasons.append(f"template {template.key} v{template.version} {template.status}")
        for pid in record.provision_ids:
            provision = provisions[pid]
            if provision.status != ContentStatus.PUBLISHED:
                reasons.append(f"provision {provision.key} v{provision.version} "
                               f"{provision.status}")
            elif provision.effective_to and provision.effective_to <= (today or date.today()):
                reasons.append(f"provision {provision.key} no longer in force")
        entries.append(GivenEntry(record, template, bool(reasons), reasons))
    return entries
