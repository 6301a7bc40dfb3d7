"""Names of categories, statuses and other keys as managers read them, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from migrantdesk.cases.labels import CATEGORY_LABELS as CASE_CATEGORY_LABELS
from migrantdesk.cases.labels import STATUS_LABELS as CASE_STATUS_LABELS

# The case pages' names, except that the dashboard counts enlistment notices with mobilisation
# ones, as the ministry reports them.
CATEGORY_LABELS = {**{str(code): name for code, name in CASE_CATEGORY_LABELS.items()},
                   "mobilisation_notice": _l("Mobilisation or enlistment notice")}

STATUS_LABELS = {str(code): name for code, name in CASE_STATUS_LABELS.items()}

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
