"""`flask seed-demo` (three consulates of demo data) and `flask generate` (bulk rows for
benchmarks)."""

from __future__ import annotations

import random
import secrets
import time
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from migrantdesk.auth.models import User
from migrantdesk.auth.permissions import Role
from migrantdesk.auth.services import hash_password
from migrantdesk.calls.models import Call
from migrantdesk.cases.facts import CaseCategory as C
from migrantdesk.cases.models import Case, CaseNote, CaseStatus, CaseTask
from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db
from migrantdesk.demo.case_data import MILITARY, Context, call_row, case_row, category_weights
from migrantdesk.demo.consents import seed_consents
from migrantdesk.demo.people import Person, Site, mobile_number, new_person, pick
from migrantdesk.demo.storage import insert_people, insert_rows
from migrantdesk.migrants.models import Migrant, MigrantPhone
from migrantdesk.offices.models import Office

cli = click.Group()

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 -- the demo login  # nosec B105
BATCH_SIZE = 10_000
DEMO_SIZE = {"migrants": 2000, "cases": 3000, "calls": 6000}

# --- flask seed-demo ---------------------------------------------------------------------------

_OFFICES = (
    {"code": "kg-moscow", "name": "Embassy of the Kyrgyz Republic in Moscow", "country": "KG",
     "host_country": "RU", "city": "Moscow", "timezone": "Europe/Moscow",
     "address": "Bolshaya Ordynka St 64, Moscow 119017",
     "hotline_numbers": ["+74952374601", "+79160035500"]},
    {"code": "uz-kazan", "name": "Consulate General of the Republic of Uzbekistan in Kazan",
     "country": "UZ", "host_country": "RU", "city": "Kazan", "timezone": "Europe/Moscow",
     "address": "Gabdully Tukaya St 58, Kazan 420021", "hotline_numbers": ["+78432925100"]},
    {"code": "tj-yekaterinburg", "name": "Consulate General of the Republic of Tajikistan in "
     "Yekaterinburg", "country": "TJ", "host_country": "RU", "city": "Yekaterinburg",
     "timezone": "Asia/Yekaterinburg", "address": "Shchorsa St 7, Yekaterinburg 620142",
     "hotline_numbers": ["+73433101550"]},
)
_SHARE = {"kg-moscow": 0.45, "uz-kazan": 0.30, "tj-yekaterinburg": 0.25}
_STAFF = (  # office, role, name, preferred language; e-mail is role@office.demo
    ("kg-moscow", Role.OPERATOR, "Aigul Sydykova", "ky"),
    ("kg-moscow", Role.LAWYER, "Nurlan Asanov", "ru"),
    ("kg-moscow", Role.CONSUL, "Talant Mamytov", "ky"),
    ("kg-moscow", Role.MANAGER, "Gulnara Osmonova", "ru"),
    ("kg-moscow", Role.ADMIN, "Ermek Toktogulov", "en"),
    ("uz-kazan", Role.OPERATOR, "Dilnoza Yusupova", "uz-Latn"),
    ("uz-kazan", Role.LAWYER, "Sherzod Karimov", "ru"),
    ("uz-kazan", Role.CONSUL, "Otabek Normatov", "uz-Latn"),
    ("tj-yekaterinburg", Role.OPERATOR, "Zarina Safarova", "tg"),
    ("tj-yekaterinburg", Role.CONSUL, "Daler Nazarov", "tg"),
)
_CASEWORK = (Role.OPERATOR, Role.LAWYER, Role.CONSUL)
_TASKS = ("Call the migrant back", "Check the migration office decision",
          "Chase the replacement passport", "Send the leaflet in the caller's language",
          "Refer to the embassy lawyer")
_NOTES = ("Advised not to sign any papers from officials without advice from the consulate.",
          "Migrant will send a scan of the document by messenger.",
          "Advised to consult lawyers in both countries before deciding.",
          "Employer contacted; promised to pay by the end of the month.",
          "Leaflet sent in the migrant's language.")
_UNIDENTIFIED = ("Asked about the 90-day rule; gave no name", "Asked how to renew a passport",
                 "Relative asking about a detained family member", "Dropped before giving a name")


def _moment_between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.randrange(max(int((end - start).total_seconds()), 1)))


