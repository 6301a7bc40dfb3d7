"""Case pages in real Chromium: consulates cannot see each other's cases by URL, a stale edit
keeps what the user typed, and the case list is filtered from the keyboard alone."""

from __future__ import annotations

from sqlalchemy import text

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from tests.browser.conftest import screenshot
from tests.cases.test_cases_api import open_case
from tests.conftest import PASSWORD


def sign_in(page, base_url: str, email: str) -> None:
    """Sign in and wait for the answer to the form (not merely an idle network, which the
    page may already be before the POST leaves)."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url, page.url


def note_field(page):
    return page.get_by_role("textbox", name="Note", exact=True)


def speak_english(app, *users) -> None:
    with app.app_context():
        for user in users:
            db.session.execute(text("UPDATE users SET preferred_language = 'en' WHERE id = :id"),
                               {"id": user.id})
        db.session.commit()


def test_a_consulate_cannot_open_another_consulates_case_by_url(
        app, page, live_server, world, client_for):
    theirs = open_case(client_for("a"))
    mine = open_case(client_for("b"), summary="Lost passport")
    operator_b = world.user("b")
    speak_english(app, operator_b)
    sign_in(page, live_server, operator_b.email)

    response = page.goto(f"{live_server}/cases/{theirs['id']}")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    content = page.content()
    assert "Асанов" not in content and "Asanov" not in content and "summons" not in content
    screenshot(page, "case-of-another-consulate-404")

    page.goto(f"{live_server}/cases/{mine['id']}")
    assert page.get_by_role("heading", level=1).inner_text() == (
        f"Case #{mine['id']}: Mobilisation notice")
    assert page.get_by_text("Lost passport").is_visible()
    assert "Асанов Бакыт" in page.content()  # office b's own migrant of the same name
    # At 200 % zoom (half the CSS width) nothing needs scrolling sideways.
    page.set_viewport_size({"width": 640, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    screenshot(page, "case-page-at-200-percent")


def test_a_stale_note_shows_who_changed_the_case_and_keeps_the_typed_text(
        app, page, chromium, live_server, world, client_for):
    case = open_case(client_for("a"))
    operator, lawyer = world.user("a"), world.user("a", Role.LAWYER)
    speak_english(app, operator, lawyer)
    url = f"{live_server}/cases/{case['id']}"
    sign_in(page, live_server, operator.email)
    page.goto(url)

    other_context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                         locale="en-GB")
    try:
        second = other_context.new_page()
        sign_in(second, live_server, lawyer.email)
        second.goto(url)
        with second.expect_navigation():
            second.get_by_role("button", name="Start work").click()
        assert second.get_by_role("status").inner_text() == "The status is changed."
    finally:
        other_context.close()

    typed = "Called back: he has not signed anything and will come on Monday."
    note_field(page).fill(typed)
    with page.expect_navigation():
        page.get_by_role("button", name="Save note").click()
    alert = page.get_by_role("alert")
    assert f"{lawyer.name} changed this case at" in alert.inner_text()
    assert note_field(page).input_value() == typed
    assert page.get_by_text("New → In progress").is_visible()  # the page shows the change
    screenshot(page, "case-stale-note-kept")

    with page.expect_navigation():  # sent again, over the version now shown
        page.get_by_role("button", name="Save note").click()
    assert page.get_by_role("status").inner_text() == "The note is added."
    assert page.get_by_text(typed).is_visible()
    assert note_field(page).input_value() == ""
    with app.app_context():
        assert db.session.execute(text("SELECT body FROM case_notes")).scalars().all() == [typed]


_FOCUSED = "document.activeElement ? (document.activeElement.name || " \
           "document.activeElement.textContent.trim()) : ''"


def _tab_to(page, name: str, key: str = "Tab", limit: int = 60) -> None:
    """Press Tab until the control named `name` (or the link saying it) has focus, as a
    keyboard user would."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(_FOCUSED) == name:
            return
    raise AssertionError(f"{name} is not reachable with {key}")


def test_case_list_filters_round_trip_from_the_keyboard(app, page, live_server, world,
                                                       client_for):
    operator_client = client_for("a")
    asanov = open_case(operator_client)
    petrova = operator_client.post("/api/v1/migrants", json={
        "surname_cyrl": "Петрова", "given_names_cyrl": "Айгуль", "surname_latn": "Petrova",
        "given_names_latn": "Aigul", "consents": [
            {"purpose": "case_handling", "method": "verbal_on_call", "given_on": "2026-11-01"}],
    }).get_json()["id"]
    open_case(operator_client, migrant_id=petrova, priority="urgent")
    operator = world.user("a")
    speak_english(app, operator)
    sign_in(page, live_server, operator.email)
    page.goto(f"{live_server}/cases")
    assert page.get_by_role("status").inner_text() == "2 cases, urgent: 1"

    _tab_to(page, "q")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # focus is visible
    page.keyboard.type("Asanov")
    _tab_to(page, "status")
    page.keyboard.press("ArrowDown")  # Any → New
    _tab_to(page, "q", key="Shift+Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == f"{live_server}/cases"  # the name typed is not in the URL
    assert page.get_by_role("status").inner_text() == "1 case"
    assert page.get_by_label("Name, phone, document or case number").input_value() == "Asanov"
    assert page.get_by_label("Status").input_value() == "new"
    table = page.get_by_role("table")
    assert "Асанов Бакыт" in table.inner_text() and "Петрова" not in table.inner_text()
    screenshot(page, "case-list-filtered")

    _tab_to(page, f"#{asanov['id']}")  # on to the case's link in the results
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/cases/{asanov['id']}"
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"Case #{asanov['id']}")
