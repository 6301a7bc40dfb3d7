"""Signing in and out in a real browser, and the account page's language switch."""

from __future__ import annotations

from migrantdesk.auth.permissions import Role
from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORD


def test_operator_signs_in_with_the_keyboard_and_lands_on_the_hotline(page, live_server, world):
    operator = world.users[("a", Role.OPERATOR)]
    page.goto(f"{live_server}/account")  # a deep link first: sign-in brings the user back
    assert "/login?next=" in page.url
    page.keyboard.type(operator.email)  # the e-mail field has focus on arrival
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/account"
    page.goto(f"{live_server}/")
    assert page.url.endswith("/hotline"), page.url
    # The sign-in page spoke the browser's English; staff pages speak the user's setting.
    assert page.get_by_role("navigation", name="Основное меню").get_by_role(
        "link", name="Горячая линия").is_visible()
    screenshot(page, "signed-in-operator")
    page.get_by_role("button", name="Выйти").click()
    assert page.url.endswith("/login")
    # Signed out, the page speaks the browser's language again, and so does its message.
    assert page.get_by_role("status").inner_text() == "You are signed out."


def test_wrong_password_shows_one_vague_message_and_keeps_the_email(page, live_server, world):
    operator = world.users[("a", Role.OPERATOR)]
    sign_in(page, live_server, operator.email, "not the password")
    alert = page.get_by_role("alert")
    assert "Wrong e-mail or password, or the account is locked" in alert.inner_text()
    assert page.get_by_label("E-mail").input_value() == operator.email
    assert page.get_by_label("Password").input_value() == ""
    sign_in(page, live_server, "nobody@example.org", "not the password")
    assert "Wrong e-mail or password, or the account is locked" in page.get_by_role(
        "alert").inner_text()


def test_operator_switches_the_interface_to_kyrgyz(page, live_server, world):
    operator = world.users[("a", Role.OPERATOR)]
    sign_in(page, live_server, operator.email, PASSWORD)
    page.goto(f"{live_server}/account")
    page.get_by_label("Язык", exact=True).select_option("ky")  # named in itself: Кыргызча
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить язык").click()
    nav = page.get_by_role("navigation", name="Негизги меню")
    assert nav.get_by_role("link", name="Ишеним телефону").is_visible()
    assert page.get_by_role("heading", name="Интерфейстин тили").is_visible()
    assert page.locator("html").get_attribute("lang") == "ky"
    screenshot(page, "interface-in-kyrgyz")
    page.goto(f"{live_server}/hotline")
    assert page.get_by_role("heading", level=1).inner_text() != "Hotline"
