"""Hardening of accounts: login rate limits, the password policy (offline breached-password
and guessability checks), and the end of every session and API token on password change and
deactivation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from migrantdesk import create_app
from migrantdesk.auth.models import ApiToken, User
from migrantdesk.auth.passwords import is_breached
from migrantdesk.config import TestingConfig
from migrantdesk.core.db import db
from migrantdesk.demo.commands import DEMO_PASSWORD
from tests.conftest import PASSWORD, login

STRONG = "violet tractor sings at dawn"


def limited_app(app, **limits):
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config[
        "SQLALCHEMY_DATABASE_URI"], **limits)


def csrf_client(flask_app, address="10.0.0.1"):
    client = flask_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get("/api/v1/auth/csrf").get_json()[
        "csrf_token"]
    return client


WRONG = "wrong password!"


def attempt(client, email, password=WRONG):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


# --- login rate limits --------------------------------------------------------------------

def test_login_attempts_on_one_account_from_one_address_are_limited(app, world):
    limited = limited_app(app, LOGIN_RATE_LIMIT="3 per minute",
                          LOGIN_ADDRESS_RATE_LIMIT="100 per minute")
    client = csrf_client(limited)
    email = "nobody@example.org"
    statuses = [attempt(client, email).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    refused = attempt(client, email.upper())  # the same account, however it is spelled
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Even the right password waits; another account from the same address does not.
    assert attempt(client, world.user("a").email).status_code == 401
    assert attempt(client, world.user("a").email, PASSWORD).status_code == 200
    # The same account from another address is not held up by this one.
    assert attempt(csrf_client(limited, "10.0.0.2"), email).status_code == 401


def test_login_attempts_from_one_address_are_limited_across_accounts(app, world):
    limited = limited_app(app, LOGIN_RATE_LIMIT="100 per minute",
                          LOGIN_ADDRESS_RATE_LIMIT="5 per minute")
    client = csrf_client(limited, "10.0.0.3")
    statuses = [attempt(client, f"guess{n}@example.org").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    assert attempt(client, world.user("a").email, PASSWORD).status_code == 429
    assert attempt(csrf_client(limited, "10.0.0.4"), world.user("a").email,
                   PASSWORD).status_code == 200


def test_rate_limited_attempts_do_not_count_towards_the_lock_out(app, world):
    limited = limited_app(app, LOGIN_RATE_LIMIT="2 per minute")
    client = csrf_client(limited, "10.0.0.5")
    user = world.user("a")
    for _ in range(8):
        attempt(client, user.email)
    with limited.app_context():
        failures = db.session.scalar(select(User.failed_logins).where(User.id == user.id))
        audited = db.session.execute(text(
            "SELECT count(*) FROM audit_events WHERE action = 'login_failed'")).scalar_one()
    assert (failures, audited) == (2, 2)


# --- password policy ----------------------------------------------------------------------

def english_admin(client_for):
    admin = client_for("a", "admin")
    assert admin.patch("/api/v1/auth/me", json={"preferred_language": "en"}).status_code == 200
    return admin


def new_user(admin, office_id, password, **extra):
    return admin.post("/api/v1/users", json={
        "office_id": office_id, "name": extra.pop("name", "Aigerim Sadykova"),
        "email": extra.pop("email", "aigerim.sadykova@example.org"), "role": "operator",
        "password": password, **extra})


@pytest.mark.parametrize("password", [
    "password1234", "qwertyuiop123", "iloveyou2026", "1q2w3e4r5t6y", "123456789012",
])
def test_common_leaked_passwords_are_refused_for_new_users(client_for, world, password):
    response = new_user(english_admin(client_for), world.office_a.id, password)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert list(error["fields"]) == ["password"]
    assert "too easy" in error["fields"]["password"][0].lower() or "leaked" in error[
        "fields"]["password"][0]


def test_a_password_from_the_breach_list_is_named_as_leaked(client_for, world):
    assert is_breached("Sunshine12345") is False
    assert is_breached("PASSWORD1234") is True
    response = new_user(english_admin(client_for), world.office_a.id, "PassWord1234")
    assert "leaked" in response.get_json()["error"]["fields"]["password"][0]


def test_a_password_built_from_the_own_name_or_email_is_refused(client_for, world):
    admin = english_admin(client_for)
    for password in ("sadykova.aigerim", "Aigerim-Sadykova-2026"):
        response = new_user(admin, world.office_a.id, password)
        assert response.status_code == 422, password
        assert "own name" in response.get_json()["error"]["fields"]["password"][0]


def test_short_passwords_are_refused_and_composition_is_not_required(client_for, world):
    admin = english_admin(client_for)
    short = new_user(admin, world.office_a.id, "Xk9#mQ2!vL")
    assert short.get_json()["error"]["fields"] == {"password": ["At least 12 characters."]}
    # Lower-case words only, no digit or symbol: long and unguessable is enough.
    assert new_user(admin, world.office_a.id, STRONG).status_code == 201


def test_nothing_is_written_when_the_password_is_refused(app, client_for, world):
    new_user(client_for("a", "admin"), world.office_a.id, "password1234")
    with app.app_context():
        assert db.session.scalar(select(User).where(
            User.email == "aigerim.sadykova@example.org")) is None


def test_password_policy_message_is_translated(client_for, world):
    admin = client_for("a", "admin")  # the staff's language setting is Russian
    response = admin.post("/api/v1/users", json={
        "office_id": world.office_a.id, "name": "A", "email": "a@example.org",
        "role": "operator", "password": "password1234"})
    assert response.status_code == 422
    assert "утечк" in response.get_json()["error"]["fields"]["password"][0]


def test_own_password_change_applies_the_policy(app, world):
    client = login(app.test_client(), world.user("a"))
    weak = client.patch("/api/v1/auth/me", json={
        "current_password": PASSWORD, "new_password": "iloveyou2026"})
    assert weak.status_code == 422
    assert list(weak.get_json()["error"]["fields"]) == ["new_password"]
    assert client.get("/api/v1/auth/me").status_code == 200  # nothing changed


def test_cli_create_user_applies_the_policy(app, world):
    runner = app.test_cli_runner()
    arguments = ["users", "create-user", "--office", "kg-moscow", "--name", "Bakyt",
                 "--email", "bakyt@example.org", "--role", "operator"]
    refused = runner.invoke(args=[*arguments, "--password", "qwertyuiop123"])
    assert refused.exit_code != 0 and "password" in refused.output
    accepted = runner.invoke(args=[*arguments, "--password", STRONG])
    assert accepted.exit_code == 0, accepted.output


def test_the_demo_password_meets_the_policy(app):
    from migrantdesk.auth.passwords import problems
    with app.test_request_context():
        assert problems(DEMO_PASSWORD, ("Operator", "operator@kg-moscow.demo")) == []
        assert problems(PASSWORD) == []


# --- sessions and tokens end together -----------------------------------------------------

def make_token(client):
    created = client.post("/api/v1/auth/tokens", json={"name": "pbx"}).get_json()
    return {"Authorization": f"Bearer {created['secret']}"}


def test_password_change_ends_api_tokens_too(app, world):
    laptop = login(app.test_client(), world.user("a"))
    bearer = make_token(laptop)
    machine = app.test_client()
    assert machine.get("/api/v1/auth/me", headers=bearer).status_code == 200
    assert laptop.patch("/api/v1/auth/me", json={
        "current_password": PASSWORD, "new_password": STRONG}).status_code == 200
    assert machine.get("/api/v1/auth/me", headers=bearer).status_code == 401
    assert laptop.get("/api/v1/auth/me").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ApiToken.revoked_at)) is not None


def test_a_reactivated_user_starts_without_old_sessions_or_tokens(app, client_for, world):
    victim = client_for("a", "operator")
    bearer = make_token(victim)
    admin = client_for("a", "admin")
    user_url = f"/api/v1/users/{world.user('a').id}"
    assert admin.patch(user_url, json={"active": False}).status_code == 200
    assert app.test_client().get("/api/v1/auth/me", headers=bearer).status_code == 401
    assert admin.patch(user_url, json={"active": True}).status_code == 200
    assert victim.get("/api/v1/auth/me").status_code == 401
    assert app.test_client().get("/api/v1/auth/me", headers=bearer).status_code == 401
    assert login(app.test_client(), world.user("a")).get("/api/v1/auth/me").status_code == 200
