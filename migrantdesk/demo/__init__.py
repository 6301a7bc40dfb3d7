"""`flask seed-demo`: three consulates of demo data built from the seed facts, and
`flask generate`: bulk rows for benchmarks. Both draw from one seeded `random.Random`, so a
run is repeatable (timestamps count back from the moment of the run).

`people` makes migrants (names, phones, documents), `case_data` their cases and calls,
`storage` inserts the rows in bulk and `commands` holds the two commands."""

from migrantdesk.demo.commands import cli

__all__ = ["cli"]
