from __future__ import annotations

import pytest

from tests.cases.test_cases_api import open_case
from tests.migrants.test_migrants_api import ASANOV

KHASANOV = {"surname_cyrl": "Хасанов", "given_names_cyrl": "Рустам",
            "phones": [{"number": "+998 90 765 43 21"}],
            "documents": [{"kind": "national_passport", "number": "AB 7654321"}]}
GAFUROV = {"surname_latn": "Gʻafurov", "given_names_latn": "Jamshid",
           "phones": [{"number": "+992 93 555 1234"}]}
ZHUMABEKOV = {"surname_latn": "Zhumabekov", "given_names_latn": "Nurlan",
              "phones": [{"number": "+7 701 234 5678"}]}


@pytest.fixture
def registry(operator_a):
    ids = {}
    for key, person in (("asanov", ASANOV), ("khasanov", KHASANOV), ("gafurov", GAFUROV),
                        ("zhumabekov", ZHUMABEKOV)):
        response = operator_a.post("/api/v1/migrants", json=person)
        assert response.status_code == 201, response.get_json()
        ids[key] = response.get_json()["id"]
    return ids


def search(client, q):
    response = client.get("/api/v1/calls/caller-search", query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def top_id(client, q):
    found = search(client, q)["migrants"]
    assert found, f"nothing found for {q!r}"
    return found[0]["id"]


def test_call_is_logged_before_the_caller_is_identified_and_linked_later(operator_a, registry):
    call = operator_a.post("/api/v1/calls", json={"caller_phone": "8 912 345 67 89",
                                                  "language": "ky"})
    assert call.status_code == 201, call.get_json()
    body = call.get_json()
    assert body["caller_phone"] == "+79123456789" and body["migrant_id"] is None
    case = open_case(operator_a, migrant_id=registry["asanov"])
    linked = operator_a.post(f"/api/v1/calls/{body['id']}/link", json={"case_id": case["id"]})
    assert linked.status_code == 200
    assert linked.get_json()["migrant_id"] == registry["asanov"]
    ended = operator_a.patch(f"/api/v1/calls/{body['id']}", json={
        "ended_at": "2099-01-01T10:00:00+00:00", "summary": "Advised on the summons"})
    assert ended.get_json()["summary"] == "Advised on the summons"
    assert [c["id"] for c in operator_a.get(
        f"/api/v1/calls?case_id={case['id']}").get_json()] == [body["id"]]


def test_linking_a_case_of_another_migrant_is_refused(operator_a, registry):
    case = open_case(operator_a, migrant_id=registry["asanov"])
    call = operator_a.post("/api/v1/calls", json={}).get_json()
    response = operator_a.post(f"/api/v1/calls/{call['id']}/link", json={
        "migrant_id": registry["khasanov"], "case_id": case["id"]})
    assert response.status_code == 422
    assert "case_id" in response.get_json()["error"]["fields"]


def test_impossible_caller_phone_is_refused(operator_a):
    response = operator_a.post("/api/v1/calls", json={"caller_phone": "12345"})
    assert response.status_code == 422
    assert "caller_phone" in response.get_json()["error"]["fields"]


def test_call_that_ends_before_it_starts_is_refused(operator_a):
    response = operator_a.post("/api/v1/calls", json={
        "started_at": "2026-11-20T10:00:00+03:00", "ended_at": "2026-11-20T09:00:00+03:00"})
    assert response.status_code == 422
    assert "ended_at" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("typed", ["+79123456789", "8 (912) 345-67-89", "9123456789",
                                   "+996555123456", "0555 123 456", "555-123-456"])
def test_repeat_caller_is_found_by_phone_in_any_format(operator_a, registry, typed):
    assert top_id(operator_a, typed) == registry["asanov"]


@pytest.mark.parametrize(("typed", "who"), [
    ("Асанов", "asanov"), ("asanov", "asanov"), ("ASANOV BAKYT", "asanov"),
    ("Khasanov", "khasanov"), ("Xasanov", "khasanov"), ("Hasanov", "khasanov"),
    ("Ғафуров", "gafurov"), ("Gafurov", "gafurov"), ("Ghafurov", "gafurov"),
    ("Жумабеков", "zhumabekov"), ("Jumabekov", "zhumabekov"),
    ("Asanof", "asanov"),  # a typo
])
def test_repeat_caller_is_found_by_name_across_scripts(operator_a, registry, typed, who):
    assert top_id(operator_a, typed) == registry[who]


def test_exact_spelling_ranks_above_a_similar_name(operator_a, registry):
    found = search(operator_a, "Хасанов")["migrants"]
    assert found[0]["id"] == registry["khasanov"]
    scores = [m["score"] for m in found]
    assert scores == sorted(scores, reverse=True)
    if len(found) > 1:
        assert found[0]["score"] > found[1]["score"]


def test_repeat_caller_is_found_by_document_number(operator_a, registry):
    match = search(operator_a, "ab-7654321")["migrants"][0]
    assert match["id"] == registry["khasanov"] and match["matched_on"] == ["document"]


def test_result_shows_phones_and_open_cases(operator_a, registry):
    open_case(operator_a, migrant_id=registry["asanov"])
    match = search(operator_a, "Asanov")["migrants"][0]
    assert match["open_cases"] == 1
    assert "+79123456789" in match["phones"]


def test_earlier_unidentified_calls_from_the_number_are_shown(operator_a):
    first = operator_a.post("/api/v1/calls", json={"caller_phone": "+7 916 000 11 22"})
    result = search(operator_a, "8-916-000-11-22")
    assert result["migrants"] == []
    assert [c["id"] for c in result["unlinked_calls"]] == [first.get_json()["id"]]


def test_search_needs_three_characters(operator_a):
    response = operator_a.get("/api/v1/calls/caller-search?q=As")
    assert response.status_code == 422
    assert "q" in response.get_json()["error"]["fields"]


def test_search_never_returns_another_consulates_migrants(operator_a, operator_b, registry):
    assert search(operator_b, "Asanov")["migrants"] == []
    assert search(operator_b, "+79123456789")["migrants"] == []


def register(client, **names) -> int:
    response = client.post("/api/v1/migrants", json=names)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_full_name_ranks_people_with_both_words_above_people_with_one(operator_a):
    namesake = register(operator_a, surname_latn="Asanov", given_names_latn="Nurlan")
    other_bakyt = register(operator_a, surname_cyrl="Садыров", given_names_cyrl="Бакыт")
    asanov_bakyt = register(operator_a, surname_cyrl="Асанов", given_names_cyrl="Бакыт")
    found = search(operator_a, "Asanov Bakyt")["migrants"]
    assert found[0]["id"] == asanov_bakyt and found[0]["score"] == pytest.approx(1.0)
    assert {m["id"] for m in found[1:]} == {namesake, other_bakyt}
    assert all(m["score"] == pytest.approx(0.5) for m in found[1:])


def test_a_surname_is_not_matched_across_word_boundaries(operator_a):
    # word_similarity('asanov', 'nurjanov asan') is 1: "Asan" + "ov" of the word before.
    nurjanov_asan = register(operator_a, surname_latn="Nurjanov", given_names_latn="Asan")
    asanov_bakyt = register(operator_a, surname_latn="Asanov", given_names_latn="Bakyt")
    found = search(operator_a, "Asanov")["migrants"]
    assert [m["id"] for m in found] == [asanov_bakyt, nurjanov_asan]
    assert found[0]["score"] == pytest.approx(1.0) and found[1]["score"] < 0.6


def test_a_renamed_migrant_is_found_by_the_new_name_only(operator_a, registry):
    renamed = operator_a.patch(f"/api/v1/migrants/{registry['asanov']}", json={
        "version": 1, "surname_cyrl": "Токтогулов", "surname_latn": "Toktogulov"})
    assert renamed.status_code == 200, renamed.get_json()
    assert registry["asanov"] not in [m["id"] for m in search(operator_a, "Asanov")["migrants"]]
    assert top_id(operator_a, "Токтогулов Бакыт") == registry["asanov"]


def test_name_search_loads_the_results_in_one_statement(operator_a, registry,
                                                        count_statements):
    open_case(operator_a, migrant_id=registry["asanov"])
    with count_statements() as counter:
        match = search(operator_a, "Asanov Bakyt")["migrants"][0]
    assert match["open_cases"] == 1 and len(match["phones"]) == 2
    searches = [s for s in counter.statements
                if s.lstrip().startswith("SELECT") and "migrant" in s]
    assert len(searches) == 3, searches  # words like the query's, the ranking, what is shown
