"""`flask backup …`: back up and restore the database and the leaflet store."""

from __future__ import annotations

import click


@click.group("backup", help="Back up and restore the database and the leaflet store.")
def cli() -> None:
    pass
