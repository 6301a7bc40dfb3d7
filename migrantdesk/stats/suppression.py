"""Small-cell suppression of a count table with its margins, before it leaves the system.

A table is a grid of counts with row totals, column totals and a grand total. Every row and
every column (the margins included) is an equation: its cells add up to its total. A reader
who sees all but one term of an equation knows the last one, so:

1. primary: a cell or total from 1 to threshold - 1 is suppressed (the threshold of a
   sensitive category is higher);
2. secondary, repeated until nothing changes: a line (row or column, margins included) whose
   suppressed terms could be worked out gets one more term suppressed, the smallest non-zero
   cell first, its total last. A line is safe when it has no suppressed term, or at least two
   and either its total is suppressed, or its suppressed cells add up to the threshold or more
   and one of them is a secondary (unbounded) one: "<5" and "<5" adding up to 2 or to 8
   would pin both.

Zero cells are published: a structural zero protects nobody and hides nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass
class Table:
    """Counts by row and column key; `threshold(row_key, column_key)` gives each cell's threshold
    (None for the key of a total)."""

    row_keys: list[str]
    column_keys: list[str]
    counts: list[list[int]]
    # (row index, column index) -> PRIMARY / SECONDARY; index len(keys) is the total.
    suppressed: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.counts]

    @property
    def column_totals(self) -> list[int]:
        return [sum(row[j] for row in self.counts) for j in range(len(self.column_keys))]

    @property
    def total(self) -> int:
        return sum(self.row_totals)

    def value(self, i: int, j: int) -> int:
        """The count at (i, j) of the grid extended with its margins."""
        rows, columns = len(self.row_keys), len(self.column_keys)
        if i < rows and j < columns:
            return self.counts[i][j]
        if i < rows:
            return self.row_totals[i]
        if j < columns:
            return self.column_totals[j]
        return self.total

    def lines(self) -> list[list[tuple[int, int]]]:
        """Every equation as the positions of its terms, the total last."""
        rows, columns = len(self.row_keys), len(self.column_keys)
        found = [[(i, j) for j in range(columns + 1)] for i in range(rows + 1)]
        found += [[(i, j) for i in range(rows + 1)] for j in range(columns + 1)]
        return found


Threshold = Callable[[str | None, str | None], int]


def suppress(table: Table, threshold: Threshold) -> Table:
    """Mark the primary and secondary suppressions of the table in place and return it."""
    rows, columns = len(table.row_keys), len(table.column_keys)
    values = {(i, j): table.value(i, j) for i in range(rows + 1) for j in range(columns + 1)}

    def limit(position: tuple[int, int]) -> int:
        i, j = position
        return threshold(table.row_keys[i] if i < rows else None,
                         table.column_keys[j] if j < columns else None)

    for position, count in values.items():
        if 0 < count < limit(position):
            table.suppressed[position] = PRIMARY
    lines = table.lines()
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not _safe(line, table.suppressed, values, limit(line[-1])):
                extra = _complement(line, table.suppressed, values)
                if extra is not None:
                    table.suppressed[extra] = SECONDARY
                    changed = True
    return table


def _safe(line: Sequence[tuple[int, int]], suppressed: dict[tuple[int, int], str],
          values: dict[tuple[int, int], int], threshold: int) -> bool:
    hidden = [p for p in line if p in suppressed]
    if not hidden:
        return True
    if len(hidden) < 2:
        return False
    if line[-1] in suppressed:
        return True
    # Small cells alone are bounded (1 to threshold - 1) and their sum is known: "<5" + "<5"
    # = 8 makes both 4. A secondary cell, unbounded, and a sum of at least the threshold keep
    # every hidden term open to two values or more.
    return (sum(values[p] for p in hidden) >= threshold
            and any(suppressed[p] == SECONDARY for p in hidden))


def _complement(line: Sequence[tuple[int, int]], suppressed: dict[tuple[int, int], str],
                values: dict[tuple[int, int], int]) -> tuple[int, int] | None:
    """The term to suppress next: the smallest non-zero published cell, else the total."""
    cells = [p for p in line[:-1] if p not in suppressed and values[p] > 0]
    if cells:
        return min(cells, key=lambda p: (values[p], p))
    total = line[-1]
    return total if total not in suppressed else None


def display(table: Table, i: int, j: int, threshold: int) -> int | str:
    """What leaves the system for one position: the count, "<threshold" for a small count, or
    "x" for a count hidden to protect another."""
    kind = table.suppressed.get((i, j))
    if kind is None:
        return table.value(i, j)
    return f"<{threshold}" if kind == PRIMARY else "x"
