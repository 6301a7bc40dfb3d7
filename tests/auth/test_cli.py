from __future__ import annotations

from sqlalchemy import select

from migrantdesk.auth.models import User
from migrantdesk.core.db import db
from migrantdesk.offices.models import Office


def test_create_office_and_user_from_the_shell(app):
    runner = app.test_cli_runner()
    office = runner.invoke(args=[
        "users", "create-office", "--code", "tj-yekaterinburg", "--name",
        "Consulate General of Tajikistan in Yekaterinburg", "--country", "TJ",
        "--host-country", "RU", "--city", "Yekaterinburg", "--timezone", "Asia/Yekaterinburg",
        "--hotline", "+73432000000"])
    assert office.exit_code == 0, office.output
    user = runner.invoke(args=[
        "users", "create-user", "--office", "tj-yekaterinburg", "--name", "Firuza",
        "--email", "firuza@example.org", "--role", "consul", "--language", "tg"],
        input="a long enough password\na long enough password\n")
    assert user.exit_code == 0, user.output
    with app.app_context():
        stored = db.session.scalars(select(User).where(User.email == "firuza@example.org")).one()
        office_row = db.session.get(Office, stored.office_id)
        assert office_row.code == "tj-yekaterinburg" and stored.role == "consul"
        assert stored.password_hash.startswith("$argon2id$")


def test_create_user_refuses_an_unknown_office(app):
    result = app.test_cli_runner().invoke(args=[
        "users", "create-user", "--office", "nowhere", "--name", "X", "--email",
        "x@example.org", "--role", "operator", "--password", "a long enough password"])
    assert result.exit_code != 0
    assert "no office with code 'nowhere'" in result.output
