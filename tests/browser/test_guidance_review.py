"""Two-person review of legal guidance in a real browser: lawyer A (English interface) drafts a
new version of the shipped KG-RU-MOBILISATION template and sends it for review, is refused
when approving it herself, lawyer B (Russian interface) approves it, and the new text is what
the guidance engine then gives for a mobilisation case of their consulate."""

from __future__ import annotations

from urllib.parse import urlsplit

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.guidance.content_library import import_all
from tests.browser.conftest import screenshot, sign_in
from tests.cases.test_cases_api import open_case
from tests.conftest import PASSWORD, make_user

NEW_RUSSIAN_BODY = ("Не подписывайте повестку. Сразу позвоните на горячую линию консульства "
                    "Кыргызстана и отправьте фото повестки.")


def signed_in(page, base: str, email: str) -> None:
    sign_in(page, base, email, PASSWORD)
    page.wait_for_url(lambda url: "/login" not in url)


def assert_guidance_visible(page, call_id: int, text: str) -> None:
    """The hotline screen of a call about the case shows this text in its guidance panel."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    page.goto(f"{origin}/hotline/calls/{call_id}")
    page.locator("#guidance").get_by_text(text[:60]).first.wait_for()
    panel_text = " ".join(page.locator("#guidance").first.inner_text().split())
    assert text in panel_text, panel_text[:2000]


def test_a_second_lawyer_approves_a_draft_that_then_reaches_the_case(
        app, live_server, page, world, client_for):
    with app.app_context():
        import_all()
        author = db.session.get(User, world.user("a", Role.LAWYER).id)
        author.preferred_language = "en"
        reviewer = make_user(world.office_a, Role.LAWYER, name="Second Lawyer")
        db.session.commit()
        author_email, reviewer_email = author.email, reviewer.email
    operator = client_for("a", Role.OPERATOR)
    case_id = open_case(operator)["id"]
    call_id = operator.post("/api/v1/calls", json={"case_id": case_id}).get_json()["id"]

    signed_in(page, live_server, author_email)
    page.goto(f"{live_server}/guidance?kind=templates&country=KG&topic=mobilisation_notice")
    page.get_by_role("link", name="KG-RU-MOBILISATION", exact=True).click()
    page.get_by_role("link", name="Create a new version").click()
    body = page.get_by_label("Text in ru")
    assert "Мобилизация в России касается граждан" in body.input_value()
    body.fill(NEW_RUSSIAN_BODY)
    page.get_by_role("button", name="Save draft").click()
    assert page.get_by_role("status").inner_text() == "Version 2 saved as a draft."
    page.get_by_role("button", name="Send for review").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("In review")
    page.get_by_role("button", name="Approve and publish").click()
    alert = page.get_by_role("alert")
    assert "A second person must approve: you wrote this version." in alert.inner_text()
    screenshot(page, "guidance-self-approval-refused")
    page.get_by_role("button", name="Sign out").click()

    signed_in(page, live_server, reviewer_email)
    page.goto(f"{live_server}/guidance")
    waiting = page.get_by_role("region", name="Черновики, ожидающие моей проверки")
    waiting.get_by_role("link", name="KG-RU-MOBILISATION v2").click()
    page.get_by_role("link", name="Отличия от предыдущей версии").click()
    assert any(NEW_RUSSIAN_BODY in ins for ins in page.locator("ins").all_inner_texts())
    screenshot(page, "guidance-diff-before-approval")
    page.go_back()
    page.get_by_role("button", name="Утвердить и опубликовать").click()
    assert page.get_by_role("status").inner_text() == "Утверждено и опубликовано."
    screenshot(page, "guidance-approved-by-second-lawyer")
    assert_guidance_visible(page, call_id, NEW_RUSSIAN_BODY)
    screenshot(page, "approved-guidance-on-the-hotline-screen")
