"""Case categories and the typed facts each category records (seed-facts §2).

A hotline call is logged in seconds and the facts are filled in later, so every fact is
optional; what is given must have the right type. `validate_facts` returns a JSON-ready dict
for `Case.facts`. Messages are plain English: this module runs without an app context.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from migrantdesk.core.errors import ValidationFailed


class CaseCategory(StrEnum):
    MOBILISATION_NOTICE = "mobilisation_notice"
    MILITARY_CONTRACT_PRESSURE = "military_contract_pressure"
    FOREIGN_SERVICE_PROSECUTION_RISK = "foreign_service_prosecution_risk"
    DUAL_CITIZENSHIP_RISK = "dual_citizenship_risk"
    DEPARTURE_BLOCKED = "departure_blocked"
    STAY_LIMIT_OVERRUN = "stay_limit_overrun"
    RUID_QR_ENTRY = "ruid_qr_entry"
    BIOMETRIC_DATA = "biometric_data"
    ENTRY_REFUSAL_OR_EXPULSION = "entry_refusal_or_expulsion"
    FORGED_DOCUMENTS = "forged_documents"
    EU_DEPORTATION = "eu_deportation"
    IRREGULAR_RECRUITMENT = "irregular_recruitment"
    ASYLUM_ABROAD = "asylum_abroad"
    US_ENTRY_RESTRICTION = "us_entry_restriction"
    REMITTANCE_INTERRUPTION = "remittance_interruption"
    DISCRIMINATION_POLICE_ABUSE = "discrimination_police_abuse"
    DETENTION_ABROAD = "detention_abroad"
    WAGE_LABOUR_DISPUTE = "wage_labour_dispute"
    DOCUMENT_STATUS = "document_status"
    EXTREMIST_RECRUITMENT_APPROACH = "extremist_recruitment_approach"
    INFORMATION_REQUEST = "information_request"


# Cases whose people may be endangered by exposure (seed-facts §1.12): stricter small-cell
# suppression in exports and restricted visibility.
SENSITIVE_CATEGORIES: frozenset[CaseCategory] = frozenset({
    CaseCategory.MOBILISATION_NOTICE,
    CaseCategory.MILITARY_CONTRACT_PRESSURE,
    CaseCategory.FOREIGN_SERVICE_PROSECUTION_RISK,
    CaseCategory.DETENTION_ABROAD,
    CaseCategory.ASYLUM_ABROAD,
    CaseCategory.EXTREMIST_RECRUITMENT_APPROACH,
})

LANGUAGE_TAGS = ("ky", "ru", "uz-Latn", "uz-Cyrl", "tg", "kk", "tk", "en")


# --- field helpers: every fact is optional, and null means "not known" -----------------------

def _latest_today() -> date:
    # The calendar date somewhere on Earth (UTC+14) may already be tomorrow in UTC: a consulate
    # east of Greenwich must be able to record "today" at any hour.
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def _not_future(value: date | datetime) -> None:
    if isinstance(value, datetime):
        if value > datetime.now(UTC) + timedelta(minutes=5):
            raise ValidationError("Must not be in the future.")
    elif value > _latest_today():
        raise ValidationError("Must not be in the future.")


def _text(max_length: int = 200) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=max_length))


def _choice(*choices: str) -> fields.String:
    return fields.String(allow_none=True, validate=validate.OneOf(choices))


def _day(*, past: bool = False) -> fields.Date:
    return fields.Date(allow_none=True, validate=_not_future if past else None)


def _moment(*, past: bool = False) -> fields.AwareDateTime:
    return fields.AwareDateTime(allow_none=True, validate=_not_future if past else None)


def _flag() -> fields.Boolean:
    return fields.Boolean(allow_none=True)


def _count(minimum: int = 0, maximum: int | None = None) -> fields.Integer:
    # strict: 2.5 people or "3" days is a client bug, not something to round silently.
    return fields.Integer(strict=True, allow_none=True,
                          validate=validate.Range(min=minimum, max=maximum))


def _money() -> fields.Decimal:
    return fields.Decimal(places=2, as_string=True, allow_none=True,
                          validate=validate.Range(min=0, min_inclusive=False))


def _currency() -> fields.String:
    return fields.String(allow_none=True, validate=validate.Regexp(
        r"^[A-Z]{3}\Z", error="Must be an ISO 4217 code of three capital letters."))


def _country() -> fields.String:
    return fields.String(allow_none=True, validate=validate.Regexp(
        r"^[A-Z]{2}\Z", error="Must be an ISO 3166-1 alpha-2 code of two capital letters."))


class FactsSchema(Schema):
    """Base for every category's facts; unknown keys are rejected (marshmallow's RAISE)."""

    # (earlier, later) pairs: `later` must not fall before `earlier` when both are given.
    date_order: ClassVar[tuple[tuple[str, str], ...]] = ()

    @validates_schema
    def check_date_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = {later: [f"Must not be before {earlier}."]
                  for earlier, later in self.date_order
                  if data.get(earlier) is not None and data.get(later) is not None
                  and data[later] < data[earlier]}
        if errors:
            raise ValidationError(errors)


# --- one schema per category, in the order of seed-facts §2 ---------------------------------

class MobilisationNoticeFacts(FactsSchema):
    received_on = _day(past=True)
    issuing_office = _text()
    delivery = _choice("in_person", "by_post", "at_work", "via_employer", "electronic", "other")
    appear_by = _moment()
    anything_signed = _flag()
    what_was_signed = _text(1000)
    scan_attached = _flag()


class MilitaryContractPressureFacts(FactsSchema):
    recruiter_type = _choice("recruitment_office", "private_military_company", "employer",
                             "police", "other")
    inducement = _text(1000)
    papers_signed = _flag()
    witnesses = _text(500)


class ForeignServiceProsecutionRiskFacts(FactsSchema):
    date_order = (("service_from", "service_to"),)

    status = _choice("considering", "signed_up", "serving", "left_service", "charged")
    service_from = _day()
    service_to = _day()
    origin_article = _text(100)


class DualCitizenshipRiskFacts(FactsSchema):
    has_origin_passport = _flag()
    has_russian_passport = _flag()
    second_citizenship = _country()
    second_citizenship_on = _day(past=True)
    ru_military_registered = _flag()


class DepartureBlockedFacts(FactsSchema):
    route = _text()
    wanted_date = _day()
    carrier = _text()
    price = _money()
    currency = _currency()
    obstacle = _choice("sold_out", "too_expensive", "exit_permit_rumour", "documents", "other")


class StayLimitOverrunFacts(FactsSchema):
    date_order = (("entry_date", "exit_date"),)

    entry_date = _day()
    exit_date = _day()
    days_used = _count(0, 366)
    stay_basis = _choice("visa_free", "labour_contract", "patent", "eaeu_worker", "other")


class RuidQrEntryFacts(FactsSchema):
    travel_date = _day()
    applied_at = _moment(past=True)
    app_status = _choice("not_applied", "pending", "issued", "rejected", "app_error")
    crossing_point = _text()


class BiometricDataFacts(FactsSchema):
    place = _text()
    taken_on = _day(past=True)
    problem = _text(1000)


class EntryRefusalOrExpulsionFacts(FactsSchema):
    date_order = (("decided_on", "appeal_by"),)

    decision_type = _choice("entry_refusal", "expulsion", "deportation", "re_entry_ban")
    authority = _text()
    decided_on = _day(past=True)
    ban_years = _count(0, 50)
    appeal_by = _day()


class ForgedDocumentsFacts(FactsSchema):
    document_kind = _text(100)
    issuer = _text()
    supplied_by = _text()


class EuDeportationFacts(FactsSchema):
    date_order = (("decided_on", "return_date"),)

    state = _country()
    decided_on = _day(past=True)
    group_size = _count(1)
    employer = _text()
    return_date = _day()


class IrregularRecruitmentFacts(FactsSchema):
    agency = _text()
    fees_paid = _money()
    currency = _currency()
    promised_job = _text(500)
    actual_job = _text(500)


class AsylumAbroadFacts(FactsSchema):
    date_order = (("applied_on", "decided_on"),)

    asylum_country = _country()
    stage = _choice("considering", "applied", "interviewed", "decided", "appeal",
                    "removal_pending")
    decision = _choice("pending", "granted", "subsidiary_protection", "refused", "withdrawn")
    applied_on = _day(past=True)
    decided_on = _day(past=True)


class UsEntryRestrictionFacts(FactsSchema):
    visa_type = _choice("business_tourist", "student_exchange", "work", "immigrant", "other")
    visa_expires_on = _day()
    overstay_days = _count(0)
    plan = _text(500)


class RemittanceInterruptionFacts(FactsSchema):
    amount = _money()
    currency = _currency()
    channel = _choice("bank_transfer", "money_transfer_system", "card", "cash_courier", "other")
    bank = _text()
    what_failed = _text(500)
    since = _day(past=True)
    cause = _text(500)
    dependants = _count(0)


class DiscriminationPoliceAbuseFacts(FactsSchema):
    occurred_on = _day(past=True)
    place = _text()
    authority = _text()
    abuse_type = _choice("racism", "extortion", "raid", "violence", "denial_of_service",
                         "other")
    witnesses = _text(500)


class DetentionAbroadFacts(FactsSchema):
    facility = _text()
    charges = _text(500)
    has_lawyer = _flag()
    consular_visits = _count(0)
    torture_alleged = _flag()
    detained_on = _day(past=True)


class WageLabourDisputeFacts(FactsSchema):
    date_order = (("period_from", "period_to"),)

    employer = _text()
    has_contract = _flag()
    amount_owed = _money()
    currency = _currency()
    period_from = _day()
    period_to = _day()


class DocumentStatusFacts(FactsSchema):
    document_kind = _choice("national_passport", "foreign_passport", "russian_passport",
                            "work_patent", "registration", "residence_permit", "migration_card")
    number = _text(50)
    expires_on = _day()
    issuer = _text()
    status = _choice("valid", "expired", "lost", "confiscated", "suspected_forged")


class ExtremistRecruitmentApproachFacts(FactsSchema):
    """Restricted and referral only: no free text about the group or the people approached."""

    date_order = (("approached_on", "referred_on"),)

    approached_on = _day(past=True)
    approach_channel = _choice("in_person", "messenger", "social_media", "workplace", "other")
    referred_to = _text()
    referred_on = _day(past=True)


class InformationRequestFacts(FactsSchema):
    topic = _text()
    language = _choice(*LANGUAGE_TAGS)
    leaflet_sent = _flag()


FACT_SCHEMAS: dict[CaseCategory, type[Schema]] = {
    CaseCategory.MOBILISATION_NOTICE: MobilisationNoticeFacts,
    CaseCategory.MILITARY_CONTRACT_PRESSURE: MilitaryContractPressureFacts,
    CaseCategory.FOREIGN_SERVICE_PROSECUTION_RISK: ForeignServiceProsecutionRiskFacts,
    CaseCategory.DUAL_CITIZENSHIP_RISK: DualCitizenshipRiskFacts,
    CaseCategory.DEPARTURE_BLOCKED: DepartureBlockedFacts,
    CaseCategory.STAY_LIMIT_OVERRUN: StayLimitOverrunFacts,
    CaseCategory.RUID_QR_ENTRY: RuidQrEntryFacts,
    CaseCategory.BIOMETRIC_DATA: BiometricDataFacts,
    CaseCategory.ENTRY_REFUSAL_OR_EXPULSION: EntryRefusalOrExpulsionFacts,
    CaseCategory.FORGED_DOCUMENTS: ForgedDocumentsFacts,
    CaseCategory.EU_DEPORTATION: EuDeportationFacts,
    CaseCategory.IRREGULAR_RECRUITMENT: IrregularRecruitmentFacts,
    CaseCategory.ASYLUM_ABROAD: AsylumAbroadFacts,
    CaseCategory.US_ENTRY_RESTRICTION: UsEntryRestrictionFacts,
    CaseCategory.REMITTANCE_INTERRUPTION: RemittanceInterruptionFacts,
    CaseCategory.DISCRIMINATION_POLICE_ABUSE: DiscriminationPoliceAbuseFacts,
    CaseCategory.DETENTION_ABROAD: DetentionAbroadFacts,
    CaseCategory.WAGE_LABOUR_DISPUTE: WageLabourDisputeFacts,
    CaseCategory.DOCUMENT_STATUS: DocumentStatusFacts,
    CaseCategory.EXTREMIST_RECRUITMENT_APPROACH: ExtremistRecruitmentApproachFacts,
    CaseCategory.INFORMATION_REQUEST: InformationRequestFacts,
}


def _category(category: CaseCategory | str) -> CaseCategory:
    try:
        return CaseCategory(category)
    except ValueError:
        choices = ", ".join(CaseCategory)
        raise ValidationFailed("Unknown case category.",
                               {"category": [f"Unknown category; one of: {choices}."]}) from None


@cache
def _schema(category: CaseCategory) -> Schema:
    return FACT_SCHEMAS[category]()


def validate_facts(category: CaseCategory | str, facts: dict[str, Any] | None) -> dict[str, Any]:
    """Check `facts` against the category's schema and return them ready for a JSON column:
    dates and datetimes as ISO strings, amounts as strings, only the keys given (a key given
    as null is dropped). Raises ValidationFailed with per-field messages under "facts"."""
    schema = _schema(_category(category))
    try:
        loaded = schema.load(facts or {})
    except ValidationError as error:
        raise ValidationFailed("The case facts are invalid.", {"facts": error.messages}) from None
    return {key: value for key, value in schema.dump(loaded).items() if value is not None}


@cache
def free_text_facts(category: CaseCategory | str) -> frozenset[str]:
    """The facts of a category that are free text, where anything (names, addresses, numbers)
    may be written; choices, dates, flags, counts, amounts and country codes are not."""
    schema = _schema(_category(category))
    closed = (validate.OneOf, validate.Regexp)
    return frozenset(name for name, field in schema.fields.items()
                     if isinstance(field, fields.String)
                     and not any(isinstance(rule, closed) for rule in field.validators))


def merge_facts(category: CaseCategory | str, current: dict[str, Any] | None,
                changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update to stored facts (a key set to None removes it) and return the
    validated result; the whole merged record is checked, so cross-field rules still hold."""
    # Nulls reach the schema, so a misspelt key is rejected even when it is being cleared;
    # validate_facts then drops them from the stored record.
    return validate_facts(category, {**(current or {}), **changes})
