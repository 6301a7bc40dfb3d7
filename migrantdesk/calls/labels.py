"""Translated names for what the hotline screen shows from the data: the choices of the facts,
call outcomes, guidance statuses. Categories and facts are named in cases.labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHOICE_LABELS = {
    "in_person": _l("In person"),
    "by_post": _l("By post"),
    "at_work": _l("At work"),
    "via_employer": _l("Through the employer"),
    "electronic": _l("Electronically"),
    "other": _l("Other"),
    "recruitment_office": _l("Recruitment office"),
    "private_military_company": _l("Private military company"),
    "employer": _l("Employer"),
    "police": _l("Police"),
    "considering": _l("Considering"),
    "signed_up": _l("Signed up"),
    "serving": _l("Serving"),
    "left_service": _l("Left the service"),
    "charged": _l("Charged"),
    "sold_out": _l("Tickets sold out"),
    "too_expensive": _l("Too expensive"),
    "exit_permit_rumour": _l("Rumour of an exit permit"),
    "documents": _l("Documents"),
    "visa_free": _l("Visa-free"),
    "labour_contract": _l("Labour contract"),
    "patent": _l("Work patent"),
    "eaeu_worker": _l("EAEU worker"),
    "not_applied": _l("Not applied"),
    "pending": _l("Pending"),
    "issued": _l("Code issued"),
    "rejected": _l("Rejected"),
    "app_error": _l("App error"),
    "entry_refusal": _l("Entry refusal"),
    "expulsion": _l("Administrative expulsion"),
    "deportation": _l("Deportation"),
    "re_entry_ban": _l("Re-entry ban"),
    "applied": _l("Applied"),
    "interviewed": _l("Interviewed"),
    "decided": _l("Decided"),
    "appeal": _l("Appeal"),
    "removal_pending": _l("Removal pending"),
    "granted": _l("Granted"),
    "subsidiary_protection": _l("Subsidiary protection"),
    "refused": _l("Refused"),
    "withdrawn": _l("Withdrawn"),
    "business_tourist": _l("Business or tourist"),
    "student_exchange": _l("Student or exchange"),
    "work": _l("Work"),
    "immigrant": _l("Immigrant"),
    "bank_transfer": _l("Bank transfer"),
    "money_transfer_system": _l("Money transfer system"),
    "card": _l("Card"),
    "cash_courier": _l("Cash courier"),
    "racism": _l("Racism"),
    "extortion": _l("Extortion"),
    "raid": _l("Raid"),
    "violence": _l("Violence"),
    "denial_of_service": _l("Denial of service"),
    "national_passport": _l("National passport"),
    "foreign_passport": _l("Passport for travel abroad"),
    "russian_passport": _l("Russian passport"),
    "work_patent": _l("Work patent"),
    "registration": _l("Registration"),
    "residence_permit": _l("Residence permit"),
    "migration_card": _l("Migration card"),
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "lost": _l("Lost"),
    "confiscated": _l("Confiscated"),
    "suspected_forged": _l("Suspected forged"),
    "messenger": _l("Messenger"),
    "social_media": _l("Social media"),
    "workplace": _l("Workplace"),
}

OUTCOME_LABELS = {
    "advice_given": _l("Advice given"),
    "case_opened": _l("Case opened"),
    "case_updated": _l("Case updated"),
    "call_back_needed": _l("Call back needed"),
    "referred": _l("Referred elsewhere"),
    "no_action": _l("No action needed"),
    "dropped": _l("Call dropped"),
}

VERIFICATION_LABELS = {
    "confirmed": _l("confirmed"),
    "reported": _l("reported, one source"),
    "needs_verification": _l("needs verification"),
}

RISK_LABELS = {"low": _l("low"), "medium": _l("medium"), "high": _l("high")}

STANCE_LABELS = {
    "recognised": _l("recognised"),
    "treaty": _l("allowed by treaty"),
    "tolerated": _l("tolerated"),
    "prohibited": _l("prohibited"),
    "penalised": _l("penalised"),
}

CONSENT_LABELS = {
    "case_handling": _l("Handling their case"),
    "call_back": _l("Calling them back"),
    "sharing_with_lawyer": _l("Sharing with a lawyer"),
    "statistics": _l("Anonymous statistics"),
}
