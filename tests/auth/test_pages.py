"""Sign-in, sign-out and account pages as a browser sees them (HTML, redirects, kept input)."""

from __future__ import annotations

import re

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from tests.conftest import PASSWORD


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email, password, next_path=""):
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": email,
                                       "password": password, "next": next_path})


def test_pages_send_anonymous_visitors_to_sign_in_and_back(app, world):
    client = app.test_client()
    response = client.get("/hotline?draft=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/hotline?draft%3D1"
    operator = world.users[("a", Role.OPERATOR)]
    signed_in = sign_in(client, operator.email, PASSWORD, "/hotline?draft=1")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/hotline?draft=1"
    assert client.get("/hotline").status_code == 200


def test_sign_in_never_redirects_off_site(app, world):
    operator = world.users[("a", Role.OPERATOR)]
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = sign_in(app.test_client(), operator.email, PASSWORD, target)
        assert response.headers["Location"] == "/", target


def test_failed_sign_in_is_vague_in_the_browsers_language_and_keeps_the_email(app, world):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ru"
    operator = world.users[("a", Role.OPERATOR)]
    unknown = sign_in(client, "nobody@example.org", "whatever")
    wrong = sign_in(client, operator.email, "whatever")
    for response in (unknown, wrong):
        assert response.status_code == 401
        html = response.get_data(as_text=True)
        assert "Неверный адрес" in html or "Неверн" in html
    assert f'value="{operator.email}"' in wrong.get_data(as_text=True)
    assert "whatever" not in wrong.get_data(as_text=True)  # passwords are never sent back


def test_missing_field_is_named_beside_the_field(app, world):
    client = app.test_client()
    token = csrf_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token, "email": "", "password": "x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-email"' in html and "Required." in html
    assert 'aria-invalid="true"' in html


def test_each_role_starts_on_the_first_page_it_may_open(app, world):
    for role, start in ((Role.OPERATOR, "/hotline"), (Role.ADMIN, "/admin")):
        client = app.test_client()
        sign_in(client, world.users[("a", role)].email, PASSWORD)
        assert client.get("/").headers["Location"] == start, role


def test_account_page_changes_language_and_password(app, world):
    client = app.test_client()
    operator = world.users[("a", Role.OPERATOR)]
    sign_in(client, operator.email, PASSWORD)
    page = client.get("/account").get_data(as_text=True)
    assert 'value="ru"' in page and "Русский" in page
    saved = client.post("/account", data={"csrf_token": csrf_of(page),
                                          "preferred_language": "en"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(User, operator.id).preferred_language == "en"
    page = client.get("/account").get_data(as_text=True)
    refused = client.post("/account", data={"csrf_token": csrf_of(page),
                                            "current_password": "wrong",
                                            "new_password": "a much longer new passphrase"})
    assert refused.status_code == 422
    assert 'id="error-current_password"' in refused.get_data(as_text=True)
    other_session = app.test_client()
    sign_in(other_session, operator.email, PASSWORD)
    changed = client.post("/account", data={"csrf_token": csrf_of(page),
                                            "current_password": PASSWORD,
                                            "new_password": "a much longer new passphrase"})
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200  # this session continues
    assert other_session.get("/account").status_code == 302  # the others are signed out


def test_form_without_csrf_token_is_refused_with_a_page(app, world):
    response = app.test_client().post("/login", data={"email": "a@b.org", "password": "x"})
    assert response.status_code == 400
    assert "text/html" in response.content_type


def test_unknown_page_gets_an_html_error_page(app, world):
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404 and "text/html" in response.content_type
    assert "<h1>Not found</h1>" in response.get_data(as_text=True)
