from __future__ import annotations

from marshmallow import Schema, fields, validate

from migrantdesk.cases.facts import CaseCategory
from migrantdesk.cases.models import CaseStatus, Priority, TaskKind
from migrantdesk.core.api import ID_RANGE, PageQuerySchema
from migrantdesk.core.countries import KNOWN_COUNTRIES
from migrantdesk.migrants.schemas import MigrantSummarySchema

_SUMMARY = validate.Length(min=1, max=500)
_HOST = validate.OneOf(sorted(KNOWN_COUNTRIES), error="Unknown country code.")


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class TaskCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.Enum(TaskKind, by_value=True, load_default=TaskKind.FOLLOW_UP, metadata={
        "description": "call_back needs the migrant's consent to be called back"})
    due_on = fields.Date(required=True)
    assignee_id = fields.Integer(allow_none=True, validate=ID_RANGE)


class TaskUpdateSchema(Schema):
    done = fields.Boolean(required=True)


class TaskSchema(TaskCreateSchema):
    id = fields.Integer()
    case_id = fields.Integer()
    done_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()


class NoteCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10_000))


class NoteSchema(NoteCreateSchema):
    id = fields.Integer()
    author_id = fields.Integer()
    created_at = fields.AwareDateTime()


class CaseCreateSchema(Schema):
    migrant_id = fields.Integer(required=True, validate=ID_RANGE)
    category = fields.Enum(CaseCategory, by_value=True, required=True)
    summary = fields.String(required=True, validate=_SUMMARY)
    host_country = fields.String(validate=_HOST,
                                 metadata={"description": "Defaults to the office's host"})
    facts = fields.Dict(keys=fields.String(), load_default=dict)
    priority = fields.Enum(Priority, by_value=True, load_default=Priority.NORMAL)
    assignee_id = fields.Integer(allow_none=True, validate=ID_RANGE)


class CaseUpdateSchema(Schema):
    """Fields given are changed; `facts` is merged key by key (null removes a key)."""

    version = fields.Integer(required=True, metadata={"description": "Version you last read"})
    summary = fields.String(validate=_SUMMARY)
    host_country = fields.String(validate=_HOST)
    facts = fields.Dict(keys=fields.String())
    priority = fields.Enum(Priority, by_value=True)
    assignee_id = fields.Integer(allow_none=True, validate=ID_RANGE)


class TransitionSchema(Schema):
    to = fields.Enum(CaseStatus, by_value=True, required=True)
    version = fields.Integer(required=True, validate=ID_RANGE)
    reason = fields.String(validate=validate.Length(max=500))


class CaseSummarySchema(Schema):
    id = fields.Integer()
    migrant_id = fields.Integer()
    category = fields.String()
    summary = fields.String()
    status = fields.Enum(CaseStatus, by_value=True)
    priority = fields.Enum(Priority, by_value=True)
    assignee_id = fields.Integer(allow_none=True)
    host_country = fields.String()
    opened_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    version = fields.Integer()


class CaseSchema(CaseSummarySchema):
    office_id = fields.Integer()
    facts = fields.Dict()
    closed_at = fields.AwareDateTime(allow_none=True)
    updated_by_id = fields.Integer(allow_none=True)
    migrant = fields.Nested(MigrantSummarySchema)
    assignee = fields.Nested(PersonSchema, allow_none=True)
    tasks = fields.List(fields.Nested(TaskSchema))
    notes = fields.List(fields.Nested(NoteSchema))
    allowed_transitions = fields.List(fields.String())
    legal_hold = fields.Boolean()
    legal_hold_reason = fields.String(allow_none=True)
    legal_hold_by_id = fields.Integer(allow_none=True)
    legal_hold_at = fields.AwareDateTime(allow_none=True)
    anonymised_at = fields.AwareDateTime(allow_none=True)


class CaseListQuerySchema(PageQuerySchema):
    status = fields.Enum(CaseStatus, by_value=True)
    category = fields.Enum(CaseCategory, by_value=True)
    priority = fields.Enum(Priority, by_value=True)
    assignee_id = fields.Integer(validate=ID_RANGE)
    migrant_id = fields.Integer(validate=ID_RANGE)



# --- staff pages: the same rules as the API, plus the version the page was rendered with ----

class NoteFormSchema(NoteCreateSchema):
    version = fields.Integer(required=True)


class TaskFormSchema(TaskCreateSchema):
    version = fields.Integer(required=True)


class TaskDoneFormSchema(Schema):
    # The task list sends no version: marking a task done cannot undo anyone's edit.
    version = fields.Integer()


_ONE_OF = "Must be one of: {choices}."


class CaseFilterSchema(Schema):
    """The case list's filters; `q` is free text (a name, phone, document or case number)."""

    status = fields.Enum(CaseStatus, by_value=True)
    category = fields.Enum(CaseCategory, by_value=True)
    priority = fields.Enum(Priority, by_value=True)
    assignee = fields.String(validate=validate.Regexp(
        r"^(me|unassigned|\d{1,9})\Z", error="Must be one of: me, unassigned, a colleague."))
    due = fields.String(validate=validate.OneOf(["overdue", "today"], error=_ONE_OF))
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String(validate=validate.OneOf(["priority", "updated"], error=_ONE_OF),
                         load_default="priority")
    page = fields.Integer(validate=validate.Range(min=1, error="Not a valid integer."),
                          load_default=1)
