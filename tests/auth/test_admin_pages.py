"""Administration pages through the Flask test client: offices, users and roles, API tokens and
the audit log viewer with its CSV export. World users read Russian (preferred_language "ru")."""

from __future__ import annotations

import csv
import html
import io
from datetime import timedelta

from sqlalchemy import func, select

from migrantdesk.auth.models import ApiToken, User
from migrantdesk.auth.permissions import Role
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction, AuditEvent
from migrantdesk.core.db import db, utcnow
from migrantdesk.offices.models import Office
from tests.conftest import PASSWORD, login

NEW_OFFICE = {"code": "tj-yekaterinburg", "country": "TJ",
              "name": "Consulate of TJ in Yekaterinburg", "host_country": "RU",
              "city": "Yekaterinburg", "address": "",
              "timezone": "Asia/Yekaterinburg", "hotline_numbers": "+73432000000\n+73432000001"}
NEW_USER = {"name": "Aigul Sadykova", "email": "Aigul@Example.org", "office_id": "",
            "role": "lawyer", "preferred_language": "ky", "password": "a long initial passphrase"}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def rows(app, statement):
    with app.app_context():
        return list(db.session.scalars(statement))


def test_admin_creates_and_edits_an_office(app, client_for):
    admin = client_for("a", Role.ADMIN)
    assert admin.get("/admin/offices/new").status_code == 200
    created = admin.post("/admin/offices/new", data=NEW_OFFICE)
    assert created.status_code == 302
    office = rows(app, select(Office).where(Office.code == "tj-yekaterinburg"))[0]
    assert office.hotline_numbers == ["+73432000000", "+73432000001"]
    assert office.address is None and office.country == "TJ"
    listing = text_of(admin.get("/admin/offices"))
    assert "Consulate of TJ in Yekaterinburg" in listing and "Таджикистан" in listing
    edited = admin.post(f"/admin/offices/{office.id}", data={
        **NEW_OFFICE, "city": "Ekaterinburg", "address": "ul. Lenina 1"})
    assert edited.status_code == 302
    office = rows(app, select(Office).where(Office.id == office.id))[0]
    assert (office.city, office.address) == ("Ekaterinburg", "ul. Lenina 1")
    assert rows(app, select(AuditEvent.fields).where(
        AuditEvent.entity_type == "office", AuditEvent.action == "update")) == [
        ["address", "city"]]


