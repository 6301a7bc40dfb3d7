"""The per-case briefing: one migrant's consultation summary as a PDF, in their language —
the guidance they were given (from the immutable record), next steps, deadlines, and how to
reach the consulate. It carries nothing about anyone else."""

from __future__ import annotations

from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from migrantdesk.auth.models import User
from migrantdesk.cases.models import Case
from migrantdesk.cases.services import check_processing
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db, get_in_office, utcnow
from migrantdesk.core.errors import ValidationFailed
from migrantdesk.guidance.casework import guidance_history
from migrantdesk.guidance.deadlines import NOTICE_CATEGORIES, notice_deadline
from migrantdesk.leaflets import rendering
from migrantdesk.leaflets.services import labelled_languages, public_url
from migrantdesk.migrants.models import ConsentPurpose
from migrantdesk.offices.services import office_of


def briefing_pdf(actor: User, case_id: int, language: str) -> bytes:
    if language not in labelled_languages():
        raise ValidationFailed(_("Some fields are invalid."), {"language": [
            _("Available: %(languages)s", languages=", ".join(sorted(labelled_languages())))]})
    case = get_in_office(Case, case_id, actor.office_id, selectinload(Case.migrant),
                         selectinload(Case.tasks))
    check_processing(case, ConsentPurpose.CASE_HANDLING)
    given = [entry for entry in guidance_history(actor, case.id) if entry.language == language]
    office = office_of(actor)
    with force_locale(language.replace("-", "_")):
        body = _briefing_body(case, given)
        content = rendering.LeafletContent(
            language=language, title=_("Your consultation with the consulate"), body=body,
            provisions=(), office_name=office.name, office_address=office.address,
            hotline_numbers=tuple(office.hotline_numbers), issued_on=utcnow().date(),
            version_label=_("Case %(number)s", number=case.id),
            verify_url=public_url("leaflets.catalogue_page", language=language),
            verify_code=f"{case.id}", page_format="A4",
            labels={"hotline": _("Hotline"), "verify": _("Leaflets of the consulate"),
                    "issued": _("Issued"), "law": _("What the law says"),
                    "version": _("Case")})
    pdf = rendering.render_pdf(content)
    audit.record(actor, AuditAction.EXPORT, "case_briefing", case.id,
                 details={"language": language, "guidance_given_ids": [e.id for e in given]})
    db.session.flush()
    return pdf


def _briefing_body(case: Case, given: list) -> str:
    parts = [_("Prepared for %(name)s.", name=case.migrant.display_name)]
    for entry in given:
        parts += [_("Advice given on %(date)s:", date=format_datetime(entry.given_at)),
                  entry.text.strip()]
    open_tasks = [task for task in case.tasks if task.done_at is None]
    if open_tasks:
        parts.append(_("Next steps:"))
        parts.append("\n".join(f"- {format_date(task.due_on)}: {task.title}"
                               for task in open_tasks))
    if case.category in NOTICE_CATEGORIES:
        deadline = notice_deadline(case.facts or {}, utcnow()).deadline
        if deadline is not None:
            parts.append(_("You were told to appear by %(when)s. Contact the consulate before "
                           "then.", when=format_datetime(deadline)))
    return "\n\n".join(parts)
