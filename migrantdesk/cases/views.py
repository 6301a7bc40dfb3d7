from migrantdesk.core.api import Blueprint

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases")
