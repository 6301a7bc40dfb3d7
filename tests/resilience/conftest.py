"""The resilience tests' figures (requests, faults, losses) are printed at the end of the run,
so CI logs show them without -s."""

from __future__ import annotations

FIGURES: list[str] = []


def report(line: str) -> None:
    FIGURES.append(line)


def is_postgres(app) -> bool:
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql")


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("resilience figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
