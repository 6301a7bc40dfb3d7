"""The `flask` command group: feature commands register here."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from migrantdesk.auth.cli import cli as auth_cli
    from migrantdesk.demo import cli as demo_cli
    from migrantdesk.guidance.cli import cli as guidance_cli
    from migrantdesk.privacy.cli import cli as retention_cli

    app.cli.add_command(auth_cli)
    app.cli.add_command(guidance_cli)
    app.cli.add_command(retention_cli)
    for command in demo_cli.commands.values():
        app.cli.add_command(command)
