"""`flask users …`: create offices and accounts from the shell."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from migrantdesk.auth import services
from migrantdesk.auth.permissions import Role
from migrantdesk.core.db import db
from migrantdesk.core.errors import DomainError
from migrantdesk.offices import services as office_services


@click.group("users", help="Offices and staff accounts.")
def cli() -> None:
    pass


@cli.command("create-office")
@click.option("--code", required=True, help="Short unique code, e.g. kg-moscow.")
@click.option("--name", required=True)
@click.option("--country", required=True, type=click.Choice(["KG", "UZ", "TJ", "KZ", "TM"]))
@click.option("--host-country", required=True, help="ISO code, e.g. RU.")
@click.option("--city", required=True)
@click.option("--timezone", required=True, help="IANA zone, e.g. Europe/Moscow.")
@click.option("--hotline", multiple=True, help="Hotline number in E.164; repeatable.")
@with_appcontext
def create_office(code, name, country, host_country, city, timezone, hotline) -> None:
    office = office_services.create_office(
        None, code=code, name=name, country=country, host_country=host_country, city=city,
        timezone=timezone, hotline_numbers=list(hotline))
    db.session.commit()
    click.echo(f"office {office.id} {office.code}")


@cli.command("create-user")
@click.option("--office", "office_code", required=True, help="Office code.")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--language", default="ru")
@click.password_option()
@with_appcontext
def create_user(office_code, name, email, role, language, password) -> None:
    office = office_services.find_office_by_code(office_code)
    if office is None:
        raise click.UsageError(f"no office with code {office_code!r}")
    try:
        user = services.create_user(None, office_id=office.id, name=name, email=email,
                                    role=Role(role), password=password,
                                    preferred_language=language)
    except DomainError as error:
        raise click.UsageError(f"{error.message} {error.fields}") from error
    db.session.commit()
    click.echo(f"user {user.id} {user.email} ({user.role})")
