"""`flask seed-demo` and `flask generate`: counts, valid phones and facts, both scripts."""

from __future__ import annotations

import random
import re

import phonenumbers
import pytest
from flask import Flask
from sqlalchemy import func, select

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.calls.models import Call, CallDirection
from migrantdesk.cases.facts import validate_facts
from migrantdesk.cases.models import Case
from migrantdesk.core.db import db
from migrantdesk.core.text import document_key, search_key
from migrantdesk.demo.people import MOBILE_PLANS, mobile_number
from migrantdesk.migrants.consent import consented_migrant_ids
from migrantdesk.migrants.models import (
    ConsentPurpose,
    IdentityDocument,
    Migrant,
    MigrantNameWord,
    MigrantPhone,
)
from migrantdesk.migrants.name_words import name_words
from migrantdesk.offices.models import Office

CYRILLIC = re.compile("[\u0400-\u04ff]")
LATIN = re.compile("[A-Za-z]")


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def carried_words() -> dict[int, set[str]]:
    carried: dict[int, set[str]] = {}
    for migrant_id, word in db.session.execute(select(MigrantNameWord.migrant_id,
                                                      MigrantNameWord.word)):
        carried.setdefault(migrant_id, set()).add(word)
    return carried


def is_valid_e164(number: str) -> bool:
    parsed = phonenumbers.parse(number, None)
    return (phonenumbers.is_valid_number(parsed)
            and phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number)


@pytest.fixture
def seeded(app: Flask):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        yield result.output
        db.session.remove()


@pytest.mark.parametrize("country", sorted(MOBILE_PLANS))
def test_mobile_numbers_of_every_operator_prefix_are_valid(country: str) -> None:
    rng = random.Random(country)
    numbers = {mobile_number(rng, country) for _ in range(500)}
    assert all(is_valid_e164(number) for number in numbers)
    regions = {phonenumbers.region_code_for_number(phonenumbers.parse(n)) for n in numbers}
    assert regions == {country}


def test_seed_demo_builds_three_consulates_and_prints_the_login(seeded: str) -> None:
    assert (count(Office), count(User), count(Migrant), count(Case), count(Call)) == (
        3, 10, 2000, 3000, 6000)
    assert "Demo login: operator@kg-moscow.demo / demo-password-2026" in seeded
    operator = db.session.scalars(select(User).where(User.email == "operator@kg-moscow.demo")).one()
    assert operator.role == "operator"
    assert db.session.get_one(Office, operator.office_id).code == "kg-moscow"
    assert {office.host_country for office in db.session.scalars(select(Office))} == {"RU"}


def test_seed_demo_phones_are_valid_e164(seeded: str) -> None:
    phones = list(db.session.scalars(select(MigrantPhone.e164)))
    callers = [phone for phone in db.session.scalars(select(Call.caller_phone)) if phone]
    hotlines = [n for office in db.session.scalars(select(Office)) for n in office.hotline_numbers]
    invalid = [n for n in phones + callers + hotlines if not is_valid_e164(n)]
    assert invalid == []
    prefixes = ("+996", "+998", "+992", "+993", "+79", "+77")  # ... Russian and Kazakh SIMs
    assert all(any(p.startswith(prefix) for p in phones) for prefix in prefixes)


def test_seed_demo_case_facts_pass_validation(seeded: str) -> None:
    cases = db.session.execute(select(Case.category, Case.facts)).all()
    for category, facts in cases:
        assert facts
        assert validate_facts(category, facts) == facts
    categories = {category for category, _ in cases}
    assert {"mobilisation_notice", "military_contract_pressure", "dual_citizenship_risk",
            "document_status", "stay_limit_overrun", "wage_labour_dispute"} <= categories


