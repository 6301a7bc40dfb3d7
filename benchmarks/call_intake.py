"""Call intake: POST /api/v1/calls against a bare route that writes the same rows by hand.

The API side is the whole endpoint: flask-smorest and marshmallow validation, the calls
service (phone normalisation, ORM insert and flush, audit entry), the after-request commit
and the CallSchema response. The baseline parses request.get_json(), checks the same things
by hand, reads the office's countries (loaded with the user at login), normalises the phone with
phonenumbers, INSERTs the call and its audit_events row with hand-written SQL, commits and
returns the same JSON fields with 201.

    .venv/bin/python -m benchmarks.call_intake                       # PostgreSQL
    .venv/bin/python -m benchmarks.call_intake --database-url sqlite:////tmp/bench.db
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import func, select, text
from werkzeug.test import TestResponse

from benchmarks._harness import (
    Bench,
    BenchmarkError,
    Pair,
    Target,
    argument_parser,
    build_app,
    environment,
    measure,
    measure_memory,
    office_row_counts,
    prepare_database,
    print_report,
    row_counts,
    summarise,
    write_json,
)
from migrantdesk.auth.permissions import Scope
from migrantdesk.calls.models import Call
from migrantdesk.core.audit import AuditEvent
from migrantdesk.core.countries import PHONE_REGION
from migrantdesk.core.db import db

OFFICE_CODE = "bench-intake"
TARGET_RATIO = 1.4

SUMMARIES = [
    "Не выплачивают зарплату на стройке третий месяц; просит контакты юриста",
    "Потерял паспорт в метро, спрашивает про свидетельство на возвращение",
    "Спрашивает, как продлить патент и сколько стоит",
    "Работодатель забрал паспорт, не отдаёт; звонит с чужого телефона",
    "Повестка из военкомата, спрашивает, обязан ли являться",
    "Не может отправить деньги домой: перевод отклонён банком",
    "Родственник задержан полицией в Подольске, просит консульское посещение",
    "Орусча аз түшүнөт; 90 күндүк эреже жөнүндө сурайт",
]
_LANGUAGES = ["ky", "ky", "ky", "ru", "uz", "tg", "kk"]
_RU_MOBILE = ("903", "905", "909", "912", "915", "916", "925", "926", "965", "977", "985", "999")

# The same rules as CallCreateSchema, written out by hand.
_ALLOWED_LANGUAGES = frozenset({"ru", "ky", "uz", "uz-Latn", "uz-Cyrl", "tg", "kk", "tk", "en",
                                "kaa", "other"})
_BASELINE_FIELDS = frozenset({"caller_phone", "language", "summary", "direction"})

_OFFICE = text("SELECT host_country, country FROM offices WHERE id = :office_id")
_INSERT_CALL = text(
    "INSERT INTO calls (office_id, operator_id, started_at, direction, caller_phone, language, "
    "summary, created_at) VALUES (:office_id, :operator_id, :now, :direction, :caller_phone, "
    ":language, :summary, :now) RETURNING id")
_INSERT_AUDIT = text(
    "INSERT INTO audit_events (occurred_at, user_id, office_id, action, entity_type, entity_id, "
    "fields) VALUES (:now, :user_id, :office_id, 'create', 'call', :call_id, :fields)")


def call_bodies(count: int, seed: int) -> list[bytes]:
    """JSON bodies as an operator's screen sends them: a local Russian mobile number."""
    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        digits = f"{rng.randrange(10 ** 7):07d}"
        phone = f"8 {rng.choice(_RU_MOBILE)} {digits[:3]}-{digits[3:5]}-{digits[5:]}"
        body = {"caller_phone": phone, "language": rng.choice(_LANGUAGES),
                "summary": rng.choice(SUMMARIES), "direction": "inbound"}
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


def _invalid(field: str, message: str):
    error = {"code": "validation_failed", "message": "Some fields are invalid.",
             "fields": {field: [message]}}
    return jsonify(error=error), 422


def _e164(raw: str, hints: tuple[str, str]) -> str | None:
    for hint in hints:
        try:
            number = phonenumbers.parse(raw, PHONE_REGION.get(hint, hint))
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _timestamp(moment: datetime, dialect: str) -> Any:
    # SQLite keeps timestamps as text in the format SQLAlchemy's DateTime type writes.
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if dialect == "sqlite" else moment


