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
