"""Demo cases and calls: category weights per origin state, raw facts per category as a
caller reports them (passed through validate_facts), and the case and call rows."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from migrantdesk.calls.models import CallDirection
from migrantdesk.cases.facts import LANGUAGE_TAGS, SENSITIVE_CATEGORIES, validate_facts
from migrantdesk.cases.facts import CaseCategory as C
from migrantdesk.cases.models import CaseStatus, Priority
from migrantdesk.demo.people import Site, document, pick
from migrantdesk.migrants.models import DocumentKind, DocumentStatus

# --- cases: weight, origin states (None: all), host countries (None: the office's), summary --

_CATEGORIES: dict[C, tuple[float, str | None, str | None, str]] = {
    C.DOCUMENT_STATUS: (18, None, None, "Passport or permit lost, expired or held by employer"),
    C.STAY_LIMIT_OVERRUN: (13, "KG UZ TJ KZ", None, "Over 90 visa-free days this calendar year"),
    C.WAGE_LABOUR_DISPUTE: (13, None, None, "Employer has not paid wages for months"),
    C.REMITTANCE_INTERRUPTION: (10, "KG UZ TJ", None, "Cannot send money home to the family"),
    C.INFORMATION_REQUEST: (9, None, None, "Asks about stay rules; leaflet requested"),
    C.RUID_QR_ENTRY: (5, None, None, "RuID QR code not issued before the trip"),
    C.ENTRY_REFUSAL_OR_EXPULSION: (5, None, None, "Expulsion or re-entry ban; asks about appeal"),
    C.DISCRIMINATION_POLICE_ABUSE: (5, None, None, "Document check turned into extortion"),
    C.MOBILISATION_NOTICE: (4, None, None, "Summons from an enlistment office; must he report?"),
    C.MILITARY_CONTRACT_PRESSURE: (3, None, None, "Pressed to sign a military contract"),
    C.DUAL_CITIZENSHIP_RISK: (3, "KG TJ", None, "Holds both passports; asks about both codes"),
    C.BIOMETRIC_DATA: (3, None, None, "Problem with biometrics taken at entry"),
    C.DEPARTURE_BLOCKED: (2, None, None, "Cannot leave: tickets sold out or far dearer"),
    C.DETENTION_ABROAD: (2, None, None, "Detained; family asks for a consular visit"),
    C.FOREIGN_SERVICE_PROSECUTION_RISK: (1, "KG UZ", None, "Asks about prosecution at home"),
    C.IRREGULAR_RECRUITMENT: (1, None, "CZ PL FI LT", "Agency job abroad is not the one promised"),
    C.FORGED_DOCUMENTS: (0.5, "UZ", "FI", "Training certificate alleged to be forged"),
    C.EU_DEPORTATION: (0.5, "UZ TJ", "FI DE", "Removed from an EU state with co-workers"),
    C.ASYLUM_ABROAD: (0.5, "TJ", "DE LT PL", "Asylum application abroad"),
    C.US_ENTRY_RESTRICTION: (0.5, "KG TM", "US", "US visa hit by entry restrictions"),
    C.EXTREMIST_RECRUITMENT_APPROACH: (0.5, None, None, "Reported an approach; referred"),
}
MILITARY = {C.MOBILISATION_NOTICE, C.MILITARY_CONTRACT_PRESSURE,
             C.FOREIGN_SERVICE_PROSECUTION_RISK}


def category_weights(origin: str) -> dict[str, float]:
    return {str(code): weight for code, (weight, origins, _, _) in _CATEGORIES.items()
            if origins is None or origin in origins.split()}


class Context(NamedTuple):
    """What a case's facts may refer to."""

    opened_at: datetime
    now: datetime
    origin: str
    city: str
    language: str | None = None
    document: dict[str, Any] | None = None
    dual_since: date | None = None
    host: str | None = None  # set by case_row

    @property
    def opened(self) -> date:
        return self.opened_at.date()


