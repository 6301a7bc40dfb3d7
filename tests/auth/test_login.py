from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text, update

from migrantdesk import create_app
from migrantdesk.auth.models import User
from migrantdesk.config import Config
from migrantdesk.core.db import db, utcnow
from tests.conftest import PASSWORD, login

GENERIC = "Wrong e-mail or password, or the account is locked for a while."


def csrf_client(app):
    client = app.test_client()
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get("/api/v1/auth/csrf").get_json()[
        "csrf_token"]
    return client


def attempt(client, email, password):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_login_sets_a_secure_httponly_session_cookie_in_production(app, world):
    production = type("Prod", (Config,), {"SECRET_KEY": "x" * 32})
    app = create_app(production, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    client = app.test_client(use_cookies=True)
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get(
        "/api/v1/auth/csrf", base_url="https://localhost").get_json()["csrf_token"]
    # Over HTTPS the CSRF check also wants a same-origin Referer, as browsers send.
    response = client.post("/api/v1/auth/login", base_url="https://localhost",
                           headers={"Referer": "https://localhost/"},
                           json={"email": world.user("a").email, "password": PASSWORD})
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_email_and_wrong_password_get_the_same_answer(app, world):
    client = csrf_client(app)
    unknown = attempt(client, "nobody@example.org", PASSWORD)
    wrong = attempt(client, world.user("a").email, "not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    assert GENERIC in unknown.get_json()["error"]["message"]


def test_five_failures_lock_the_account_for_fifteen_minutes(app, world):
    user = world.user("a")
    client = csrf_client(app)
    for _ in range(5):
        assert attempt(client, user.email, "wrong password!").status_code == 401
    locked = attempt(client, user.email, PASSWORD)
    assert locked.status_code == 401
    assert GENERIC in locked.get_json()["error"]["message"]
    with app.app_context():
        locked_until = db.session.scalar(select(User.locked_until).where(User.id == user.id))
        assert timedelta(minutes=14) < locked_until - utcnow() <= timedelta(minutes=15)
        failures = db.session.execute(text(
            "SELECT count(*) FROM audit_events WHERE action = 'login_failed' AND user_id = :u"),
            {"u": user.id}).scalar_one()
        assert failures == 6
        # Fifteen minutes later the right password works again.
        db.session.execute(update(User).where(User.id == user.id)
                           .values(locked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert attempt(client, user.email, PASSWORD).status_code == 200


def test_cookie_session_writes_need_the_csrf_token(app, world):
    client = login(app.test_client(), world.user("a"))
    del client.environ_base["HTTP_X_CSRFTOKEN"]
    response = client.post("/api/v1/calls", json={})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM calls")).scalar_one() == 0


def test_bearer_token_works_without_csrf_and_stops_when_revoked(app, world):
    owner = login(app.test_client(), world.user("a"))
    created = owner.post("/api/v1/auth/tokens", json={"name": "hotline-pbx"})
    assert created.status_code == 201
    secret = created.get_json()["secret"]
    with app.app_context():
        stored = db.session.execute(text("SELECT token_hash FROM api_tokens")).scalar_one()
    assert secret not in stored
    machine = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert machine.post("/api/v1/calls", json={"language": "ru"},
                        headers=headers).status_code == 201
    owner.delete(f"/api/v1/auth/tokens/{created.get_json()['id']}")
    assert machine.get("/api/v1/calls", headers=headers).status_code == 401


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world):
    user = world.user("a")
    laptop = login(app.test_client(), user)
    phone = login(app.test_client(), user)
    changed = laptop.patch("/api/v1/auth/me", json={
        "current_password": PASSWORD, "new_password": "a much longer new passphrase"})
    assert changed.status_code == 200, changed.get_json()
    assert laptop.get("/api/v1/auth/me").status_code == 200
    assert phone.get("/api/v1/auth/me").status_code == 401


def test_short_new_password_is_refused(app, world):
    client = login(app.test_client(), world.user("a"))
    response = client.patch("/api/v1/auth/me", json={
        "current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 422
    assert "new_password" in response.get_json()["error"]["fields"]


def test_deactivated_user_is_logged_out(app, client_for, world):
    victim = client_for("a", "operator")
    admin = client_for("a", "admin")
    response = admin.patch(f"/api/v1/users/{world.user('a').id}", json={"active": False})
    assert response.status_code == 200
    assert victim.get("/api/v1/auth/me").status_code == 401


def test_admin_creates_a_user_with_an_argon2id_hash(app, client_for, world):
    admin = client_for("a", "admin")
    response = admin.post("/api/v1/users", json={
        "office_id": world.office_b.id, "name": "Dilnoza", "email": "Dilnoza@Example.org",
        "role": "lawyer", "password": "long enough password", "preferred_language": "uz_Latn"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["email"] == "dilnoza@example.org"
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(
            User.email == "dilnoza@example.org"))
    assert stored.startswith("$argon2id$")
    again = admin.post("/api/v1/users", json={
        "office_id": world.office_b.id, "name": "D", "email": "dilnoza@example.org",
        "role": "lawyer", "password": "long enough password"})
    assert again.status_code == 409 and "email" in again.get_json()["error"]["fields"]
