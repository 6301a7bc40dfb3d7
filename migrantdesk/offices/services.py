"""Consulates: created and edited by administrators, seen by their own staff."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Scope
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db
from migrantdesk.core.errors import Conflict, NotFound
from migrantdesk.offices.models import Office


def visible_offices(actor: User) -> list[Office]:
    """All offices for an administrator, otherwise the actor's own."""
    statement = select(Office).order_by(Office.country, Office.name)
    if not actor.can(Scope.OFFICES_ADMIN):
        statement = statement.where(Office.id == actor.office_id)
    return list(db.session.scalars(statement))


def get_office(actor: User, office_id: int) -> Office:
    office = db.session.get(Office, office_id)
    if office is None or (not actor.can(Scope.OFFICES_ADMIN) and office.id != actor.office_id):
        raise NotFound("office")
    return office


def create_office(actor: User | None, **attributes) -> Office:
    if db.session.scalar(select(Office.id).where(Office.code == attributes["code"])):
        raise Conflict(_("An office with this code exists."), {"code": [_("Already in use.")]})
    office = Office(**attributes)
    db.session.add(office)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "office", office.id, office_id=office.id,
                 fields=sorted(attributes))
    return office


def update_office(actor: User, office: Office, changes: dict) -> Office:
    changed = audit.changed_fields(office, changes)
    if changed:
        audit.record(actor, AuditAction.UPDATE, "office", office.id, office_id=office.id,
                     fields=changed)
    return office


def office_of(actor: User) -> Office:
    """The actor's own office (it always exists: users.office_id is a foreign key); loaded
    with the user at authentication, so usually no query."""
    if "office" not in inspect(actor).unloaded:
        return actor.office
    office = db.session.get(Office, actor.office_id)
    assert office is not None
    return office


def find_office_by_code(code: str) -> Office | None:
    return db.session.scalars(select(Office).where(Office.code == code)).first()