def _iso(day: date, hour: int | None = None) -> str:
    moment = day if hour is None else datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return moment.isoformat()


def _money(rng: random.Random, low: int, high: int) -> str:
    return f"{rng.randrange(low, high, 500)}.00"


def _ago(r: random.Random, c: Context, low: int, high: int) -> date:
    return c.opened - timedelta(days=r.randint(low, high))


def _later(r: random.Random, day: date, low: int, high: int, cap: date) -> date:
    return min(day + timedelta(days=r.randint(low, high)), cap)


def _stay_facts(r: random.Random, c: Context) -> dict[str, Any]:
    entry = _ago(r, c, 95, 200)
    exit_on = _later(r, entry, 91, 200, c.opened) if r.random() < 0.3 else None
    return {"entry_date": _iso(entry), "exit_date": exit_on and _iso(exit_on),
            "days_used": min(((exit_on or c.opened) - entry).days, 366),
            "stay_basis": r.choice(("visa_free", "visa_free", "labour_contract", "patent"))}


def _document_facts(r: random.Random, c: Context) -> dict[str, Any]:
    held = c.document or document(r, DocumentKind.FOREIGN_PASSPORT, c.origin, c.opened)
    return {"document_kind": str(held["kind"]), "number": held["number"],
            "expires_on": _iso(held["expires_on"]), "issuer": held["issuing_country"],
            "status": held["status"] if held["status"] != DocumentStatus.VALID
            else r.choice(("lost", "confiscated", "valid"))}


def _asylum_facts(r: random.Random, c: Context) -> dict[str, Any]:
    applied = _ago(r, c, 30, 700)
    decided = _later(r, applied, 60, 500, c.opened) if r.random() < 0.5 else None
    return {"asylum_country": c.host, "applied_on": _iso(applied),
            "stage": "decided" if decided else r.choice(("applied", "interviewed")),
            "decision": r.choice(("refused", "granted")) if decided else "pending",
            "decided_on": decided and _iso(decided)}


def _dated_pair(r: random.Random, c: Context, first: str, second: str, low: int, high: int,
                gap: tuple[int, int]) -> dict[str, str]:
    start = _ago(r, c, low, high)
    return {first: _iso(start), second: _iso(_later(r, start, *gap, c.opened))}


