"""Names of categories, statuses and other keys as managers read them, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "mobilisation_notice": _l("Mobilisation or enlistment notice"),
    "military_contract_pressure": _l("Pressure to sign a military contract"),
    "foreign_service_prosecution_risk": _l("Prosecution risk for foreign military service"),
    "dual_citizenship_risk": _l("Dual citizenship risk"),
    "departure_blocked": _l("Departure blocked"),
    "stay_limit_overrun": _l("Stay limit overrun"),
    "ruid_qr_entry": _l("RUID / QR entry registration"),
    "biometric_data": _l("Biometric data"),
    "entry_refusal_or_expulsion": _l("Entry refusal or expulsion"),
    "forged_documents": _l("Forged documents"),
    "eu_deportation": _l("Deportation from the EU"),
    "irregular_recruitment": _l("Irregular recruitment"),
    "asylum_abroad": _l("Asylum abroad"),
    "us_entry_restriction": _l("US entry restriction"),
    "remittance_interruption": _l("Remittance interruption"),
    "discrimination_police_abuse": _l("Discrimination or police abuse"),
    "detention_abroad": _l("Detention abroad"),
    "wage_labour_dispute": _l("Wage or labour dispute"),
    "document_status": _l("Document problem"),
    "extremist_recruitment_approach": _l("Extremist recruitment approach"),
    "information_request": _l("Information request"),
}

STATUS_LABELS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "waiting": _l("Waiting"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}

DOCUMENT_LABELS = {
    "national_passport": _l("National passport"),
    "foreign_passport": _l("Foreign passport"),
    "russian_passport": _l("Russian passport"),
    "work_patent": _l("Work patent"),
    "registration": _l("Registration"),
    "residence_permit": _l("Residence permit"),
    "migration_card": _l("Migration card"),
}

CHANNEL_LABELS = {
    "bank_transfer": _l("Bank transfer"),
    "money_transfer_system": _l("Money transfer system"),
    "card": _l("Card"),
    "cash_courier": _l("Cash courier"),
}

UNKNOWN = _l("Not recorded")
OTHER = _l("Other")


def label(labels: dict, key: str | None) -> str:
    if key is None:
        return str(UNKNOWN)
    found = labels.get(key)
    return str(found) if found is not None else key
