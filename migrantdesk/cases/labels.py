"""What staff read for the stored codes of a case: categories, statuses, priorities and fact
names in the interface language. Unknown codes fall back to the code itself, never to a crash."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from migrantdesk.cases.facts import CaseCategory
from migrantdesk.cases.models import CaseStatus, Priority

CATEGORY_LABELS: dict[str, Any] = {
    CaseCategory.MOBILISATION_NOTICE: _l("Mobilisation notice"),
    CaseCategory.MILITARY_CONTRACT_PRESSURE: _l("Pressure to sign a military contract"),
    CaseCategory.FOREIGN_SERVICE_PROSECUTION_RISK: _l("Prosecution risk for foreign service"),
    CaseCategory.DUAL_CITIZENSHIP_RISK: _l("Dual citizenship risk"),
    CaseCategory.DEPARTURE_BLOCKED: _l("Departure blocked"),
    CaseCategory.STAY_LIMIT_OVERRUN: _l("Stay limit overrun"),
    CaseCategory.RUID_QR_ENTRY: _l("RUID / QR-code entry"),
    CaseCategory.BIOMETRIC_DATA: _l("Biometric data"),
    CaseCategory.ENTRY_REFUSAL_OR_EXPULSION: _l("Entry refusal or expulsion"),
    CaseCategory.FORGED_DOCUMENTS: _l("Forged documents"),
    CaseCategory.EU_DEPORTATION: _l("Deportation from the EU"),
    CaseCategory.IRREGULAR_RECRUITMENT: _l("Irregular recruitment"),
    CaseCategory.ASYLUM_ABROAD: _l("Asylum abroad"),
    CaseCategory.US_ENTRY_RESTRICTION: _l("US entry restriction"),
    CaseCategory.REMITTANCE_INTERRUPTION: _l("Remittances interrupted"),
    CaseCategory.DISCRIMINATION_POLICE_ABUSE: _l("Discrimination or police abuse"),
    CaseCategory.DETENTION_ABROAD: _l("Detention abroad"),
    CaseCategory.WAGE_LABOUR_DISPUTE: _l("Wage or labour dispute"),
    CaseCategory.DOCUMENT_STATUS: _l("Document status"),
    CaseCategory.EXTREMIST_RECRUITMENT_APPROACH: _l("Extremist recruitment approach"),
    CaseCategory.INFORMATION_REQUEST: _l("Information request"),
}

STATUS_LABELS: dict[str, Any] = {
    CaseStatus.NEW: _l("New"),
    CaseStatus.IN_PROGRESS: _l("In progress"),
    CaseStatus.WAITING: _l("Waiting"),
    CaseStatus.RESOLVED: _l("Resolved"),
    CaseStatus.CLOSED: _l("Closed"),
}

# A status button names the move, not the state: "Reopen" reads better than "In progress".
TRANSITION_LABELS: dict[tuple[str, str], Any] = {
    (CaseStatus.NEW, CaseStatus.IN_PROGRESS): _l("Start work"),
    (CaseStatus.WAITING, CaseStatus.IN_PROGRESS): _l("Resume work"),
    (CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS): _l("Reopen"),
    (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS): _l("Reopen"),
    (CaseStatus.IN_PROGRESS, CaseStatus.WAITING): _l("Put on hold"),
}
TARGET_LABELS: dict[str, Any] = {
    CaseStatus.RESOLVED: _l("Mark resolved"),
    CaseStatus.CLOSED: _l("Close"),
}

PRIORITY_LABELS: dict[str, Any] = {
    Priority.LOW: _l("Low"),
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
    Priority.URGENT: _l("Urgent"),
}

FACT_LABELS: dict[str, Any] = {
    "received_on": _l("Notice received on"),
    "issuing_office": _l("Issuing office"),
    "delivery": _l("How it was delivered"),
    "appear_by": _l("Must appear by (local time)"),
    "anything_signed": _l("Something was signed"),
    "what_was_signed": _l("What was signed"),
    "scan_attached": _l("Scan or photo received"),
    "recruiter_type": _l("Who is pressing"),
    "inducement": _l("What was promised or threatened"),
    "papers_signed": _l("Papers were signed"),
    "witnesses": _l("Witnesses"),
    "status": _l("Status"),
    "service_from": _l("Service from"),
    "service_to": _l("Service until"),
    "origin_article": _l("Article of the home country's code"),
    "has_origin_passport": _l("Has a home-country passport"),
    "has_russian_passport": _l("Has a Russian passport"),
    "second_citizenship": _l("Second citizenship"),
    "second_citizenship_on": _l("Second citizenship acquired on"),
    "ru_military_registered": _l("On the Russian military register"),
    "route": _l("Route"),
    "wanted_date": _l("Wanted travel date"),
    "carrier": _l("Carrier"),
    "price": _l("Price"),
    "currency": _l("Currency"),
    "obstacle": _l("Obstacle"),
    "entry_date": _l("Entry date"),
    "exit_date": _l("Exit date"),
    "days_used": _l("Days used"),
    "stay_basis": _l("Basis of stay"),
    "travel_date": _l("Travel date"),
    "applied_at": _l("Applied at"),
    "app_status": _l("Application status"),
    "crossing_point": _l("Border crossing point"),
    "place": _l("Place"),
    "taken_on": _l("Taken on"),
    "problem": _l("Problem"),
    "decision_type": _l("Type of decision"),
    "authority": _l("Authority"),
    "decided_on": _l("Decided on"),
    "ban_years": _l("Ban (years)"),
    "appeal_by": _l("Appeal by"),
    "document_kind": _l("Kind of document"),
    "issuer": _l("Issuing authority"),
    "supplied_by": _l("Supplied by"),
    "state": _l("State"),
    "group_size": _l("Group size"),
    "employer": _l("Employer"),
    "return_date": _l("Return date"),
    "agency": _l("Agency"),
    "fees_paid": _l("Fees paid"),
    "promised_job": _l("Job promised"),
    "actual_job": _l("Actual job"),
    "asylum_country": _l("Country of asylum"),
    "stage": _l("Stage"),
    "decision": _l("Decision"),
    "applied_on": _l("Applied on"),
    "visa_type": _l("Visa type"),
    "visa_expires_on": _l("Visa expires on"),
    "overstay_days": _l("Days of overstay"),
    "plan": _l("Plan"),
    "amount": _l("Amount"),
    "channel": _l("Channel"),
    "bank": _l("Bank"),
    "what_failed": _l("What failed"),
    "since": _l("Since"),
    "cause": _l("Cause"),
    "dependants": _l("Dependants"),
    "occurred_on": _l("Occurred on"),
    "abuse_type": _l("Type of abuse"),
    "facility": _l("Facility"),
    "charges": _l("Charges"),
    "has_lawyer": _l("Has a lawyer"),
    "consular_visits": _l("Consular visits"),
    "torture_alleged": _l("Torture alleged"),
    "detained_on": _l("Detained on"),
    "has_contract": _l("Has a contract"),
    "amount_owed": _l("Amount owed"),
    "period_from": _l("Period from"),
    "period_to": _l("Period until"),
    "number": _l("Number"),
    "expires_on": _l("Expires on"),
    "approached_on": _l("Approached on"),
    "approach_channel": _l("Channel of approach"),
    "referred_to": _l("Referred to"),
    "referred_on": _l("Referred on"),
    "topic": _l("Topic"),
    "language": _l("Language"),
    "leaflet_sent": _l("Leaflet sent"),
}


def _label(labels: dict[str, Any], code: Any) -> str:
    found = labels.get(str(code))
    return str(found) if found is not None else str(code).replace("_", " ")


def category_label(code: Any) -> str:
    return _label(CATEGORY_LABELS, code)


def status_label(code: Any) -> str:
    return _label(STATUS_LABELS, code)


def priority_label(code: Any) -> str:
    return _label(PRIORITY_LABELS, code)


def fact_label(key: str) -> str:
    return _label(FACT_LABELS, key)


def transition_label(current: Any, target: Any) -> str:
    found = TRANSITION_LABELS.get((str(current), str(target))) or TARGET_LABELS.get(str(target))
    return str(found) if found is not None else status_label(target)