def _seed_cases(rng: random.Random, site: Site, members: list[tuple[int, Person]],
                staff: list[int], count: int, now: datetime) -> list[tuple[int, dict[str, Any]]]:
    weights = category_weights(site.country)
    pools = {"men": [m for m in members if m[1].male],
             "dual": [m for m in members if len(m[1].citizenships) > 1]}
    rows, owners = [], []
    for _ in range(count):
        category = C(pick(rng, weights))
        pool = pools["men"] if category in MILITARY else \
            pools["dual"] if category == C.DUAL_CITIZENSHIP_RISK else members
        migrant_id, person = rng.choice(pool or members)
        created = person.row["created_at"]
        opened = (min(created + timedelta(minutes=rng.randint(1, 20)), now)
                  if rng.random() < 0.6 else _moment_between(rng, created, now))
        dual = person.citizenships[1]["acquired_on"] if len(person.citizenships) > 1 else None
        context = Context(opened, now, site.country, person.row["host_city"],
                          person.row["preferred_language"], rng.choice(person.documents), dual)
        rows.append(case_row(rng, site, migrant_id, category, staff, context))
        owners.append(person)
    ids = insert_rows(Case, rows, ids=True)
    return [(case_id, {**row, "person": person})
            for case_id, row, person in zip(ids, rows, owners, strict=True)]


def _seed_followups(rng: random.Random, cases: list[tuple[int, dict[str, Any]]],
                    staff: list[int]) -> tuple[int, int]:
    tasks, notes = [], []
    for case_id, case in cases:
        if case["status"] in (CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED) \
                and rng.random() < 0.5:
            done = case["updated_at"] if case["status"] == CaseStatus.RESOLVED else None
            tasks.append({"case_id": case_id, "title": rng.choice(_TASKS),
                          "due_on": case["opened_at"].date() + timedelta(days=rng.randint(3, 30)),
                          "assignee_id": case["assignee_id"] or rng.choice(staff),
                          "done_at": done, "created_at": case["opened_at"]})
        for minutes in range(rng.choice((0, 0, 1, 2))):
            notes.append({"case_id": case_id, "author_id": rng.choice(staff),
                          "body": rng.choice(_NOTES),
                          "created_at": case["opened_at"] + timedelta(minutes=5 + minutes)})
    insert_rows(CaseTask, tasks)
    insert_rows(CaseNote, notes)
    return len(tasks), len(notes)


def _seed_calls(rng: random.Random, site: Site, members: list[tuple[int, Person]],
                cases: list[tuple[int, dict[str, Any]]], operators: list[int], count: int,
                now: datetime) -> None:
    """An intake call per case, then follow-ups, calls of known migrants not yet linked to a
    case, and calls from numbers nobody has matched yet (repeat-caller search finds some)."""
    calls = []
    for case_id, case in cases:
        person = case["person"]
        calls.append(call_row(rng, site, rng.choice(operators), case["opened_at"],
                              person.phones[0], person.row["preferred_language"],
                              case["summary"], case["migrant_id"], case_id))
    while len(calls) < count:
        roll, operator = rng.random(), rng.choice(operators)
        if roll < 0.5:
            case_id, case = rng.choice(cases)
            person, started = case["person"], _moment_between(rng, case["opened_at"], now)
            calls.append(call_row(rng, site, operator, started, rng.choice(person.phones),
                                  person.row["preferred_language"], "Follow-up on the case",
                                  case["migrant_id"], case_id))
        elif roll < 0.7:
            migrant_id, person = rng.choice(members)
            started = _moment_between(rng, person.row["created_at"], now)
            calls.append(call_row(rng, site, operator, started, rng.choice(person.phones),
                                  person.row["preferred_language"], "General question",
                                  migrant_id))
        else:
            phone = (rng.choice(rng.choice(members)[1].phones) if roll < 0.85
                     else mobile_number(rng, rng.choice((site.country, site.host_country))))
            started = now - timedelta(seconds=rng.randrange(365 * 86400))
            calls.append(call_row(rng, site, operator, started, phone, None,
                                  rng.choice(_UNIDENTIFIED)))
    insert_rows(Call, calls)


def _seed_offices_and_staff() -> tuple[dict[str, Site], dict[str, list[int]]]:
    offices = [Office(**{**spec, "hotline_numbers": list(spec["hotline_numbers"])})
               for spec in _OFFICES]
    db.session.add_all(offices)
    db.session.flush()
    sites = {office.code: _site(office) for office in offices}
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow by design: hash once
    users = [User(office_id=sites[code].id, name=name, email=f"{role}@{code}.demo", role=role,
                  preferred_language=language, password_hash=password_hash)
             for code, role, name, language in _STAFF]
    db.session.add_all(users)
    db.session.flush()
    for office in offices:
        audit.record(None, AuditAction.CREATE, "office", office.id, office_id=office.id,
                     details={"source": "seed-demo"})
    return sites, {code: [u.id for u in users if u.office_id == site.id and u.role in _CASEWORK]
                   for code, site in sites.items()}