def test_office_form_errors_stand_beside_their_fields_and_keep_the_input(app, client_for):
    admin = client_for("a", Role.ADMIN)
    response = admin.post("/admin/offices/new", data={
        **NEW_OFFICE, "code": "Bad Code", "timezone": "Mars/Olympus", "city": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for name in ("code", "timezone", "city"):
        assert f'id="error-{name}"' in page, name
    assert "Обязательное поле." in page  # the missing city, in the admin's Russian
    assert 'value="Mars/Olympus"' in page and "+73432000001" in page
    duplicate = admin.post("/admin/offices/new", data={**NEW_OFFICE, "code": "kg-moscow"})
    assert duplicate.status_code == 409 and 'id="error-code"' in duplicate.get_data(as_text=True)
    assert rows(app, select(func.count()).select_from(Office)) == [2]


def test_admin_creates_a_user_and_errors_are_named_beside_fields(app, client_for, world):
    admin = client_for("a", Role.ADMIN)
    short = admin.post("/admin/users/new", data={
        **NEW_USER, "office_id": str(world.office_b.id), "password": "short"})
    assert short.status_code == 422
    page = text_of(short)
    assert 'id="error-password"' in page and "Не менее 12 символов." in page
    assert 'value="Aigul Sadykova"' in page and "short" not in page.split("<main")[1].split(
        'id="field-password"')[1][:200]  # a password is never sent back
    created = admin.post("/admin/users/new", data={**NEW_USER,
                                                   "office_id": str(world.office_b.id)})
    assert created.status_code == 302
    user = rows(app, select(User).where(User.email == "aigul@example.org"))[0]
    assert (user.office_id, user.role, user.preferred_language) == (
        world.office_b.id, Role.LAWYER, "ky")
    assert user.password_hash.startswith("$argon2id$")
    again = admin.post("/admin/users/new", data={**NEW_USER, "office_id": str(world.office_a.id)})
    assert again.status_code == 409 and 'id="error-email"' in again.get_data(as_text=True)


def test_admin_changes_a_role_deactivates_reactivates_and_unlocks(app, client_for, world):
    admin = client_for("a", Role.ADMIN)
    operator = world.user("b", Role.OPERATOR)
    operator_session = client_for("b", Role.OPERATOR)
    changed = admin.post(f"/admin/users/{operator.id}", data={
        "name": operator.name, "office_id": str(operator.office_id), "role": "lawyer",
        "preferred_language": "ru"})
    assert changed.status_code == 302
    assert rows(app, select(User.role).where(User.id == operator.id)) == [Role.LAWYER]
    assert admin.post(f"/admin/users/{operator.id}/deactivate").status_code == 302
    assert operator_session.get("/guidance").status_code == 302  # signed out at once
    assert "/login" in operator_session.get("/guidance").headers["Location"]
    assert admin.post(f"/admin/users/{operator.id}/reactivate").status_code == 302
    with app.app_context():
        locked = db.session.get(User, operator.id)
        locked.locked_until, locked.failed_logins = utcnow() + timedelta(minutes=15), 0
        db.session.commit()
    assert "Заблокирована" in text_of(admin.get("/admin/users"))
    assert admin.post(f"/admin/users/{operator.id}/unlock").status_code == 302
    assert rows(app, select(User.locked_until).where(User.id == operator.id)) == [None]
    login(app.test_client(), operator)  # can sign in again


def test_admin_cannot_deactivate_or_demote_themselves(app, client_for, world):
    admin_user = world.user("a", Role.ADMIN)
    admin = client_for("a", Role.ADMIN)
    refused = admin.post(f"/admin/users/{admin_user.id}/deactivate")
    assert refused.status_code == 409 and "Нельзя отключить" in text_of(refused)
    demoted = admin.post(f"/admin/users/{admin_user.id}", data={
        "name": admin_user.name, "office_id": str(admin_user.office_id), "role": "operator",
        "preferred_language": "ru"})
    assert demoted.status_code == 422 and 'id="error-role"' in demoted.get_data(as_text=True)
    assert rows(app, select(User.role).where(User.id == admin_user.id)) == [Role.ADMIN]
    assert rows(app, select(User.active).where(User.id == admin_user.id)) == [True]


def test_own_token_secret_is_shown_once_and_never_stored(app, client_for):
    lawyer = client_for("a", Role.LAWYER)
    created = lawyer.post("/account/tokens", data={"name": "statistics export"})
    assert created.status_code == 200
    page = created.get_data(as_text=True)
    secret = page.split('id="new-secret">')[1].split("<")[0]
    assert secret.startswith("mdk_")
    token = rows(app, select(ApiToken))[0]
    assert secret not in (token.token_hash, token.prefix) and secret.startswith(token.prefix)
    assert secret not in lawyer.get("/account/tokens").get_data(as_text=True)
    api = app.test_client()
    assert api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 200
    assert lawyer.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 401
    missing = lawyer.post("/account/tokens", data={"name": ""})
    assert missing.status_code == 422 and 'id="error-name"' in missing.get_data(as_text=True)


def test_admin_sees_and_revokes_only_tokens_of_their_own_office(app, client_for, world):
    client_for("a", Role.LAWYER).post("/account/tokens", data={"name": "office a token"})
    client_for("b", Role.LAWYER).post("/account/tokens", data={"name": "office b token"})
    tokens = {token.name: token.id for token in rows(app, select(ApiToken))}
    admin = client_for("a", Role.ADMIN)
    listing = text_of(admin.get("/admin/tokens"))
    assert "office a token" in listing and "office b token" not in listing
    assert admin.post(f"/admin/tokens/{tokens['office b token']}/revoke").status_code == 404
    assert admin.post(f"/admin/tokens/{tokens['office a token']}/revoke").status_code == 302
    revoked = {t.name: t.revoked_at for t in rows(app, select(ApiToken))}
    assert revoked["office a token"] is not None and revoked["office b token"] is None


def test_roles_without_scopes_are_refused(client_for):
    for role in (Role.OPERATOR, Role.LAWYER, Role.CONSUL, Role.MANAGER):
        client = client_for("a", role)
        assert client.get("/admin").status_code == 403, role
        assert client.get("/admin/users").status_code == 403, role
    assert client_for("a", Role.CONSUL).get("/admin/audit").status_code == 200
    assert client_for("a", Role.MANAGER).get("/admin/audit").status_code == 403


def add_event(app, office, **attributes):
    with app.app_context():
        event = audit.record(None, attributes.pop("action", AuditAction.UPDATE),
                             attributes.pop("entity_type", "case"), office_id=office.id,
                             **attributes)
        db.session.commit()
        return event.id


def test_consul_reads_only_their_offices_audit_log_with_filters(app, client_for, world):
    ours = add_event(app, world.office_a, entity_id=4242, fields=["status"])
    theirs = add_event(app, world.office_b, entity_id=5353)
    consul = client_for("a", Role.CONSUL)
    page = text_of(consul.get("/admin/audit?entity_type=case"))
    assert "#4242" in page and "#5353" not in page
    assert "#5353" not in text_of(consul.get(f"/admin/audit?office_id={world.office_b.id}"))
    assert "#4242" not in text_of(consul.get("/admin/audit?entity_id=5353"))
    assert "#4242" not in text_of(consul.get("/admin/audit?action=read&entity_type=case"))
    admin = client_for("a", Role.ADMIN)
    both = text_of(admin.get("/admin/audit?entity_type=case"))
    assert "#4242" in both and "#5353" in both
    only_b = text_of(admin.get(f"/admin/audit?entity_type=case&office_id={world.office_b.id}"))
    assert "#5353" in only_b and "#4242" not in only_b
    assert ours != theirs


def test_audit_filters_that_make_no_sense_are_named_beside_their_fields(client_for):
    response = client_for("a", Role.CONSUL).get("/admin/audit?since=yesterday&entity_id=x1")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="error-since"' in page and 'id="error-entity_id"' in page
    assert 'value="yesterday"' in page


def test_audit_log_pages_newest_first(app, client_for, world):
    for number in range(1, 56):
        add_event(app, world.office_a, entity_id=10_000 + number)
    consul = client_for("a", Role.CONSUL)
    first = text_of(consul.get("/admin/audit?entity_type=case"))
    assert "#10055" in first and "#10006" in first and "#10005" not in first
    assert first.index("#10055") < first.index("#10054")
    second = text_of(consul.get("/admin/audit?entity_type=case&page=2"))
    assert "#10005" in second and "#10001" in second and "#10006" not in second
    assert "Страница 2 из 2" in second


def test_csv_export_holds_the_filtered_rows_neutralised_and_is_audited(app, client_for, world):
    add_event(app, world.office_a, entity_type="guidance_template", entity_id=7,
              fields=["=SUM(A1:A2)"],
              details={"reason": "=HYPERLINK(\"http://evil\")", "note": "+1", "at": "@x"})
    add_event(app, world.office_a, entity_type="case", entity_id=8)
    add_event(app, world.office_b, entity_type="guidance_template", entity_id=9)
    consul = client_for("a", Role.CONSUL)
    response = consul.get("/admin/audit/export.csv?entity_type=guidance_template")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["entity_id"] for row in table] == ["7"]
    assert table[0]["fields"] == "'=SUM(A1:A2)"
    assert '"=HYPERLINK' in table[0]["details"]  # inside JSON, not at the cell's start
    for value in table[0].values():
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert audit.spreadsheet_safe("=1+1") == "'=1+1"
    assert audit.spreadsheet_safe("-2") == "'-2" and audit.spreadsheet_safe("\tx") == "'\tx"
    assert audit.spreadsheet_safe("ok") == "ok" and audit.spreadsheet_safe(None) == ""
    exports = rows(app, select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT))
    assert len(exports) == 1
    assert exports[0].details == {"filters": {"entity_type": "guidance_template"}, "rows": 1}
    assert exports[0].user_id == world.user("a", Role.CONSUL).id


def test_password_is_not_in_any_audit_row(app, client_for, world):
    client_for("a", Role.ADMIN).post("/admin/users/new", data={
        **NEW_USER, "office_id": str(world.office_a.id)})
    with app.app_context():
        dumped = " ".join(str((e.fields, e.details)) for e in db.session.scalars(
            select(AuditEvent)))
    assert "a long initial passphrase" not in dumped and "aigul" not in dumped.lower()
    assert PASSWORD not in dumped


def test_admin_forms_without_the_csrf_token_change_nothing(app, client_for, world):
    admin = client_for("a", Role.ADMIN)
    del admin.environ_base["HTTP_X_CSRFTOKEN"]
    refused = admin.post("/admin/users/new", data={**NEW_USER,
                                                   "office_id": str(world.office_a.id)})
    assert refused.status_code == 400 and "text/html" in refused.content_type
    operator = world.user("a", Role.OPERATOR)
    assert admin.post(f"/admin/users/{operator.id}/deactivate").status_code == 400
    assert rows(app, select(func.count()).select_from(User).where(
        User.email == "aigul@example.org")) == [0]
    assert rows(app, select(User.active).where(User.id == operator.id)) == [True]