# Raw facts per category as a caller reports them; case_row passes them through validate_facts.
FACTS: dict[C, Callable[[random.Random, Context], dict[str, Any]]] = {
    C.MOBILISATION_NOTICE: lambda r, c: {
        "received_on": _iso(_ago(r, c, 0, 14)), "issuing_office": f"Enlistment office, {c.city}",
        "delivery": r.choice(("in_person", "at_work", "via_employer", "electronic")),
        "appear_by": _iso(c.opened + timedelta(days=r.randint(2, 9)), 6),
        "anything_signed": r.random() < 0.3, "scan_attached": r.random() < 0.6},
    C.MILITARY_CONTRACT_PRESSURE: lambda r, c: {
        "recruiter_type": r.choice(("recruitment_office", "private_military_company", "employer",
                               "police")),
        "inducement": r.choice(("Offered fast-track citizenship for a one-year contract",
                           "Told an administrative offence would be dropped if he signs",
                           "Promised a large sign-up bonus")),
        "papers_signed": r.random() < 0.15, "witnesses": r.choice(("Two co-workers", None))},
    C.FOREIGN_SERVICE_PROSECUTION_RISK: lambda r, c: {
        "status": r.choice(("considering", "considering", "signed_up", "left_service")),
        "origin_article": "CC KG Art. 256" if c.origin == "KG" else None},
    C.DUAL_CITIZENSHIP_RISK: lambda r, c: {
        "has_origin_passport": True, "has_russian_passport": True, "second_citizenship": "RU",
        "second_citizenship_on": c.dual_since and _iso(c.dual_since),
        "ru_military_registered": r.random() < 0.4},
    C.DEPARTURE_BLOCKED: lambda r, c: {
        "route": f"{c.city} – {r.choice(('Bishkek', 'Osh', 'Tashkent', 'Dushanbe', 'Khujand'))}",
        "wanted_date": _iso(c.opened + timedelta(days=r.randint(2, 30))),
        "carrier": r.choice(("Aeroflot", "Ural Airlines", "Pobeda", "Bus operator")),
        "price": _money(r, 30000, 90000), "currency": "RUB",
        "obstacle": r.choice(("sold_out", "too_expensive", "documents", "exit_permit_rumour"))},
    C.STAY_LIMIT_OVERRUN: _stay_facts,
    C.RUID_QR_ENTRY: lambda r, c: {
        "travel_date": _iso(c.opened + timedelta(days=r.randint(1, 20))),
        "applied_at": _iso(_ago(r, c, 1, 5), 9),
        "app_status": r.choice(("pending", "rejected", "app_error")),
        "crossing_point": r.choice(("Sheremetyevo", "Vnukovo", "Kazan airport", "Koltsovo"))},
    C.BIOMETRIC_DATA: lambda r, c: {
        "place": r.choice(("Vnukovo airport", "Sakharovo migration centre", "Kazan airport")),
        "taken_on": _iso(_ago(r, c, 0, 120)),
        "problem": r.choice(("Fingerprints matched another person",
                        "Record missing; told to repeat at own cost"))},
    C.ENTRY_REFUSAL_OR_EXPULSION: lambda r, c: {
        "decision_type": r.choice(("entry_refusal", "expulsion", "re_entry_ban")),
        "authority": r.choice(("Ministry of Internal Affairs", "Border Service", "District court")),
        "ban_years": r.choice((3, 5, 10)),
        **_dated_pair(r, c, "decided_on", "appeal_by", 0, 30, (10, 10))},
    C.FORGED_DOCUMENTS: lambda r, c: {
        "document_kind": "Welding training certificate", "issuer": "Training centre, Tashkent",
        "supplied_by": "Recruitment agency"},
    C.EU_DEPORTATION: lambda r, c: {
        "state": c.host, "group_size": r.choice((1, 1, 12, 140)),
        "employer": r.choice(("Berry farm", None)),
        **_dated_pair(r, c, "decided_on", "return_date", 5, 60, (3, 40))},
    C.IRREGULAR_RECRUITMENT: lambda r, c: {
        "agency": r.choice(("EuroWork LLC", "Baltic Staffing", "Silk Road Jobs")),
        "fees_paid": _money(r, 500, 3000), "currency": "EUR",
        "promised_job": "Warehouse, 1,800 EUR a month", "actual_job": "Farm work, unpaid"},
    C.ASYLUM_ABROAD: _asylum_facts,
    C.US_ENTRY_RESTRICTION: lambda r, c: {
        "visa_type": r.choice(("business_tourist", "student_exchange", "work")),
        "visa_expires_on": _iso(c.opened + timedelta(days=r.randint(-200, 400))),
        "overstay_days": r.choice((0, 0, 15, 90)), "plan": "Leave before the visa expires"},
    C.REMITTANCE_INTERRUPTION: lambda r, c: {
        "amount": _money(r, 5000, 80000), "currency": "RUB",
        "channel": r.choice(("money_transfer_system", "bank_transfer", "card")),
        "what_failed": "Transfer rejected", "since": _iso(_ago(r, c, 0, 60)),
        "cause": r.choice(("Sanctions on the bank", "Lost job", "Card blocked")),
        "dependants": r.randint(0, 6)},
    C.DISCRIMINATION_POLICE_ABUSE: lambda r, c: {
        "occurred_on": _iso(_ago(r, c, 0, 20)), "place": f"Metro station, {c.city}",
        "authority": "Police patrol", "witnesses": r.choice((None, "Co-worker")),
        "abuse_type": r.choice(("extortion", "raid", "racism", "denial_of_service", "violence"))},
    C.DETENTION_ABROAD: lambda r, c: {
        "facility": r.choice(("Pre-trial detention centre", "Temporary detention centre")),
        "charges": r.choice(("Migration offence", None)), "has_lawyer": r.random() < 0.4,
        "consular_visits": r.randint(0, 2), "torture_alleged": r.random() < 0.05,
        "detained_on": _iso(_ago(r, c, 0, 40))},
    C.WAGE_LABOUR_DISPUTE: lambda r, c: {
        "employer": r.choice(("Construction contractor", "Warehouse", "Taxi fleet")),
        "has_contract": r.random() < 0.4, "amount_owed": _money(r, 20000, 300000),
        "currency": "RUB", **_dated_pair(r, c, "period_from", "period_to", 30, 200, (30, 120))},
    C.DOCUMENT_STATUS: _document_facts,
    C.EXTREMIST_RECRUITMENT_APPROACH: lambda r, c: {
        "approached_on": _iso(_ago(r, c, 0, 10)), "referred_to": "Competent authority",
        "approach_channel": r.choice(("messenger", "social_media", "workplace")),
        "referred_on": _iso(c.opened)},
    C.INFORMATION_REQUEST: lambda r, c: {
        "topic": r.choice(("90-day rule", "RuID QR code", "Patent fees", "Mobilisation",
                      "Sending money home")),
        "language": c.language or r.choice(LANGUAGE_TAGS), "leaflet_sent": r.random() < 0.5},
}

