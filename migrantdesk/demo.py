"""Demo and benchmark data (placeholder until the generator lands)."""

import click

cli = click.Group()
