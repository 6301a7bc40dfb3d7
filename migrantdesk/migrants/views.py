from migrantdesk.core.api import Blueprint

blp = Blueprint("migrants", __name__, url_prefix="/api/v1/migrants")
