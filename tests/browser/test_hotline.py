"""The hotline screen in real Chromium, driven from the keyboard only (after page.goto): a
returning caller's mobilisation-notice call end to end, and a session that expires mid-call
without losing the summary typed."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.calls.models import Call
from migrantdesk.cases.models import Case
from migrantdesk.config import PROJECT_ROOT
from migrantdesk.core.db import db
from migrantdesk.guidance.content_library import import_all
from migrantdesk.guidance.models import GuidanceGiven, GuidanceTemplate
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.migrants.test_migrants_api import ASANOV

README_SCREENSHOT = PROJECT_ROOT / "docs" / "hotline.png"


@pytest.fixture
def returning_caller(app, world, client_for):
    """A caller the consulate knows: registered, and rang once before about a patent."""
    with app.app_context():
        import_all()
        db.session.commit()
    client = client_for("a", Role.OPERATOR)
    migrant_id = client.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    client.post("/api/v1/calls", json={"migrant_id": migrant_id,
                                       "summary": "Asked about the work patent"})
    return migrant_id


def speak(app, user_id: int, language: str) -> None:
    with app.app_context():
        db.session.get(User, user_id).preferred_language = language
        db.session.commit()


def keyboard_sign_in(page, email: str) -> None:
    page.keyboard.type(email)  # the e-mail field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state("networkidle")


def tab_to(page, element_id: str, limit: int = 15) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} not reached with Tab")


def test_operator_handles_a_returning_callers_mobilisation_notice_from_the_keyboard(
        page, live_server, app, world, returning_caller):
    operator = world.user("a", Role.OPERATOR)
    speak(app, operator.id, "en")
    page.goto(f"{live_server}/hotline")
    keyboard_sign_in(page, operator.email)
    assert page.url.endswith("/hotline")
    assert page.evaluate("document.activeElement.id") == "start-call"
    started = time.monotonic()

    page.keyboard.press("Alt+KeyN")  # start the call
    page.wait_for_url(re.compile(r"/hotline/calls/\d+$"))
    call_id = int(page.url.rsplit("/", 1)[1])
    assert page.get_by_text("Started at").is_visible()
    screenshot(page, "hotline-1-call-started")

    page.wait_for_function("document.activeElement.id === 'field-q'")
    page.keyboard.type("Asanof")  # the Cyrillic-registered caller, in Latin, with a typo
    page.locator(".result-choice").first.wait_for()
    assert "Асанов Бакыт" in page.locator("#search-results").inner_text()
    screenshot(page, "hotline-2-caller-found")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Caller: Асанов Бакыт")).wait_for()

    page.wait_for_function("document.activeElement.id === 'field-category'")  # no open case
    page.keyboard.type("Mobilisation")
    page.keyboard.press("Tab")
    page.keyboard.type("Summons handed over at work")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=re.compile("Mobilisation notice")).wait_for()
    page.wait_for_function("document.activeElement.id === 'field-received_on'")
    screenshot(page, "hotline-3-case-opened")

    moscow = ZoneInfo("Europe/Moscow")
    received = datetime.now(moscow) - timedelta(days=1)
    appear = datetime.now(moscow) + timedelta(hours=48)
    # Debian's Chromium lays date controls out in US order (mm/dd/yyyy, 12-hour clock)
    # whatever the page's locale; the arrow key leaves the year, which takes up to 6 digits.
    page.keyboard.type(received.strftime("%m%d%Y"))
    tab_to(page, "field-issuing_office")
    page.keyboard.type("Military commissariat, Moscow")
    page.keyboard.press("Tab")
    page.keyboard.type("At work")
    page.keyboard.press("Tab")
    page.keyboard.type(appear.strftime("%m%d%Y"))
    page.keyboard.press("ArrowRight")
    page.keyboard.type(appear.strftime("%I%M"))
    page.keyboard.press("ArrowRight")
    page.keyboard.type(appear.strftime("%p")[0])
    tab_to(page, "save-facts")
    page.keyboard.press("Enter")
    page.get_by_text("Facts saved.").wait_for()
    page.locator("#guidance .countdown").wait_for()
    guidance = page.locator("#guidance").inner_text()
    assert "Повестка о мобилизации в России: гражданам Кыргызстана" in guidance
    assert re.search(r"4[78](\.\d)? hours left", guidance) and "URGENT" in guidance
    assert "Dual-citizenship risk: high" in guidance
    screenshot(page, "hotline-4-guidance")

    with app.app_context():
        template_id = db.session.scalar(select(GuidanceTemplate.id).where(
            GuidanceTemplate.key == "KG-RU-MOBILISATION"))
    page.keyboard.press("Alt+KeyG")
    tab_to(page, f"give-{template_id}")
    page.keyboard.press("Enter")
    page.get_by_text("Recorded as given.").wait_for()
    README_SCREENSHOT.parent.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(README_SCREENSHOT))  # 1280 px wide, the top of the screen
    screenshot(page, "hotline-5-guidance-given")
    page.set_viewport_size({"width": 640, "height": 900})  # a narrow screen, or 1280 at 200%
    main, side = (page.locator(selector).bounding_box()
                  for selector in (".hotline-main", ".hotline-side"))
    assert side["y"] >= main["y"] + main["height"] and side["width"] == main["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    screenshot(page, "hotline-5b-narrow-screen")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.keyboard.press("Alt+KeyE")
    page.keyboard.type("Notice received at work; advised not to sign anything.")
    page.keyboard.press("Tab")
    page.keyboard.type("Advice")  # the outcome select
    tab_to(page, "end-call-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/hotline\?ended=\d+$"))
    elapsed = time.monotonic() - started
    assert page.get_by_role("status").first.inner_text().startswith("The call has ended")
    screenshot(page, "hotline-6-call-ended")
    assert elapsed < 60, f"the keyboard flow took {elapsed:.1f} s"

    with app.app_context():
        call = db.session.get(Call, call_id)
        case = db.session.get(Case, call.case_id)
        given = db.session.scalars(select(GuidanceGiven)).one()
    assert call.migrant_id == returning_caller and case.migrant_id == returning_caller
    assert call.summary == "Notice received at work; advised not to sign anything."
    assert call.outcome == "advice_given" and call.ended_at is not None
    assert case.category == "mobilisation_notice" and case.priority == "urgent"
    assert case.facts["received_on"] == received.date().isoformat()
    assert case.facts["delivery"] == "at_work"
    assert datetime.fromisoformat(case.facts["appear_by"]).astimezone(UTC).replace(
        second=0, microsecond=0) == appear.astimezone(UTC).replace(second=0, microsecond=0)
    assert (given.template_id, given.call_id, given.case_id) == (template_id, call_id, case.id)
    print(f"keyboard flow: {elapsed:.1f} s")  # noqa: T201


def test_a_summary_typed_when_the_session_expired_survives_signing_in_again(
        page, live_server, app, world):
    operator = world.user("a", Role.OPERATOR)  # speaks Russian
    page.goto(f"{live_server}/hotline")
    keyboard_sign_in(page, operator.email)
    page.keyboard.press("Alt+KeyN")
    page.wait_for_url(re.compile(r"/hotline/calls/\d+$"))
    call_path = page.url.removeprefix(live_server)

    page.context.clear_cookies()  # the session expires mid-call
    page.keyboard.press("Alt+KeyE")
    summary = "Звонил из Казани, спрашивал о патенте; перезвонить завтра."
    page.keyboard.type(summary)
    tab_to(page, "end-call-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/login\?next="))
    screenshot(page, "hotline-session-expired")

    keyboard_sign_in(page, operator.email)
    assert page.url.endswith(call_path)
    assert page.locator("#field-summary").input_value() == summary
    assert "восстановлен" in page.locator("#draft-status").inner_text()
    screenshot(page, "hotline-draft-restored")
    page.keyboard.press("Alt+KeyE")
    tab_to(page, "end-call-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/hotline\?ended=\d+$"))
    with app.app_context():
        assert db.session.scalars(select(Call.summary)).one() == summary
    # The draft is gone once the call has ended.
    assert page.evaluate("Object.keys(localStorage)") == []