@cli.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Fill an empty database with demo data of three consulates (the same on every run)."""
    if db.session.scalar(select(func.count(Office.id))):
        click.echo("The database already has offices: seed-demo only fills an empty database.")
        return
    started, rng, now = time.perf_counter(), random.Random(2026), _now()  # demo data  # nosec B311
    sites, staff = _seed_offices_and_staff()
    share = {code: {what: round(n * _SHARE[code]) for what, n in DEMO_SIZE.items()}
             for code in sites}
    people = {code: [new_person(rng, site, now) for _ in range(share[code]["migrants"])]
              for code, site in sites.items()}
    ids = iter(insert_people([person for code in sites for person in people[code]]))
    tasks = notes = 0
    for code, site in sites.items():
        members = [(next(ids), person) for person in people[code]]
        cases = _seed_cases(rng, site, members, staff[code], share[code]["cases"], now)
        added = _seed_followups(rng, cases, staff[code])
        tasks, notes = tasks + added[0], notes + added[1]
        _seed_calls(rng, site, members, cases, staff[code], share[code]["calls"], now)
    # Its own random sequence, so the people, cases and calls stay those of earlier versions.
    consent_rng = random.Random(2027)  # nosec B311 -- demo data, not a secret
    seed_consents(consent_rng, {site.id: staff[code][0] for code, site in sites.items()}, now)
    db.session.commit()
    size = DEMO_SIZE
    click.echo(f"Seeded {len(sites)} offices, {len(_STAFF)} staff, {size['migrants']:,} migrants, "
               f"{size['cases']:,} cases ({tasks:,} tasks, {notes:,} notes) and "
               f"{size['calls']:,} calls in {time.perf_counter() - started:.1f} s.")
    click.echo(f"Demo login: operator@kg-moscow.demo / {DEMO_PASSWORD}")
    click.echo("Other accounts (same password):")
    for code, role, name, _ in _STAFF[1:]:
        click.echo(f"  {f'{role}@{code}.demo':<32}{role:<10}{name}")


# --- flask generate ----------------------------------------------------------------------------

def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _site(office: Office) -> Site:
    return Site(office.id, office.code, office.country, office.host_country, office.city)


def _batches(total: int, size: int = BATCH_SIZE) -> Iterator[int]:
    for start in range(0, total, size):
        yield min(size, total - start)


def _progress(what: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.perf_counter() - started, 1e-6)
    click.echo(f"{what}: {done:,}/{total:,} ({rate:,.0f} rows/s)", err=True)


def _bench_office(code: str | None) -> tuple[Site, list[int]]:
    """The office to fill (the first one by default; kg-moscow is created in an empty
    database) and its casework staff (a benchmark operator is created when it has none)."""
    statement = select(Office).order_by(Office.id).limit(1)
    office = db.session.scalar(statement.where(Office.code == code) if code else statement)
    if office is None and code:
        raise click.UsageError(f"no office with code {code!r}")
    if office is None:
        office = Office(**{**_OFFICES[0], "hotline_numbers": list(_OFFICES[0]["hotline_numbers"])})
        db.session.add(office)
        db.session.flush()
    staff = list(db.session.scalars(select(User.id).where(
        User.office_id == office.id, User.role.in_(_CASEWORK)).order_by(User.id)))
    if not staff:  # calls need an operator; nobody knows this one's password
        operator = User(office_id=office.id, name="Benchmark operator", role=Role.OPERATOR,
                        email=f"bench-operator@{office.code}.demo",
                        password_hash=hash_password(secrets.token_urlsafe(32)))
        db.session.add(operator)
        db.session.flush()
        staff = [operator.id]
    site = _site(office)
    db.session.commit()
    return site, staff


def _existing_migrants(site: Site) -> tuple[array[int], array[int]]:
    ids, phones = array("q"), array("q")
    for migrant_id, e164 in db.session.execute(
            select(MigrantPhone.migrant_id, func.min(MigrantPhone.e164))
            .join(Migrant, Migrant.id == MigrantPhone.migrant_id)
            .where(Migrant.office_id == site.id).group_by(MigrantPhone.migrant_id)):
        ids.append(migrant_id)
        phones.append(int(e164))
    return ids, phones


def _generate_migrants(rng: random.Random, site: Site, count: int,
                       now: datetime) -> tuple[array[int], array[int]]:
    """Migrant ids and their phones (E.164 digits as integers: 16 bytes a migrant)."""
    ids, phones, started = array("q"), array("q"), time.perf_counter()
    for size in _batches(count):
        people = [new_person(rng, site, now, full=False) for _ in range(size)]
        ids.extend(insert_people(people))
        phones.extend(int(person.phones[0]) for person in people)
        db.session.commit()
        _progress("migrants", len(ids), count, started)
    return ids, phones


def _generate_cases(rng: random.Random, site: Site, staff: list[int], migrant_ids: array[int],
                    count: int, now: datetime) -> tuple[array[int], array[int]]:
    """Case ids and, for each, the index of its migrant in `migrant_ids`."""
    ids, owners, started = array("q"), array("q"), time.perf_counter()
    weights = category_weights(site.country)
    for size in _batches(count):
        batch = [rng.randrange(len(migrant_ids)) for _ in range(size)]
        opened = [now - timedelta(seconds=rng.randrange(365 * 86400)) for _ in batch]
        rows = [case_row(rng, site, migrant_ids[owner], pick(rng, weights), staff,
                         Context(at, now, site.country, site.city))
                for owner, at in zip(batch, opened, strict=True)]
        ids.extend(insert_rows(Case, rows, ids=True))
        owners.extend(batch)
        db.session.commit()
        _progress("cases", len(ids), count, started)
    return ids, owners


def _generate_calls(rng: random.Random, site: Site, staff: list[int], migrant_ids: array[int],
                    phones: array[int], cases: tuple[array[int], array[int]], count: int,
                    now: datetime) -> None:
    """Calls on this run's cases (60%), of known migrants (15%), from a known migrant's
    number not yet linked (15%) and from unknown numbers (10%)."""
    case_ids, case_owners = cases
    done, started = 0, time.perf_counter()
    for size in _batches(count):
        calls = []
        for _ in range(size):
            roll, at = rng.random(), now - timedelta(seconds=rng.randrange(365 * 86400))
            chosen = rng.randrange(len(case_ids)) if case_ids and roll < 0.6 else None
            owner = case_owners[chosen] if chosen is not None else rng.randrange(len(migrant_ids))
            phone = f"+{phones[owner]}" if roll < 0.9 else mobile_number(rng, site.country)
            calls.append(call_row(rng, site, rng.choice(staff), at, phone, None, "Benchmark call",
                                  migrant_ids[owner] if roll < 0.75 else None,
                                  case_ids[chosen] if chosen is not None else None))
        insert_rows(Call, calls)
        db.session.commit()
        done += size
        _progress("calls", done, count, started)


@cli.command("generate")
@click.option("--migrants", "migrant_count", type=click.IntRange(min=0), default=0,
              show_default=True, help="Migrants, each with one phone and one passport.")
@click.option("--cases", "case_count", type=click.IntRange(min=0), default=0, show_default=True,
              help="Cases of this run's migrants (of the office's, when none are generated).")
@click.option("--calls", "call_count", type=click.IntRange(min=0), default=0, show_default=True,
              help="Calls, most linked to this run's cases or to migrants.")
@click.option("--office", "office_code", help="Office code; default: the first office.")
@click.option("--seed", type=int, default=1, show_default=True)
@with_appcontext
def generate(migrant_count: int, case_count: int, call_count: int, office_code: str | None,
             seed: int) -> None:
    """Bulk rows for benchmarks: executemany INSERTs of 10,000 rows, one commit per batch."""
    rng, now, started = random.Random(seed), _now(), time.perf_counter()  # bulk data  # nosec B311
    site, staff = _bench_office(office_code)
    migrant_ids, phones = _generate_migrants(rng, site, migrant_count, now)
    if not migrant_ids and (case_count or call_count):
        migrant_ids, phones = _existing_migrants(site)
        if not migrant_ids:
            raise click.UsageError("the office has no migrants: generate some with --migrants")
    cases = _generate_cases(rng, site, staff, migrant_ids, case_count, now)
    _generate_calls(rng, site, staff, migrant_ids, phones, cases, call_count, now)
    click.echo(f"Generated {migrant_count:,} migrants, {case_count:,} cases and "
               f"{call_count:,} calls for office {site.code} in "
               f"{time.perf_counter() - started:.1f} s.")
