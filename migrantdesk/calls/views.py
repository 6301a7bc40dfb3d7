from migrantdesk.core.api import Blueprint

blp = Blueprint("calls", __name__, url_prefix="/api/v1/calls")
