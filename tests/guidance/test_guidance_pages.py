# ruff: noqa: F811  (tests take the imported `content` fixture as an argument)
"""The guidance editor pages through the Flask test client: forms built from the API's schemas,
errors beside their fields in the user's language, the review steps, history, diffs and the
preview on a real case. World users read Russian (preferred_language "ru")."""

from __future__ import annotations

import html
import re

from sqlalchemy import select

from migrantdesk.auth.permissions import Role
from migrantdesk.core.audit import AuditEvent
from migrantdesk.core.db import db
from migrantdesk.guidance.models import ContentStatus, GuidanceRule, GuidanceTemplate
from tests.cases.test_cases_api import open_case
from tests.guidance.test_guidance_api import content  # noqa: F401  (the fixture)

NEW_BODY = "Новый текст: не подписывайте повестку, звоните в консульство."


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def template_form(client, template_id: int, **changes: str) -> dict[str, str]:
    """The new-version form as the page fills it, with some fields changed."""
    page = client.get(f"/guidance/templates/{template_id}/new-version")
    assert page.status_code == 200
    source = page.get_data(as_text=True)
    fields = dict(re.findall(r'<input id="field-[^"]+" name="([^"]+)" type="text"\s+'
                             r'value="([^"]*)"', source))
    fields |= {name: html.unescape(value) for name, value in re.findall(
        r'<textarea id="field-[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', source, re.S)}
    fields |= {name: value for name, value in re.findall(
        r'<select id="field-[^"]+" name="([^"]+)".*?<option value="([^"]*)" selected',
        source, re.S)}
    return {**fields, **changes}


def new_draft(client, template_id: int, body_ru: str = NEW_BODY) -> int:
    response = client.post(f"/guidance/templates/{template_id}/new-version",
                           data=template_form(client, template_id, body_ru=body_ru))
    assert response.status_code == 302, text_of(response)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def template(app, template_id: int) -> GuidanceTemplate:
    with app.app_context():
        found = db.session.get(GuidanceTemplate, template_id)
        db.session.expunge(found)
        return found


def test_lawyer_drafts_a_new_version_whose_form_starts_from_the_published_text(
        app, client_for, world, content):
    lawyer = client_for("a", Role.LAWYER)
    published = content["template_id"]
    form = template_form(lawyer, published)
    assert form["body_ru"].startswith("Ничего не подписывайте") and form["topic"] == \
        "mobilisation_notice" and form["provision_keys"] == "KG-CC-256"
    draft_id = new_draft(lawyer, published)
    draft = template(app, draft_id)
    assert (draft.version, draft.status, draft.body["ru"]) == (2, ContentStatus.DRAFT, NEW_BODY)
    assert draft.author_id == world.user("a", Role.LAWYER).id
    assert draft.body["en"] == template(app, published).body["en"]  # untouched languages kept
    page = text_of(lawyer.get(f"/guidance/templates/{draft_id}"))
    assert "Черновик" in page and NEW_BODY in page  # the state in the user's language
    assert lawyer.post(f"/guidance/templates/{draft_id}/submit").status_code == 302
    assert template(app, draft_id).status == ContentStatus.IN_REVIEW


def test_the_author_cannot_approve_and_a_second_lawyer_publishes(app, client_for, world,
                                                                 content):
    author = client_for("a", Role.LAWYER)
    draft_id = new_draft(author, content["template_id"])
    author.post(f"/guidance/templates/{draft_id}/submit")
    refused = author.post(f"/guidance/templates/{draft_id}/approve")
    assert refused.status_code == 403
    assert "Утвердить должен другой сотрудник: эту версию написали вы." in text_of(refused)
    assert template(app, draft_id).status == ContentStatus.IN_REVIEW
    consul = client_for("a", Role.CONSUL)
    waiting = text_of(consul.get("/guidance"))
    assert f'/guidance/templates/{draft_id}"' in waiting  # "waiting for my review" lists it
    assert f'/guidance/templates/{draft_id}"' not in text_of(author.get("/guidance")).split(
        'id="waiting-heading"')[1].split("</section>")[0]
    assert consul.post(f"/guidance/templates/{draft_id}/approve").status_code == 302
    assert template(app, draft_id).status == ContentStatus.PUBLISHED
    assert template(app, content["template_id"]).status == ContentStatus.RETIRED
    history = text_of(consul.get(f"/guidance/templates/{draft_id}"))
    assert world.user("a", Role.CONSUL).name in history and "Снято" in history