def test_seed_demo_names_come_in_both_scripts_with_search_keys(seeded: str) -> None:
    migrants = list(db.session.scalars(select(Migrant)))
    assert any(CYRILLIC.search(m.surname_cyrl or "") for m in migrants)
    assert any(LATIN.search(m.surname_latn or "") for m in migrants)
    assert any(m.surname_cyrl and m.surname_latn for m in migrants)
    assert any(m.surname_cyrl is None for m in migrants)
    assert any("\u02bb" in (m.surname_latn or "") + (m.given_names_latn or "") for m in migrants)
    carried = carried_words()
    for m in migrants:
        assert m.search_key == search_key(m.surname_cyrl, m.given_names_cyrl, m.surname_latn,
                                          m.given_names_latn)
        assert carried[m.id] == set(name_words(m.search_key))
    for number, key in db.session.execute(select(IdentityDocument.number,
                                                 IdentityDocument.number_key)):
        assert key == document_key(number)


def test_seed_demo_refuses_a_database_with_offices(app: Flask, seeded: str) -> None:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "already has offices" in result.output
    assert count(Migrant) == 2000


def test_demo_operator_can_log_in(app: Flask, seeded: str) -> None:
    client = app.test_client()
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get("/api/v1/auth/csrf").get_json()[
        "csrf_token"]
    response = client.post("/api/v1/auth/login", json={
        "email": "operator@kg-moscow.demo", "password": "demo-password-2026"})
    assert response.status_code == 200, response.get_json()


def test_generate_creates_the_requested_rows_in_an_empty_database(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["generate", "--migrants", "500", "--cases", "200", "--calls", "300"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (count(Office), count(Migrant), count(Case), count(Call)) == (1, 500, 200, 300)
        assert count(MigrantPhone) == count(IdentityDocument) == 500
        assert all(is_valid_e164(p) for p in db.session.scalars(select(MigrantPhone.e164)))
        carried = carried_words()
        for migrant_id, key in db.session.execute(select(Migrant.id, Migrant.search_key)):
            assert carried[migrant_id] == set(name_words(key))
        for category, facts in db.session.execute(select(Case.category, Case.facts)):
            assert validate_facts(category, facts) == facts
        db.session.remove()


def test_generate_is_repeatable_and_fills_the_office_asked_for(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    for _ in range(2):
        result = runner.invoke(args=["generate", "--migrants", "30", "--calls", "10",
                                     "--office", "uz-kazan", "--seed", "7"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        office = db.session.scalars(select(Office).where(Office.code == "uz-kazan")).one()
        keys = list(db.session.scalars(select(Migrant.search_key).where(
            Migrant.office_id == office.id).order_by(Migrant.id.desc()).limit(60)))
        assert keys[:30] == keys[30:]
        db.session.remove()


def test_generate_rejects_an_unknown_office(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["generate", "--migrants", "1", "--office", "xx"])
    assert result.exit_code != 0
    assert "no office" in result.output


def test_seed_demo_consents_are_realistic_and_match_what_was_done(seeded: str) -> None:
    migrants = set(db.session.scalars(select(Migrant.id)))

    def consenting(purpose: ConsentPurpose) -> set[int]:
        return set(db.session.scalars(consented_migrant_ids(purpose)))

    handling, statistics = consenting(ConsentPurpose.CASE_HANDLING), consenting(
        ConsentPurpose.STATISTICS)
    assert 0.9 * len(migrants) <= len(handling) < len(migrants)  # a few withdrew
    assert 0.6 * len(migrants) <= len(statistics) <= 0.85 * len(migrants)
    lawyers = select(User.id).where(User.role == Role.LAWYER)
    with_lawyer = set(db.session.scalars(select(Case.migrant_id).where(
        Case.assignee_id.in_(lawyers))))
    assert with_lawyer and with_lawyer <= consenting(ConsentPurpose.SHARING_WITH_LAWYER)
    called_back = set(db.session.scalars(select(Call.migrant_id).where(
        Call.direction == CallDirection.OUTBOUND, Call.migrant_id.is_not(None))))
    assert called_back and called_back <= consenting(ConsentPurpose.CALL_BACK)