def raw_intake():
    """The baseline: the least machinery that logs the same call with the same audit entry."""
    if not current_user.can(Scope.CALLS_WRITE):
        return jsonify(error={"code": "forbidden", "message": "Forbidden", "fields": {}}), 403
    payload = request.get_json()
    if not isinstance(payload, dict) or set(payload) - _BASELINE_FIELDS:
        return _invalid("body", "Only caller_phone, language, summary and direction.")
    phone, language = payload.get("caller_phone"), payload.get("language")
    summary, direction = payload.get("summary"), payload.get("direction", "inbound")
    if direction not in ("inbound", "outbound"):
        return _invalid("direction", "Must be one of: inbound, outbound.")
    if language is not None and language not in _ALLOWED_LANGUAGES:
        return _invalid("language", "Must be one of the supported languages.")
    if summary is not None and (not isinstance(summary, str) or len(summary) > 10_000):
        return _invalid("summary", "Longer than maximum length 10000.")
    if phone is not None and (not isinstance(phone, str) or not 3 <= len(phone) <= 40):
        return _invalid("caller_phone", "Length must be between 3 and 40.")

    # Plain values: the commit below expires the user object the login loaded. The office
    # comes with the user from the shared login machinery, as it does for the API.
    office_id, operator_id = current_user.office_id, current_user.id
    office = current_user.office
    session = db.session
    e164 = _e164(phone, (office.host_country, office.country)) if phone else None
    if phone and e164 is None:
        return _invalid("caller_phone", "This phone number cannot exist.")
    now = datetime.now(UTC)
    stamp = _timestamp(now, session.get_bind().dialect.name)
    call_id = session.execute(_INSERT_CALL, {
        "office_id": office_id, "operator_id": operator_id, "now": stamp,
        "direction": direction, "caller_phone": e164, "language": language,
        "summary": summary}).scalar_one()
    fields = sorted({*payload, "direction"})  # the API audits the loaded fields
    session.execute(_INSERT_AUDIT, {"now": stamp, "user_id": operator_id, "office_id": office_id,
                                    "call_id": call_id, "fields": json.dumps(fields)})
    session.commit()
    return jsonify(id=call_id, office_id=office_id, operator_id=operator_id,
                   started_at=now.isoformat(), ended_at=None, direction=direction,
                   caller_phone=e164, language=language, summary=summary, migrant_id=None,
                   case_id=None), 201


def _forget_earlier_runs(bench: Bench) -> None:
    """Each run starts from the same rows: drop what earlier runs logged in this office."""
    with bench.app.app_context():
        db.session.execute(text("DELETE FROM audit_events WHERE office_id = :office"),
                           {"office": bench.office_id})
        db.session.execute(text("DELETE FROM calls WHERE office_id = :office"),
                           {"office": bench.office_id})
        db.session.commit()
        db.session.remove()


_COMPARED = ("office_id", "operator_id", "direction", "caller_phone", "language", "summary",
             "ended_at", "migrant_id", "case_id")


def verify_rows(bench: Bench, ids: dict[str, list[int]]) -> dict[str, int]:
    """Every id answered by either side is one call row with one 'create' audit entry, and
    the two sides wrote the same values for the same request body."""
    counts: dict[str, int] = {}
    with bench.app.app_context():
        for side, side_ids in ids.items():
            calls = db.session.scalar(select(func.count()).select_from(Call)
                                      .where(Call.id.in_(side_ids)))
            audits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.entity_type == "call", AuditEvent.action == "create",
                AuditEvent.entity_id.in_(side_ids)))
            if not calls == audits == len(side_ids):
                raise BenchmarkError(f"{side}: {len(side_ids)} responses, {calls} calls, "
                                     f"{audits} audit entries")
            counts[f"{side}_calls"], counts[f"{side}_audit_events"] = calls, audits
        if counts["api_calls"] != counts["baseline_calls"]:
            raise BenchmarkError(f"the sides wrote different row counts: {counts}")
        api_call, raw_call = (db.session.get(Call, ids[side][0]) for side in ("api", "baseline"))
        for name in _COMPARED:
            if getattr(api_call, name) != getattr(raw_call, name):
                raise BenchmarkError(f"calls.{name} differs: {getattr(api_call, name)!r} != "
                                     f"{getattr(raw_call, name)!r}")
        api_audit, raw_audit = (db.session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "call", AuditEvent.entity_id == ids[side][0])).one()
            for side in ("api", "baseline"))
        for name in ("user_id", "office_id", "action", "fields", "details"):
            if getattr(api_audit, name) != getattr(raw_audit, name):
                raise BenchmarkError(f"audit_events.{name} differs")
        db.session.remove()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(__doc__.split("\n\n")[0], rounds=2000, warmup=100)
    args = parser.parse_args(argv)
    url = prepare_database(args.database_url)
    bench = build_app(url, OFFICE_CODE)
    _forget_earlier_runs(bench)
    bench.add_baseline_route("/bench/raw-intake", raw_intake, methods=["POST"])
    client = bench.log_in()

    bodies = call_bodies(args.rounds + args.warmup, args.seed)
    ids: dict[str, list[int]] = {"api": [], "baseline": []}

    def body(round_no: int) -> bytes:
        return bodies[(round_no + args.warmup) % len(bodies)]

    def api(round_no: int) -> TestResponse:
        return client.post("/api/v1/calls", data=body(round_no), content_type="application/json")

    def baseline(round_no: int) -> TestResponse:
        return client.post("/bench/raw-intake", data=body(round_no),
                           content_type="application/json")

    def collect(side: str, round_no: int, response: TestResponse) -> None:
        ids[side].append(response.get_json()["id"])

    pair = Pair("call intake", api, baseline, status=201, check=collect)
    samples = measure([pair], args.rounds, args.warmup, args.seed)
    rows = summarise(samples)
    written = verify_rows(bench, ids)
    memory = measure_memory([Pair("call intake", api, baseline, status=201)], args.memory) \
        if args.memory else None

    env = environment(bench)
    data = {"rows written (checked)": written,
            "office rows after the run": office_row_counts(bench, ["calls", "audit_events"]),
            "table rows": row_counts(bench, ["offices", "users", "migrants", "calls",
                                             "audit_events"])}
    targets = [Target("intake ratio of medians", rows[0].ratio_median, TARGET_RATIO)]
    title = "call intake: POST /api/v1/calls vs hand-written INSERTs"
    print_report(title, env, data, rows, memory, targets)
    if args.json:
        write_json(args.json, title, env, data, rows, memory, targets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