def test_editing_a_published_version_is_409_pointing_to_a_new_version(client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    for method in ("get", "post"):
        response = getattr(lawyer, method)(f"/guidance/templates/{content['template_id']}/edit")
        assert response.status_code == 409
        page = text_of(response)
        assert "не редактируется: создайте новую версию" in page or "create a new version" in page
        assert f'/guidance/templates/{content["template_id"]}/new-version' in page
        assert "<textarea" not in page


def test_rule_form_errors_stand_beside_their_fields_in_russian_and_keep_the_typed_text(
        app, client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    typed = '{"all": [{"category": ["mobilisation_notice"]},'
    response = lawyer.post("/guidance/rules/new", data={
        "key": "KG-TEST-RULE", "name": "", "conditions": typed,
        "template_keys": "KG-RU-MOBILISATION"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="error-name"' in page and "Обязательное поле." in page
    assert 'id="error-conditions"' in page and "Неверный JSON (строка 1" in html.unescape(page)
    assert html.escape(typed, quote=False) in page or html.escape(typed) in page
    assert 'value="KG-TEST-RULE"' in page
    unknown = lawyer.post("/guidance/rules/new", data={
        "key": "KG-TEST-RULE", "name": "Test", "conditions": '{"colour": ["red"]}',
        "template_keys": "KG-RU-MOBILISATION NO-SUCH-KEY"})
    assert unknown.status_code == 422
    page = text_of(unknown)
    assert 'id="error-conditions"' in page and "colour" in page
    assert 'id="error-template_keys"' in page and "NO-SUCH-KEY" in page
    with app.app_context():
        assert db.session.scalar(select(GuidanceRule).where(
            GuidanceRule.key == "KG-TEST-RULE")) is None


def test_a_new_rule_is_saved_as_a_draft_from_the_form(app, client_for, world, content):
    lawyer = client_for("a", Role.LAWYER)
    response = lawyer.post("/guidance/rules/new", data={
        "key": "KG-TEST-RULE", "name": "Test rule", "description": "",
        "conditions": '{"all": [{"origin": ["KG"]}]}',
        "template_keys": "KG-RU-MOBILISATION", "provision_keys": "KG-CC-256, RU-CC-328-1"})
    assert response.status_code == 302
    with app.app_context():
        rule = db.session.scalar(select(GuidanceRule).where(GuidanceRule.key == "KG-TEST-RULE"))
        assert rule.status == ContentStatus.DRAFT and rule.version == 1
        assert rule.conditions == {"all": [{"origin": ["KG"]}]}
        assert rule.provision_keys == ["KG-CC-256", "RU-CC-328-1"]
        assert rule.author_id == world.user("a", Role.LAWYER).id


def test_a_template_without_russian_text_is_refused_beside_the_field(client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    form = template_form(lawyer, content["template_id"], body_ru="")
    response = lawyer.post(f"/guidance/templates/{content['template_id']}/new-version",
                           data=form)
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="error-body"' in page and "ru" in page.split('id="error-body"')[1][:200]


def test_preview_shows_whether_the_rule_matches_a_case_and_the_text_read_out(
        app, client_for, operator_a, content):
    case_id = open_case(operator_a)["id"]
    lawyer = client_for("a", Role.LAWYER)
    with app.app_context():
        rule_id = db.session.scalar(select(GuidanceRule.id).where(
            GuidanceRule.key == "KG-NOTICE-IN-RU"))
    response = lawyer.post(f"/guidance/rules/{rule_id}/preview", data={"case_id": str(case_id)})
    assert response.status_code == 200
    page = text_of(response)
    assert "Правило подходит к этому делу." in page
    assert "Ничего не подписывайте" in page  # the template's Russian text, rendered
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.entity_type == "case", AuditEvent.entity_id == case_id,
            AuditEvent.action == "read")) is not None
    other_office = client_for("b", Role.LAWYER).post(
        f"/guidance/rules/{rule_id}/preview", data={"case_id": str(case_id)})
    assert other_office.status_code == 422
    assert 'id="error-case_id"' in other_office.get_data(as_text=True)
    assert "Ничего не подписывайте" not in text_of(other_office)


def test_diff_between_versions_is_per_language_and_escaped(client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    draft_id = new_draft(lawyer, content["template_id"], body_ru="<script>alert(1)</script>")
    response = lawyer.get(f"/guidance/templates/{draft_id}/diff")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "+&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<span class="badge">ru</span>' in page and '<span class="badge">en</span>' not in page


def test_operators_read_guidance_but_cannot_write_or_approve(client_for, content):
    operator = client_for("a", Role.OPERATOR)
    assert operator.get("/guidance").status_code == 200
    assert operator.get(f"/guidance/templates/{content['template_id']}").status_code == 200
    assert operator.get("/guidance/templates/new").status_code == 403
    assert operator.post(f"/guidance/templates/{content['template_id']}/approve").status_code \
        == 403
    assert client_for("a", Role.ADMIN).get("/guidance").status_code == 403


def test_catalogue_filters_by_kind_state_country_and_topic(client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    templates = text_of(lawyer.get("/guidance?kind=templates"))
    assert "KG-RU-MOBILISATION" in templates and "RU-CC-328-1" not in templates
    kyrgyz = text_of(lawyer.get("/guidance?country=KG"))
    assert "KG-CC-256" in kyrgyz and "RU-CC-328-1" not in kyrgyz
    drafts = text_of(lawyer.get("/guidance?status=draft"))
    assert "KG-RU-MOBILISATION" not in drafts
    topic = text_of(lawyer.get("/guidance?topic=detention"))
    assert "KG-RU-MOBILISATION" not in topic


def test_forms_without_the_csrf_token_are_refused(app, world, client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    del lawyer.environ_base["HTTP_X_CSRFTOKEN"]
    response = lawyer.post(f"/guidance/templates/{content['template_id']}/retire",
                           data={"reason": "outdated text"})
    assert response.status_code == 400
    assert template(app, content["template_id"]).status == ContentStatus.PUBLISHED


def test_send_back_needs_a_reason_and_returns_the_version_to_draft(app, client_for, content):
    author = client_for("a", Role.LAWYER)
    draft_id = new_draft(author, content["template_id"])
    author.post(f"/guidance/templates/{draft_id}/submit")
    consul = client_for("a", Role.CONSUL)
    short = consul.post(f"/guidance/templates/{draft_id}/send-back", data={"reason": ""})
    assert short.status_code == 422 and 'id="error-reason"' in short.get_data(as_text=True)
    back = consul.post(f"/guidance/templates/{draft_id}/send-back",
                       data={"reason": "Cite the decree"})
    assert back.status_code == 302
    assert template(app, draft_id).status == ContentStatus.DRAFT


def test_browser_line_endings_do_not_change_untouched_texts(app, client_for, content):
    lawyer = client_for("a", Role.LAWYER)
    published = template(app, content["template_id"])
    form = template_form(lawyer, content["template_id"], body_ru="Первая строка\r\nВторая")
    form["body_en"] = published.body["en"].replace("\n", "\r\n")
    response = lawyer.post(f"/guidance/templates/{content['template_id']}/new-version",
                           data=form)
    draft = template(app, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert draft.body == {"ru": "Первая строка\nВторая", "en": published.body["en"]}
    diff = text_of(lawyer.get(f"/guidance/templates/{draft.id}/diff"))
    assert diff.count('<span class="badge">') == 1  # only the Russian text changed


def test_a_stale_draft_edit_names_who_saved_and_keeps_the_typed_text(app, client_for, world,
                                                                    content):
    author = client_for("a", Role.LAWYER)
    draft_id = new_draft(author, content["template_id"])
    page = author.get(f"/guidance/templates/{draft_id}/edit").get_data(as_text=True)
    assert 'name="lock_version" value="1"' in page
    consul = client_for("a", Role.CONSUL)
    theirs = template_form(consul, content["template_id"], body_ru="Текст консула")
    assert consul.post(f"/guidance/templates/{draft_id}/edit",
                       data={**theirs, "lock_version": "1"}).status_code == 302
    mine = {**theirs, "body_ru": "Мой текст, набранный долго", "lock_version": "1"}
    stale = author.post(f"/guidance/templates/{draft_id}/edit", data=mine)
    assert stale.status_code == 409
    text = text_of(stale)
    assert world.user("a", Role.CONSUL).name in text and "Мой текст, набранный долго" in text
    assert template(app, draft_id).body["ru"] == "Текст консула"
    assert 'name="lock_version" value="2"' in text  # saving again replaces theirs, knowingly
    assert author.post(f"/guidance/templates/{draft_id}/edit",
                       data={**mine, "lock_version": "2"}).status_code == 302
    assert template(app, draft_id).body["ru"] == "Мой текст, набранный долго"


def test_a_consul_retires_a_published_version_with_a_reason(app, client_for, content):
    consul = client_for("a", Role.CONSUL)
    path = f"/guidance/templates/{content['template_id']}/retire"
    assert consul.post(path, data={"reason": "The decree was repealed"}).status_code == 302
    assert template(app, content["template_id"]).status == ContentStatus.RETIRED
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "guidance_template",
            AuditEvent.entity_id == content["template_id"]).order_by(AuditEvent.id.desc())
        ).first()
        assert event.details["to"] == "retired"
        assert event.details["reason"] == "The decree was repealed"