_CASE_STATUS = {"new": 15, "in_progress": 30, "waiting": 15, "resolved": 20, "closed": 20}


def case_row(rng: random.Random, site: Site, migrant_id: int, category: str, staff: list[int],
             context: Context) -> dict[str, Any]:
    """A case row whose facts passed validate_facts, with a status, priority and assignee."""
    code = C(category)
    _, _, hosts, summary = _CATEGORIES[code]
    host = rng.choice(hosts.split()) if hosts else site.host_country
    facts = validate_facts(code, FACTS[code](rng, context._replace(host=host)))
    status = CaseStatus(pick(rng, _CASE_STATUS))
    span = max(int((context.now - context.opened_at).total_seconds()), 1)
    updated = context.opened_at
    if status != CaseStatus.NEW:
        updated += timedelta(seconds=rng.randrange(span))
    priorities = ((Priority.HIGH, Priority.URGENT) if code in SENSITIVE_CATEGORIES
                  else (Priority.LOW, Priority.NORMAL, Priority.NORMAL, Priority.HIGH))
    return {
        "office_id": site.id, "migrant_id": migrant_id, "category": category,
        "host_country": host, "summary": summary, "facts": facts, "status": status,
        "priority": rng.choice(priorities),
        "assignee_id": None if status == CaseStatus.NEW and rng.random() < 0.5
        else rng.choice(staff),
        "opened_at": context.opened_at, "updated_at": updated,
        "closed_at": updated if status == CaseStatus.CLOSED else None,
        # Without drawing from rng, so the rest of the demo data stays as it was.
        "first_response_at": None if status == CaseStatus.NEW
        else context.opened_at + (updated - context.opened_at) / 4,
        "resolved_at": updated if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) else None}


def call_row(rng: random.Random, site: Site, operator_id: int, started: datetime,
             phone: str | None, language: str | None, summary: str,
             migrant_id: int | None = None, case_id: int | None = None) -> dict[str, Any]:
    outbound = case_id is not None and rng.random() < 0.3  # call-backs on open cases
    return {"office_id": site.id, "operator_id": operator_id, "started_at": started,
            "ended_at": started + timedelta(seconds=rng.randint(60, 1500)),
            "direction": CallDirection.OUTBOUND if outbound else CallDirection.INBOUND,
            "caller_phone": phone, "language": language if rng.random() < 0.6 else "ru",
            "summary": summary, "migrant_id": migrant_id, "case_id": case_id,
            "created_at": started}

