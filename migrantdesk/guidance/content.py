"""Import of the shipped legal content (content/provisions.yaml).

The whole file is validated before anything is written: one bad entry rejects the file, with
every problem listed by line, entry position, key and field. Importing the same file again
changes nothing; an entry whose content differs from its key's latest version becomes a new
version superseding it. Keys present in the database but absent from the file are left alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from marshmallow import ValidationError

from migrantdesk.core.errors import ValidationFailed
from migrantdesk.guidance import services
from migrantdesk.guidance.schemas import ProvisionEntrySchema

DEFAULT_PROVISIONS_FILE = Path(__file__).with_name("content") / "provisions.yaml"
_ENTRY_SCHEMA = ProvisionEntrySchema()


@dataclass(frozen=True)
class ContentProblem:
    index: int | None  # position in the `provisions` list, from 0; None: the file as a whole
    key: str | None
    field: str | None  # dotted path inside the entry, e.g. "penalty.prison_years.max"
    reason: str
    line: int | None = None  # 1-based line in the file

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line else []
        if self.index is not None:
            where.append(f"provisions[{self.index}]" + (f" ({self.key})" if self.key else ""))
        if self.field:
            where.append(self.field)
        return f"{', '.join(where) or 'file'}: {self.reason}"


class ContentError(ValidationFailed):
    """The content file was rejected as a whole; `problems` says where and why."""

    code = "content_rejected"

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the content file; nothing was imported.",
                         {"problems": [asdict(problem) for problem in problems]})


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    # The database already holds a newer version than the file (made through review):
    # the import does not revert it.
    newer_in_database: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = (f"{len(self.created)} created, {len(self.unchanged)} unchanged, "
                f"{len(self.superseded)} superseded")
        if self.newer_in_database:
            text += (f"; {len(self.newer_in_database)} kept because the database has a newer "
                     f"version: {', '.join(self.newer_in_database)}")
        return text


def _normalised(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's content as the database stores it, for comparison with a stored version."""
    content = {name: entry[name] for name in services.CONTENT_FIELDS}
    content["summary"] = {tag: text.strip() for tag, text in entry["summary"].items()}
    return content


# --- reading the file ---------------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (PyYAML would silently keep the last)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        name = loader.construct_object(key_node, deep=deep)
        if isinstance(name, str) and name in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {name!r} is given twice", key_node.start_mark)
        seen.add(name if isinstance(name, str) else id(key_node))
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _file_problem(reason: str, line: int | None = None) -> ContentError:
    return ContentError([ContentProblem(None, None, None, reason, line)])


def _parse(text: str) -> tuple[list[Any], list[yaml.Node]]:
    """The entries of the `provisions` list and their YAML nodes (for line numbers)."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise _file_problem(f"Not valid YAML: {getattr(error, 'problem', error)}",
                            mark.line + 1 if mark else None) from error
    finally:
        loader.dispose()
    if not isinstance(document, dict) or not isinstance(document.get("provisions"), list):
        raise _file_problem("The file must be a mapping whose `provisions` key holds a list.")
    unknown = sorted(str(name) for name in document if name != "provisions")
    if unknown:
        raise _file_problem(f"Unknown top-level key(s): {', '.join(unknown)}.")
    items = next(value for name, value in root.value if name.value == "provisions")
    return document["provisions"], list(items.value)


def _read(path_or_text: str | Path) -> str:
    if isinstance(path_or_text, Path):
        return path_or_text.read_text(encoding="utf-8")
    try:
        is_file = "\n" not in path_or_text and Path(path_or_text).is_file()
    except OSError:  # a long one-line document is not a file name
        is_file = False
    return Path(path_or_text).read_text(encoding="utf-8") if is_file else path_or_text


def _line_of(node: yaml.Node, path: str | None) -> int:
    """The line of the deepest node on a dotted path inside an entry."""
    line = node.start_mark.line + 1
    for step in (path or "").split(".") if path else []:
        if not isinstance(node, yaml.MappingNode):
            break
        match = next((value for name, value in node.value if name.value == step), None)
        if match is None:
            break
        node, line = match, match.start_mark.line + 1
    return line


def _flatten(messages: Any, path: str = "") -> Iterator[tuple[str | None, str]]:
    """marshmallow's nested error messages as (dotted field path, reason) pairs."""
    if isinstance(messages, dict):
        for name, inner in messages.items():
            inner_path = path if name == "_schema" else f"{path}.{name}".lstrip(".")
            yield from _flatten(inner, inner_path)
    elif isinstance(messages, list):
        for inner in messages:
            yield from _flatten(inner, path)
    else:
        yield path or None, str(messages)


# --- whole-file checks --------------------------------------------------------------------

@dataclass
class _Entry:
    index: int
    data: dict[str, Any]
    node: yaml.Node

    @property
    def key(self) -> str:
        return str(self.data["key"])

    def problem(self, field_name: str, reason: str) -> ContentProblem:
        return ContentProblem(self.index, self.key, field_name, reason,
                              _line_of(self.node, field_name))


