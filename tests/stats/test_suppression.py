"""Small-cell suppression proven on crafted and random tables: no small count is published,
and no hidden count can be worked out from what is published (margins included)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from migrantdesk.stats.suppression import PRIMARY, Table, display, suppress

SENSITIVE = {"mobilisation_notice", "detention_abroad", "asylum_abroad"}


def threshold(row: str | None, column: str | None) -> int:
    return 10 if row in SENSITIVE or column in SENSITIVE else 5


def flat(row: str | None, column: str | None) -> int:
    return 5


def table(counts: list[list[int]], rows: list[str] | None = None) -> Table:
    rows = rows or [f"r{i}" for i in range(len(counts))]
    return suppress(Table(rows, [f"c{j}" for j in range(len(counts[0]))],
                          [list(r) for r in counts]), threshold)


def positions(t: Table) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(t.row_keys) + 1) for j in range(len(t.column_keys) + 1)]


def limit_at(t: Table, i: int, j: int) -> int:
    return threshold(t.row_keys[i] if i < len(t.row_keys) else None,
                     t.column_keys[j] if j < len(t.column_keys) else None)


def assert_no_small_count_published(t: Table) -> None:
    for i, j in positions(t):
        value = t.value(i, j)
        if 0 < value < limit_at(t, i, j):
            assert (i, j) in t.suppressed, (i, j, value)


def assert_lines_safe(t: Table) -> None:
    """Each line holding a hidden term holds at least two, and either its total is hidden or
    its hidden cells add up to the threshold or more with a secondary among them."""
    for line in t.lines():
        hidden = [p for p in line if p in t.suppressed]
        if hidden:
            assert len(hidden) >= 2, (line, hidden)
            assert line[-1] in t.suppressed or (
                sum(t.value(*p) for p in hidden) >= limit_at(t, *line[-1])
                and any(t.suppressed[p] == "secondary" for p in hidden)), (line, hidden)


def determined(t: Table) -> list[tuple[int, int]]:
    """Hidden terms fixed by the published equations (Gaussian elimination over fractions):
    e_k lies in the row space of the equations restricted to the unknowns."""
    unknowns = sorted(t.suppressed)
    index = {p: k for k, p in enumerate(unknowns)}
    equations = []
    for line in t.lines():
        coefficients = [Fraction(0)] * len(unknowns)
        for p in line:
            if p in index:
                coefficients[index[p]] += -1 if p == line[-1] else 1
        if any(coefficients):
            equations.append(coefficients)
    # Row-reduce.
    pivots: list[tuple[int, list[Fraction]]] = []
    for equation in equations:
        row = list(equation)
        for column, pivot in pivots:
            if row[column]:
                factor = row[column] / pivot[column]
                row = [a - factor * b for a, b in zip(row, pivot, strict=True)]
        lead = next((k for k, a in enumerate(row) if a), None)
        if lead is not None:
            pivots.append((lead, row))
    fixed = []
    for k, p in enumerate(unknowns):
        target = [Fraction(int(m == k)) for m in range(len(unknowns))]
        for column, pivot in pivots:
            if target[column]:
                factor = target[column] / pivot[column]
                target = [a - factor * b for a, b in zip(target, pivot, strict=True)]
        # Reduce fully against every pivot (they are not in echelon order of columns).
        changed = True
        while changed and any(target):
            changed = False
            for column, pivot in pivots:
                if target[column]:
                    factor = target[column] / pivot[column]
                    target = [a - factor * b for a, b in zip(target, pivot, strict=True)]
                    changed = True
                    break
        if not any(target):
            fixed.append(p)
    return fixed


def candidates(t: Table, bound: int) -> dict[tuple[int, int], set[int]]:
    """Every value each hidden term can take in a table of non-negative counts consistent
    with everything published, knowing that "<5" means 1 to 4 (depth-first over the hidden
    cells, pruned by each published row and column total)."""
    rows, columns = len(t.row_keys), len(t.column_keys)
    inner = [p for p in sorted(t.suppressed) if p[0] < rows and p[1] < columns]
    found: dict[tuple[int, int], set[int]] = {p: set() for p in t.suppressed}
    grid = [list(r) for r in t.counts]

    def cap(i: int, j: int) -> int:
        limits = [bound]
        for total in ((i, columns), (rows, j), (rows, columns)):
            if total not in t.suppressed:
                limits.append(t.value(*total))
        return min(limits)

    def fits(position: tuple[int, int], value: int) -> bool:
        kind = t.suppressed.get(position)
        if kind is None:
            return value == t.value(*position)
        return kind != PRIMARY or 0 < value < limit_at(t, *position)

    def descend(k: int) -> None:
        if k == len(inner):
            trial = Table(t.row_keys, t.column_keys, grid)
            if all(fits(p, trial.value(*p)) for p in positions(t)):
                for p in t.suppressed:
                    found[p].add(trial.value(*p))
            return
        i, j = inner[k]
        values = range(1, limit_at(t, i, j)) if t.suppressed[i, j] == PRIMARY \
            else range(cap(i, j) + 1)
        for value in values:
            grid[i][j] = value
            row_done = k + 1 == len(inner) or inner[k + 1][0] != i
            if row_done and (i, columns) not in t.suppressed and sum(grid[i]) != t.value(
                    i, columns):
                continue
            descend(k + 1)
        grid[i][j] = t.counts[i][j]

    descend(0)
    return found


CRAFTED = [
    [[1, 9], [9, 9]],                      # one small cell: its row, column and a corner go
    [[1, 1, 12], [9, 9, 9]],               # two small cells add up to 2: a third is needed
    [[1, 1, 6], [6, 6, 0]],
    [[3, 0, 0], [0, 40, 7]],               # a small cell alone in its row and column
    [[2, 2], [2, 2]],                      # every cell and total is small
    [[0, 0, 4], [0, 0, 0], [5, 6, 7]],     # zeros around a small cell
    [[12, 3, 25, 0], [8, 1, 2, 40], [6, 6, 6, 6]],
]


@pytest.mark.parametrize("counts", CRAFTED)
def test_crafted_tables_publish_no_small_and_no_derivable_count(counts):
    t = table(counts)
    assert_no_small_count_published(t)
    assert_lines_safe(t)
    assert determined(t) == []
    found = candidates(t, bound=sum(map(sum, counts)) + 5)
    for position, values in found.items():
        assert len(values) >= 2, (counts, position, values)


def test_a_single_small_cell_forces_its_row_and_column_complements():
    t = table([[1, 9], [9, 9]])
    assert t.suppressed == {(0, 0): "primary", (0, 1): "secondary", (1, 0): "secondary",
                            (1, 1): "secondary"}
    assert [display(t, 0, j, 5) for j in range(3)] == ["<5", "x", 10]


def test_sensitive_categories_use_the_higher_threshold():
    t = table([[7, 30], [7, 30]], rows=["mobilisation_notice", "information_request"])
    assert t.suppressed.get((0, 0)) == "primary"  # 7 < 10 for a sensitive category
    assert t.suppressed.get((1, 0)) == "secondary"  # 7 >= 5, hidden only to protect the first
    assert display(t, 0, 0, 10) == "<10"


def test_a_small_total_is_itself_hidden():
    t = table([[2, 1], [20, 30]])
    assert t.suppressed[(0, 2)] == "primary"  # the row total, 3
    assert_lines_safe(t)


def test_zero_cells_are_published():
    t = table([[0, 20], [30, 0]])
    assert t.suppressed == {}


@pytest.mark.parametrize("seed", range(300))
def test_random_tables_leak_nothing(seed):
    rng = random.Random(seed)
    rows, columns = rng.randint(1, 6), rng.randint(1, 8)
    names = ["mobilisation_notice", "wage_labour_dispute", "detention_abroad", "other"]
    counts = [[rng.choice((0, 0, 1, 2, 3, 4, 5, 7, 9, 12, 30, 100)) for _ in range(columns)]
              for _ in range(rows)]
    t = suppress(Table([f"{rng.choice(names)}-{i}" if rng.random() < 0.3 else
                        rng.choice(names) for i in range(rows)],
                       [f"c{j}" for j in range(columns)], counts), threshold)
    assert_no_small_count_published(t)
    assert_lines_safe(t)
    assert determined(t) == []


@pytest.mark.parametrize("seed", range(40))
def test_small_random_tables_leave_every_hidden_count_ambiguous(seed):
    rng = random.Random(1000 + seed)
    rows, columns = rng.randint(1, 2), rng.randint(2, 3)
    counts = [[rng.choice((0, 1, 2, 3, 6, 9)) for _ in range(columns)] for _ in range(rows)]
    t = suppress(Table([f"r{i}" for i in range(rows)], [f"c{j}" for j in range(columns)],
                       counts), flat)
    found = candidates(t, bound=sum(map(sum, counts)) + 3)
    for position, values in found.items():
        assert len(values) >= 2, (counts, position, values, t.suppressed)
