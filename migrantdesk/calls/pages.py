"""The hotline screen: one page that follows a call from the first digits to its summary."""

from __future__ import annotations

from flask import Blueprint, render_template

from migrantdesk.auth.guard import require
from migrantdesk.auth.permissions import Scope

pages = Blueprint("calls_pages", __name__)


@pages.route("/hotline")
@require(Scope.CALLS_WRITE)
def hotline():
    return render_template("calls/hotline.html")