def _duplicates(entries: list[_Entry]) -> list[ContentProblem]:
    first: dict[tuple[str, int], _Entry] = {}
    problems = []
    for entry in entries:
        identity = (entry.key, entry.data["version"])
        if identity in first:
            problems.append(entry.problem("version", f"{entry.key} version {identity[1]} is "
                                          f"already given at provisions[{first[identity].index}]."))
        else:
            first[identity] = entry
    return problems


def by_key(entries: Sequence[Any]) -> dict[str, list[Any]]:
    """Entries grouped by key, each group in version order (shared with content_library)."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e.data.get("version", 1)):
        grouped[entry.key].append(entry)
    return grouped


def version_gaps(entries: Sequence[Any]) -> list[Any]:
    problems = []
    for key, group in by_key(entries).items():
        versions = sorted({entry.data["version"] for entry in group})
        if versions != list(range(1, len(versions) + 1)):
            problems.append(group[-1].problem(
                "version", f"Versions of {key} must run 1, 2, 3…; the file gives {versions}."))
    return problems


def _overlaps(entries: list[_Entry]) -> list[ContentProblem]:
    """Two provisions for the same article and part must not both be in force on one day.

    Only each key's latest version counts: earlier versions are that key's own history."""
    current = [group[-1] for group in by_key(entries).values()]
    by_article: dict[tuple[Any, ...], list[_Entry]] = defaultdict(list)
    for entry in sorted(current, key=lambda e: e.index):
        data = entry.data
        by_article[(data["jurisdiction"], data["instrument"], data["article"],
                    data["part"])].append(entry)
    problems = []
    for same_article in by_article.values():
        for later_position, later in enumerate(same_article):
            for earlier in same_article[:later_position]:
                if _periods_overlap(earlier.data, later.data):
                    problems.append(later.problem("effective_from", (
                        f"Its period {_period(later.data)} overlaps {_period(earlier.data)} of "
                        f"{earlier.key} at provisions[{earlier.index}] for the same instrument, "
                        "article and part.")))
    return problems


def _periods_overlap(one: dict[str, Any], other: dict[str, Any]) -> bool:
    def ends(data: dict[str, Any]) -> date:
        return data["effective_to"] or date.max
    return one["effective_from"] < ends(other) and other["effective_from"] < ends(one)


def _period(data: dict[str, Any]) -> str:
    return f"[{data['effective_from']}, {data['effective_to'] or '…'})"


def validate_provisions(path_or_text: str | Path) -> list[dict[str, Any]]:
    """The file's entries, loaded and checked as a whole; ContentError lists every problem."""
    raw_entries, nodes = _parse(_read(path_or_text))
    problems: list[ContentProblem] = []
    entries: list[_Entry] = []
    for index, (raw, node) in enumerate(zip(raw_entries, nodes, strict=True)):
        try:
            entries.append(_Entry(index, _ENTRY_SCHEMA.load(raw), node))
        except ValidationError as error:
            key = raw.get("key") if isinstance(raw, dict) else None
            problems.extend(
                ContentProblem(index, key if isinstance(key, str) else None, path, reason,
                               _line_of(node, path))
                for path, reason in _flatten(error.messages))
    problems += _duplicates(entries)
    if not problems:
        problems += version_gaps(entries) + _overlaps(entries)
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (p.index or 0, p.line or 0)))
    return [entry.data for entry in entries]


# --- writing --------------------------------------------------------------------------------

def import_provisions(path_or_text: str | Path, actor: Any = None) -> ImportReport:
    """Validate the whole file, then bring the database in line with it (without committing).

    A key new to the database gets every version the file gives; an existing key whose latest
    version says something else gets one new version superseding it."""
    report = ImportReport()
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in validate_provisions(path_or_text):
        grouped[entry["key"]].append(entry)
    for key, versions in grouped.items():
        _import_key(actor, key, sorted(versions, key=lambda e: e["version"]), report)
    return report


def _import_key(actor: Any, key: str, versions: list[dict[str, Any]],
                report: ImportReport) -> None:
    stored = services.versions_of(key)
    if not stored:
        previous = None
        for entry in versions:
            previous = services.create_provision(
                actor, key, _normalised(entry), version=entry["version"], supersedes=previous,
                status=entry["status"])
        report.created.append(key)
        return
    wanted = _normalised(versions[-1])
    latest = stored[-1]
    if services.content_of(latest) == wanted:
        report.unchanged.append(key)
    elif any(services.content_of(older) == wanted for older in stored[:-1]):
        report.newer_in_database.append(key)
    else:
        services.create_provision(actor, key, wanted, version=latest.version + 1,
                                  supersedes=latest, status=versions[-1]["status"])
        report.superseded.append(key)
