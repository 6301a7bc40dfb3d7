from __future__ import annotations

from sqlalchemy import text

from migrantdesk.core.db import db

ASANOV = {
    "surname_cyrl": "Асанов", "given_names_cyrl": "Бакыт",
    "surname_latn": "Asanov", "given_names_latn": "Bakyt",
    "birth_date": "1990-04-12", "home_region": "Osh", "host_city": "Moscow",
    "phones": [{"number": "8 (912) 345-67-89", "label": "mobile"},
               {"number": "+996 555 123 456"}],
    "citizenships": [{"country": "KG", "acquired_how": "birth"},
                     {"country": "RU", "acquired_how": "simplified", "acquired_on": "2015-06-01"}],
    "documents": [{"kind": "foreign_passport", "number": "AC 1234567", "issuing_country": "KG",
                   "issued_on": "2019-01-10", "expires_on": "2029-01-09"}],
    "consents": [{"purpose": "case_handling", "method": "verbal_on_call",
                  "given_on": "2026-11-01"}],
}


def count(app, table: str) -> int:
    with app.app_context():
        return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


def test_operator_registers_migrant_with_phones_normalised_to_e164(app, operator_a):
    response = operator_a.post("/api/v1/migrants", json=ASANOV)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [p["e164"] for p in body["phones"]] == ["+79123456789", "+996555123456"]
    assert {c["country"] for c in body["citizenships"]} == {"KG", "RU"}
    assert body["documents"][0]["status"] == "valid"
    assert body["version"] == 1
    assert count(app, "migrants") == 1


def test_reading_a_migrant_is_audited_without_personal_values(app, operator_a, world):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    assert operator_a.get(f"/api/v1/migrants/{migrant_id}").status_code == 200
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT action, entity_type, entity_id, user_id, office_id, fields, details "
            "FROM audit_events WHERE entity_type = 'migrant' ORDER BY id")).all()
    assert [r.action for r in rows] == ["create", "read"]
    read = rows[1]
    assert (read.entity_id, read.user_id, read.office_id) == (
        migrant_id, world.user("a").id, world.office_a.id)
    assert "Асанов" not in str(rows) and "Asanov" not in str(rows)


def test_impossible_phone_is_rejected_naming_the_field_and_nothing_is_written(app, operator_a):
    response = operator_a.post("/api/v1/migrants",
                               json={**ASANOV, "phones": [{"number": "+7 123"}]})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert "number" in error["fields"]["phones"]["0"]
    assert count(app, "migrants") == 0


def test_birth_date_in_the_future_is_rejected(app, operator_a):
    response = operator_a.post("/api/v1/migrants", json={**ASANOV, "birth_date": "2999-01-01"})
    assert response.status_code == 422
    assert "birth_date" in response.get_json()["error"]["fields"]


def test_unknown_field_and_wrong_type_are_named(operator_a):
    response = operator_a.post("/api/v1/migrants",
                               json={**ASANOV, "nickname": "Baha", "birth_date": 1990})
    fields = response.get_json()["error"]["fields"]
    assert response.status_code == 422
    assert set(fields) >= {"nickname", "birth_date"}


def test_malformed_json_gets_400(app, operator_a):
    response = operator_a.post("/api/v1/migrants", data="{not json",
                               content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_json"
    assert count(app, "migrants") == 0


def test_body_over_the_size_limit_gets_413(app, operator_a):
    response = operator_a.post("/api/v1/migrants",
                               json={**ASANOV, "home_region": "x" * 300_000})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"
    assert count(app, "migrants") == 0


def test_a_surname_in_some_script_is_required(operator_a):
    response = operator_a.post("/api/v1/migrants", json={"given_names_latn": "Bakyt"})
    assert response.status_code == 422
    assert "surname_cyrl" in response.get_json()["error"]["fields"]


def test_stale_update_gets_409_and_the_other_change_stays(app, operator_a, client_for):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    colleague = client_for("a", "lawyer")
    first = colleague.patch(f"/api/v1/migrants/{migrant_id}",
                            json={"version": 1, "host_city": "Saint Petersburg"})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    stale = operator_a.patch(f"/api/v1/migrants/{migrant_id}",
                             json={"version": 1, "host_city": "Kazan"})
    assert stale.status_code == 409
    assert stale.get_json()["error"]["current_version"] == 2
    assert operator_a.get(f"/api/v1/migrants/{migrant_id}").get_json()["host_city"] == (
        "Saint Petersburg")


def test_update_replaces_phones_and_refreshes_the_search_key(app, operator_a):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    response = operator_a.patch(f"/api/v1/migrants/{migrant_id}", json={
        "version": 1, "surname_latn": "Khasanov", "phones": [{"number": "+998 90 123 45 67"}]})
    assert response.status_code == 200
    assert [p["e164"] for p in response.get_json()["phones"]] == ["+998901234567"]
    with app.app_context():
        key = db.session.execute(text("SELECT search_key FROM migrants")).scalar_one()
        fields = db.session.execute(text(
            "SELECT fields FROM audit_events WHERE action = 'update'")).scalar_one()
    assert "hasanov" in key and "asanov" in key
    assert "phones" in str(fields) and "surname_latn" in str(fields)
