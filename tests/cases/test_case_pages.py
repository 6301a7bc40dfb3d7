"""The staff case pages through the Flask test client: the filtered list, the case page and
each of its forms, stale edits, "my tasks", permissions, CSRF and office scoping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from tests.cases.test_cases_api import open_case
from tests.conftest import login, scalar
from tests.leaflets import test_leaflets
from tests.migrants.test_migrants_api import ASANOV

published_template = test_leaflets.template_id  # a published guidance template (fixture)

PETROVA = {"surname_cyrl": "Петрова", "given_names_cyrl": "Айгуль", "surname_latn": "Petrova",
           "given_names_latn": "Aigul", "phones": [{"number": "+996 700 111 222"}],
           "consents": [{"purpose": "case_handling", "method": "verbal_on_call",
                         "given_on": "2026-11-01"}]}


def html(response) -> str:
    return response.get_data(as_text=True)


def rows(app, sql: str, **params):
    with app.app_context():
        return [tuple(r) for r in db.session.execute(text(sql), params).all()]


def set_language(app, user, language: str) -> None:
    with app.app_context():
        db.session.execute(text("UPDATE users SET preferred_language = :lang WHERE id = :id"),
                           {"lang": language, "id": user.id})
        db.session.commit()


@pytest.fixture
def english(app, world):
    """The operator of office a reads the interface in English."""
    set_language(app, world.user("a"), "en")


def two_cases(client):
    first = open_case(client)
    petrova = client.post("/api/v1/migrants", json=PETROVA).get_json()["id"]
    second = open_case(client, migrant_id=petrova, category="wage_labour_dispute",
                       summary="Unpaid wages", facts={"employer": "OOO Stroy"},
                       priority="urgent")
    return first, second


# --- the list ---------------------------------------------------------------------------------

def test_case_list_shows_translated_rows_with_urgent_first(operator_a):
    first, second = two_cases(operator_a)
    page = html(operator_a.get("/cases"))
    assert "2 дела, " in page and "срочных: 1" in page
    assert page.index("Петрова Айгуль") < page.index("Асанов Бакыт")  # urgent first
    assert "Повестка о мобилизации" in page and "Трудовой спор или невыплата" in page
    assert 'class="badge priority-urgent">Срочный' in page
    assert "Не назначено" in page


def test_filters_by_status_priority_and_assignee(app, operator_a, world, english):
    first, second = two_cases(operator_a)
    operator_a.post(f"/cases/{first['id']}/assignee",
                    data={"version": first["version"], "assignee_id": world.user("a").id})
    only_urgent = html(operator_a.get("/cases?priority=urgent"))
    assert "Petrova" in only_urgent or "Петрова" in only_urgent
    assert "Асанов" not in only_urgent
    mine = html(operator_a.get("/cases?assignee=me"))
    assert "Асанов" in mine and "Петрова" not in mine
    nobody = html(operator_a.get("/cases?assignee=unassigned"))
    assert "Петрова" in nobody and "Асанов" not in nobody
    assert "Асанов" not in html(operator_a.get("/cases?status=closed"))


def test_due_filter_finds_overdue_and_today_tasks(app, operator_a, world, english):
    first, second = two_cases(operator_a)
    today = date.today()  # the test office is in Moscow; tasks a day apart stay apart
    for case, due in ((first, today - timedelta(days=3)), (second, today + timedelta(days=5))):
        operator_a.post(f"/api/v1/cases/{case['id']}/tasks",
                        json={"title": "Call back", "due_on": due.isoformat()})
    overdue = html(operator_a.get("/cases?due=overdue"))
    assert "Асанов" in overdue and "Петрова" not in overdue
    assert "1 case" in overdue


def test_free_text_is_searched_by_post_in_either_script_and_by_case_number(operator_a):
    first, second = two_cases(operator_a)
    for query in ("Asanov", "Асанов", "asanof bakyt"):
        page = html(operator_a.post("/cases", data={"q": query}))
        assert "Асанов Бакыт" in page and "Петрова" not in page, query
    by_number = html(operator_a.post("/cases", data={"q": f"#{second['id']}"}))
    assert "Петрова" in by_number and "Асанов" not in by_number
    # The typed text stays in the field, and the form never puts it into a URL.
    page = html(operator_a.post("/cases", data={"q": "Асанов"}))
    assert 'value="Асанов"' in page and 'method="post" action="/cases"' in page


def test_blank_free_text_filters_nothing(operator_a):
    two_cases(operator_a)
    page = html(operator_a.post("/cases", data={"q": "   "}))
    assert "Асанов" in page and "Петрова" in page


def test_free_text_in_a_url_is_ignored(operator_a):
    two_cases(operator_a)
    page = html(operator_a.get("/cases?q=Петрова"))
    assert "Асанов" in page and "Петрова" in page and 'value="Петрова"' not in page


def test_bad_filter_values_are_shown_beside_the_filter_in_russian(operator_a):
    two_cases(operator_a)
    response = operator_a.get("/cases?status=lost&assignee=everyone&due=yesterday")
    assert response.status_code == 422
    page = html(response)
    for name in ("status", "assignee", "due"):
        assert f'<p class="field-error" id="error-{name}">Выберите одно из предложенных значений.' \
            in page, name
    assert 'aria-describedby="error-status"' in page
    assert "Асанов" not in page  # no results under invalid filters


def test_a_colleague_of_another_office_is_not_a_filter(operator_a, world):
    two_cases(operator_a)
    response = operator_a.get(f"/cases?assignee={world.user('b').id}")
    assert response.status_code == 422
    assert "В вашем представительстве нет такого сотрудника." in html(response)


def test_the_list_pages_through_many_cases(app, operator_a, english):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    for _ in range(27):
        open_case(operator_a, migrant_id=migrant_id)
    first = html(operator_a.get("/cases"))
    assert "27 cases" in first and "Page 1 of 2" in first and first.count('href="/cases/') == 25
    second = html(operator_a.post("/cases", data={"page": "2", "sort": "updated"}))
    assert "Page 2 of 2" in second and second.count('href="/cases/') == 2


def test_the_list_search_is_audited_without_the_text(app, operator_a):
    two_cases(operator_a)
    operator_a.post("/cases", data={"q": "Асанов"})
    details = rows(app, "SELECT details FROM audit_events WHERE entity_type = 'case' "
                   "AND action = 'search'")
    assert details and all("Асанов" not in str(d) and "Asanov" not in str(d) for d in details)


# --- the case page ----------------------------------------------------------------------------

def test_case_page_shows_the_migrant_facts_and_forms(operator_a):
    case = open_case(operator_a)
    page = html(operator_a.get(f"/cases/{case['id']}"))
    assert "Асанов Бакыт" in page and "Asanov Bakyt" in page
    assert "+79123456789" in page and "Киргизия" in page and "Россия" in page
    assert "<dt>Дата получения</dt><dd>20 нояб. 2026" in page  # a fact, labelled
    assert "Военкомат" not in page and "Military commissariat, Moscow" in page
    # Only the moves the workflow allows, as buttons.
    assert 'name="to" value="in_progress"' in page and 'name="to" value="closed"' in page
    assert 'value="resolved"' not in page


def test_the_timeline_merges_calls_notes_and_status_changes_in_time_order(app, operator_a):
    case = open_case(operator_a)
    operator_a.post("/api/v1/calls", json={"case_id": case["id"], "summary": "Первый звонок"})
    operator_a.post(f"/api/v1/cases/{case['id']}/transitions",
                    json={"to": "in_progress", "version": case["version"]})
    operator_a.post(f"/api/v1/cases/{case['id']}/notes", json={"body": "Позже заметка"})
    page = html(operator_a.get(f"/cases/{case['id']}"))
    timeline = page[page.index('id="timeline-heading"'):]
    positions = [timeline.index(text) for text in (
        "Первый звонок", "Новое → В работе", "Позже заметка")]
    assert positions == sorted(positions)


def test_adding_a_note_stores_it_and_shows_it_on_the_timeline(app, operator_a):
    case = open_case(operator_a)
    response = operator_a.post(f"/cases/{case['id']}/notes",
                               data={"version": case["version"], "body": "Перезвонил, ждёт"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/cases/{case['id']}#note")
    assert rows(app, "SELECT body FROM case_notes") == [("Перезвонил, ждёт",)]
    page = html(operator_a.get(f"/cases/{case['id']}"))
    assert "Заметка добавлена." in page and "Перезвонил, ждёт" in page


def test_an_empty_note_is_refused_beside_the_field_in_russian(app, operator_a):
    case = open_case(operator_a)
    response = operator_a.post(f"/cases/{case['id']}/notes",
                               data={"version": case["version"], "body": ""})
    assert response.status_code == 422
    assert '<p class="field-error" id="error-body">Обязательное поле.</p>' in html(response)
    assert rows(app, "SELECT count(*) FROM case_notes") == [(0,)]


def test_a_stale_note_shows_who_changed_the_case_and_keeps_the_text(app, client_for, world):
    operator, lawyer = client_for("a", Role.OPERATOR), client_for("a", Role.LAWYER)
    case = open_case(operator)
    moved = lawyer.post(f"/cases/{case['id']}/status",
                        data={"version": case["version"], "to": "in_progress"})
    assert moved.status_code == 303
    stale = operator.post(f"/cases/{case['id']}/notes",
                          data={"version": case["version"], "body": "Текст, который я набрал"})
    assert stale.status_code == 409
    page = html(stale)
    assert f"{world.user('a', Role.LAWYER).name} изменил(а) это дело" in page
    assert ">Текст, который я набрал</textarea>" in page
    assert f'name="version" value="{case["version"] + 1}"' in page  # sending again will work
    assert rows(app, "SELECT count(*) FROM case_notes") == [(0,)]
    again = operator.post(f"/cases/{case['id']}/notes", data={
        "version": case["version"] + 1, "body": "Текст, который я набрал"})
    assert again.status_code == 303
    assert rows(app, "SELECT body FROM case_notes") == [("Текст, который я набрал",)]


def test_tasks_are_added_and_marked_done(app, operator_a, world):
    case = open_case(operator_a)
    due = (date.today() + timedelta(days=2)).isoformat()
    added = operator_a.post(f"/cases/{case['id']}/tasks", data={
        "version": case["version"], "title": "Позвонить", "due_on": due,
        "assignee_id": world.user("a").id})
    assert added.status_code == 303
    task_id, assignee = rows(app, "SELECT id, assignee_id FROM case_tasks")[0]
    assert assignee == world.user("a").id
    version = case["version"] + 1  # a task bumps the case version
    done = operator_a.post(f"/cases/{case['id']}/tasks/{task_id}/done",
                           data={"version": version})
    assert done.status_code == 303
    assert rows(app, "SELECT done_at IS NOT NULL FROM case_tasks") == [(True,)]
    timeline = html(operator_a.get(f"/cases/{case['id']}"))
    assert "Задача выполнена" in timeline and "Нет открытых задач." in timeline


def test_a_task_without_a_date_keeps_its_title_and_says_what_is_missing(app, operator_a):
    case = open_case(operator_a)
    response = operator_a.post(f"/cases/{case['id']}/tasks", data={
        "version": case["version"], "title": "Позвонить", "due_on": "завтра"})
    assert response.status_code == 422
    page = html(response)
    assert "Введите дату в виде ГГГГ-ММ-ДД." in page
    assert 'value="Позвонить"' in page
    assert rows(app, "SELECT count(*) FROM case_tasks") == [(0,)]


def test_a_task_for_another_offices_user_is_refused_beside_its_own_field(app, operator_a, world):
    case = open_case(operator_a)
    response = operator_a.post(f"/cases/{case['id']}/tasks", data={
        "version": case["version"], "title": "Позвонить", "due_on": "2026-12-01",
        "assignee_id": world.user("b").id})
    assert response.status_code == 422
    page = html(response)
    assert '<a href="#field-task_assignee_id">' in page
    assert ('<p class="field-error" id="error-task_assignee_id">'
            'В вашем представительстве нет такого сотрудника.</p>') in page
    assert rows(app, "SELECT count(*) FROM case_tasks") == [(0,)]


def test_status_moves_only_as_the_workflow_allows_and_shows_on_the_timeline(app, operator_a):
    case = open_case(operator_a)
    refused = operator_a.post(f"/cases/{case['id']}/status",
                              data={"version": case["version"], "to": "resolved"})
    assert refused.status_code == 422 and 'id="error-to"' in html(refused)
    moved = operator_a.post(f"/cases/{case['id']}/status", data={
        "version": case["version"], "to": "in_progress", "reason": "Взяли в работу"})
    assert moved.status_code == 303
    assert rows(app, "SELECT status FROM cases") == [("in_progress",)]
    page = html(operator_a.get(f"/cases/{case['id']}"))
    assert "Новое → В работе" in page and "Взяли в работу" in page
    assert 'value="waiting"' in page and 'value="in_progress"' not in page


def test_assignment_and_priority_change_through_the_page(app, operator_a, world):
    case = open_case(operator_a)
    # A consul: assigning to a lawyer needs the migrant's consent to sharing (tests/privacy).
    lawyer = world.user("a", Role.CONSUL)
    assert operator_a.post(f"/cases/{case['id']}/assignee", data={
        "version": case["version"], "assignee_id": lawyer.id}).status_code == 303
    assert operator_a.post(f"/cases/{case['id']}/priority", data={
        "version": case["version"] + 1, "priority": "high"}).status_code == 303
    assert rows(app, "SELECT assignee_id, priority FROM cases") == [(lawyer.id, "high")]
    assert operator_a.post(f"/cases/{case['id']}/assignee", data={
        "version": case["version"] + 2, "assignee_id": ""}).status_code == 303
    assert rows(app, "SELECT assignee_id FROM cases") == [(None,)]


def test_assigning_to_another_offices_user_is_refused_beside_the_field(app, operator_a, world):
    case = open_case(operator_a)
    response = operator_a.post(f"/cases/{case['id']}/assignee", data={
        "version": case["version"], "assignee_id": world.user("b").id})
    assert response.status_code == 422
    assert "В вашем представительстве нет такого сотрудника." in html(response)
    assert rows(app, "SELECT assignee_id FROM cases") == [(None,)]


def test_a_bad_priority_is_refused(app, operator_a):
    case = open_case(operator_a)
    response = operator_a.post(f"/cases/{case['id']}/priority",
                               data={"version": case["version"], "priority": "whenever"})
    assert response.status_code == 422 and 'id="error-priority"' in html(response)


def test_superseded_guidance_is_flagged_with_a_link_to_its_replacement(client_for,
                                                                     published_template):
    template_id = published_template
    operator = client_for("a")
    case = open_case(operator)
    given = operator.post(f"/api/v1/cases/{case['id']}/guidance/given",
                          json={"template_id": template_id, "language": "ru"})
    assert given.status_code == 201, given.get_json()
    before = html(operator.get(f"/cases/{case['id']}"))
    assert "Консультация дана" in before and "Устарело" not in before
    new_id = test_leaflets.new_template_version(client_for, template_id)
    page = html(operator.get(f"/cases/{case['id']}"))
    assert "Устарело" in page
    assert f'<a href="#replacement-{new_id}">Заменено: KG-RU-MOBILISATION v2</a>' in page
    assert f'id="replacement-{new_id}"' in page and "Новая редакция." in page
    assert "Ничего не подписывайте." in page  # what was said stays as it was said


# --- another consulate, roles, CSRF ------------------------------------------------------------

def test_another_consulates_case_is_a_404_page_on_every_route(app, operator_a, operator_b):
    case = open_case(operator_a)
    task_id = operator_a.post(f"/api/v1/cases/{case['id']}/tasks", json={
        "title": "x", "due_on": "2026-12-01"}).get_json()["id"]
    attempts = [
        ("GET", f"/cases/{case['id']}", None),
        ("POST", f"/cases/{case['id']}/notes", {"version": 2, "body": "x"}),
        ("POST", f"/cases/{case['id']}/tasks",
         {"version": 2, "title": "x", "due_on": "2026-12-01"}),
        ("POST", f"/cases/{case['id']}/tasks/{task_id}/done", {"version": 2}),
        ("POST", f"/cases/{case['id']}/status", {"version": 2, "to": "in_progress"}),
        ("POST", f"/cases/{case['id']}/assignee", {"version": 2, "assignee_id": ""}),
        ("POST", f"/cases/{case['id']}/priority", {"version": 2, "priority": "low"}),
    ]
    for method, path, form in attempts:
        response = operator_b.open(path, method=method, data=form)
        assert response.status_code == 404, (method, path)
        page = html(response)
        assert "Не найдено" in page
        assert "Асанов" not in page and "Asanov" not in page and "summons" not in page
    assert rows(app, "SELECT status, priority, version FROM cases") == [("new", "normal", 2)]
    assert rows(app, "SELECT count(*) FROM case_notes") == [(0,)]
    assert "Асанов" not in html(operator_b.get("/cases"))
    assert "Асанов Бакыт" not in html(operator_b.post("/cases", data={"q": "Асанов"}))


@pytest.mark.parametrize("path", ["/cases", "/tasks", "/cases/1"])
def test_managers_and_admins_may_not_open_case_pages(client_for, path):
    for role in (Role.MANAGER, Role.ADMIN):
        response = client_for("a", role).get(path)
        assert response.status_code == 403, (role, path)


def test_case_forms_need_the_csrf_token(app, operator_a, world):
    case = open_case(operator_a)
    bare = login(app.test_client(), world.user("a"))
    del bare.environ_base["HTTP_X_CSRFTOKEN"]
    for path, form in ((f"/cases/{case['id']}/notes", {"version": 1, "body": "x"}),
                       (f"/cases/{case['id']}/priority", {"version": 1, "priority": "low"}),
                       ("/cases", {"q": "Асанов"})):
        response = bare.post(path, data=form)
        assert response.status_code == 400, path
    assert scalar(app, "SELECT count(*) FROM case_notes") == 0
    assert scalar(app, "SELECT priority FROM cases") == "normal"


# --- my tasks ---------------------------------------------------------------------------------

def test_my_tasks_lists_what_is_due_today_or_overdue_and_marks_it_done(app, operator_a, world):
    first, second = two_cases(operator_a)
    me = world.user("a").id
    today = date.today()
    for case, title, due, who in ((first, "Перезвонить сегодня", today, me),
                                  (second, "Просрочено", today - timedelta(days=2), me),
                                  (second, "Потом", today + timedelta(days=4), me),
                                  (first, "Чужая", today, world.user("a", Role.LAWYER).id)):
        operator_a.post(f"/api/v1/cases/{case['id']}/tasks",
                        json={"title": title, "due_on": due.isoformat(), "assignee_id": who})
    page = html(operator_a.get("/tasks"))
    assert "Перезвонить сегодня" in page and "Просрочено" in page
    assert "Потом" not in page and "Чужая" not in page
    assert page.index("Просрочено") < page.index("Перезвонить сегодня")
    task_id = scalar(app, "SELECT id FROM case_tasks WHERE title = 'Просрочено'")
    done = operator_a.post(f"/cases/{second['id']}/tasks/{task_id}/done",
                           data={"next": "/tasks"})
    assert done.status_code == 303 and done.headers["Location"] == "/tasks"
    assert "Просрочено" not in html(operator_a.get("/tasks"))


def test_the_list_costs_the_same_statements_for_3_or_20_cases(operator_a, count_statements):
    migrant_id = operator_a.post("/api/v1/migrants", json=ASANOV).get_json()["id"]
    for _ in range(3):
        open_case(operator_a, migrant_id=migrant_id)
    with count_statements() as few:
        assert operator_a.get("/cases?assignee=unassigned").status_code == 200
    for _ in range(17):
        open_case(operator_a, migrant_id=migrant_id)
    with count_statements() as many:
        assert operator_a.get("/cases?assignee=unassigned").status_code == 200
    assert len(many.statements) == len(few.statements)
