"""Import of the shipped guidance library — content/templates.yaml, rules.yaml and
citizenship_positions.yaml — on its own or after the provisions (content.py), all or nothing.

Every file is checked completely before anything is written: each entry against its schema
(unknown fields rejected), duplicates and version runs, references between files (a rule's
templates and provisions; a template's or position's provisions) against the files and the
database, the rule language and its vocabulary (country codes, case categories, fact names),
and positions claiming more certainty than the provisions they cite. One problem rejects
everything: ContentError lists every problem with its file, line, entry position, key and field.

Importing the same files again changes nothing. A template or rule whose content differs from
its key's latest version becomes a new version (library.new_version, then review.publish, which
retires the old one); a citizenship position is updated in place, found by (origin, other
country). What the database holds but the files do not is left alone. Nothing is committed
here: the caller commits once, or rolls back (the CLI does).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError
from sqlalchemy import select

from migrantdesk.core import audit
from migrantdesk.core.audit import AuditAction
from migrantdesk.core.db import db
from migrantdesk.guidance import library, review
from migrantdesk.guidance.content import (
    ContentError,
    ContentProblem,
    ImportReport,
    _flatten,
    _Loader,
    by_key,
    import_provisions,
    validate_provisions,
    version_gaps,
)
from migrantdesk.guidance.content_schemas import (
    CERTAINTY,
    DEFAULT_CONTENT_DIR,
    POSITION_FIELDS,
    PROVISIONS_FILE,
    PositionEntrySchema,
    RuleEntrySchema,
    TemplateEntrySchema,
)
from migrantdesk.guidance.models import (
    CitizenshipPosition,
    ContentStatus,
    GuidanceRule,
    GuidanceTemplate,
    Provision,
    Verification,
)

# --- files, entries and problems ------------------------------------------------------------

@dataclass(frozen=True)
class LibraryProblem(ContentProblem):
    """A ContentProblem that also names its file and list (`templates[3]`, `rules[0]`...)."""

    file: str | None = None
    section: str = "provisions"

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.line:
            where.append(f"line {self.line}")
        if self.index is not None:
            where.append(f"{self.section}[{self.index}]" + (f" ({self.key})" if self.key else ""))
        if self.field:
            where.append(self.field)
        return f"{', '.join(where) or 'content'}: {self.reason}"


@dataclass(frozen=True, eq=False)
class _Section:
    name: str  # the file's top-level key
    file: str
    schema: Schema
    model: type[GuidanceTemplate] | type[GuidanceRule] | None  # None: citizenship positions

    def key_of(self, data: Any) -> str | None:
        if not isinstance(data, dict):
            return None
        if self.model is not None:
            return data["key"] if isinstance(data.get("key"), str) else None
        origin, other = data.get("origin_country"), data.get("other_country")
        return f"{origin}-{other}" if isinstance(origin, str) and isinstance(other, str) else None

    def problem(self, reason: str, line: int | None = None) -> LibraryProblem:
        return LibraryProblem(None, None, None, reason, line, file=self.file, section=self.name)


TEMPLATES = _Section("templates", "templates.yaml", TemplateEntrySchema(), GuidanceTemplate)
RULES = _Section("rules", "rules.yaml", RuleEntrySchema(), GuidanceRule)
POSITIONS = _Section("citizenship_positions", "citizenship_positions.yaml",
                     PositionEntrySchema(), None)
SECTIONS = (TEMPLATES, RULES, POSITIONS)
_FILE_ORDER = {PROVISIONS_FILE: 0} | {section.file: n for n, section in enumerate(SECTIONS, 1)}


def _line_of(node: yaml.Node, path: str | None) -> int:
    """The line of the field named by a dotted path: where its name is written, so a block
    list points at `provision_keys:`, not at its first item."""
    line = node.start_mark.line + 1
    for step in path.split(".") if path else []:
        if not isinstance(node, yaml.MappingNode):
            break
        match = next(((name, value) for name, value in node.value if name.value == step), None)
        if match is None:
            break
        line, node = match[0].start_mark.line + 1, match[1]
    return line


@dataclass
class _Entry:
    section: _Section
    index: int
    data: dict[str, Any]
    node: yaml.Node

    @property
    def key(self) -> str:
        return str(self.section.key_of(self.data))

    def problem(self, field_name: str | None, reason: str) -> LibraryProblem:
        return LibraryProblem(self.index, self.key, field_name, reason,
                              _line_of(self.node, field_name), file=self.section.file,
                              section=self.section.name)


@dataclass
class _Read:
    entries: list[_Entry]  # those that pass their schema
    problems: list[LibraryProblem]
    # Every key the file gives, valid entry or not: references to an entry with a problem of
    # its own are not reported again as references to an unknown key.
    keys: set[str] = field(default_factory=set)


def _read_section(directory: Path, section: _Section) -> _Read:
    path = directory / section.file
    if not path.is_file():
        return _Read([], [section.problem("File not found.")])
    loader = _Loader(path.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return _Read([], [section.problem(f"Not valid YAML: {getattr(error, 'problem', error)}",
                                          mark.line + 1 if mark else None)])
    finally:
        loader.dispose()
    if not isinstance(document, dict) or not isinstance(document.get(section.name), list):
        return _Read([], [section.problem(f"The file must be a mapping whose `{section.name}` "
                                          "key holds a list.")])
    unknown = sorted(str(name) for name in document if name != section.name)
    if unknown:
        return _Read([], [section.problem(f"Unknown top-level key(s): {', '.join(unknown)}.")])
    nodes = next(value for name, value in root.value if name.value == section.name).value
    read = _Read([], [], {key for raw in document[section.name]
                          if (key := section.key_of(raw)) is not None})
    for index, (raw, node) in enumerate(zip(document[section.name], nodes, strict=True)):
        try:
            read.entries.append(_Entry(section, index, section.schema.load(raw), node))
        except ValidationError as error:
            read.problems += [LibraryProblem(index, section.key_of(raw), path, reason,
                                             _line_of(node, path), file=section.file,
                                             section=section.name)
                              for path, reason in _flatten(error.messages)]
    return read


def _duplicates(entries: list[_Entry]) -> list[LibraryProblem]:
    first: dict[tuple[str, int], _Entry] = {}
    problems = []
    for entry in entries:
        identity = (entry.key, entry.data.get("version", 1))
        if identity in first:
            what = entry.key if entry.section.model is None else \
                f"{entry.key} version {identity[1]}"
            problems.append(entry.problem(None, f"{what} is already given at "
                                          f"{entry.section.name}[{first[identity].index}]."))
        else:
            first[identity] = entry
    return problems


def _unknown_references(entries: list[_Entry], field_name: str, known: Collection[str],
                        what: str) -> list[LibraryProblem]:
    problems = []
    for entry in entries:
        unknown = [key for key in entry.data[field_name] if key not in known]
        if unknown:
            problems.append(entry.problem(field_name, f"Unknown {what}(s): {', '.join(unknown)}."))
    return problems


def _overstated(positions: list[_Entry],
                certainty: dict[str, Verification | None]) -> list[LibraryProblem]:
    """A position is only as certain as the weakest provision it cites (never upgraded)."""
    problems = []
    for entry in positions:
        claimed = entry.data["verification"]
        weaker = [f"{key} ({certainty[key]})" for key in entry.data["provision_keys"]
                  if (known := certainty.get(key)) is not None
                  and CERTAINTY[Verification(known)] < CERTAINTY[claimed]]
        if weaker:
            problems.append(entry.problem("verification", (
                f"Claims {claimed} but cites {', '.join(weaker)}: a position is only as certain "
                "as the weakest provision it cites.")))
    return problems


def _provision_certainty(path: Path | None
                         ) -> tuple[dict[str, Verification | None], list[LibraryProblem]]:
    """Every provision key the content may cite, with the verification of its latest version:
    the database's, overridden by the provisions file when it is imported too."""
    rows = db.session.execute(select(Provision.key, Provision.verification)
                              .order_by(Provision.version))
    certainty: dict[str, Verification | None] = {key: Verification(v) for key, v in rows}
    if path is None:
        return certainty, []
    if not path.is_file():
        return certainty, [LibraryProblem(None, None, None, "File not found.",
                                          file=PROVISIONS_FILE)]
    try:
        entries = validate_provisions(path)
    except ContentError as error:
        # Keys of a rejected file still count as known, so its problems are not repeated as
        # "unknown provision" in every other file.
        certainty |= dict.fromkeys(_keys_in(path))
        return certainty, [LibraryProblem(**asdict(problem), file=PROVISIONS_FILE)
                           for problem in error.problems]
    for entry in sorted(entries, key=lambda e: e["version"]):
        certainty[entry["key"]] = entry["verification"]
    return certainty, []


def _keys_in(path: Path) -> set[str]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return set()
    items = document.get("provisions") if isinstance(document, dict) else None
    return {item["key"] for item in items if isinstance(item, dict)
            and isinstance(item.get("key"), str)} if isinstance(items, list) else set()


# --- planning and writing ---------------------------------------------------------------------

@dataclass
class PositionReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged")


@dataclass
class LibraryReport:
    templates: ImportReport = field(default_factory=ImportReport)
    rules: ImportReport = field(default_factory=ImportReport)
    positions: PositionReport = field(default_factory=PositionReport)
    provisions: ImportReport | None = None  # None: provisions were not imported

    def __str__(self) -> str:
        lines = [] if self.provisions is None else [f"provisions: {self.provisions}"]
        return "\n".join([*lines, f"templates: {self.templates}", f"rules: {self.rules}",
                          f"citizenship positions: {self.positions}"])


Write = Callable[[Any], None]  # one change to make, given the actor


def _plan_versions(section: _Section, entries: list[_Entry],
                   report: ImportReport) -> tuple[list[Write], list[LibraryProblem]]:
    """What to do with each key, mirroring the provisions import: a new key gets every version
    the file gives; a changed one gets one new version; an open draft or review blocks it."""
    model = section.model
    assert model is not None
    writes: list[Write] = []
    problems = []
    for key, versions in by_key(entries).items():
        contents = [{name: entry.data[name] for name in library.FIELDS[model]}
                    for entry in versions]
        stored = review.versions_of(model, key)
        wanted = contents[-1]
        published = [item for item in stored if item.status == ContentStatus.PUBLISHED]
        if not stored:
            writes.append(partial(_create_versions, model, key, contents))
            report.created.append(key)
        elif published and library.content_of(published[-1]) == wanted:
            report.unchanged.append(key)
        elif any(library.content_of(item) == wanted for item in stored):
            report.newer_in_database.append(key)
        elif stored[-1].status in (ContentStatus.DRAFT, ContentStatus.IN_REVIEW):
            problems.append(versions[-1].problem(None, (
                f"Version {stored[-1].version} of {key} is {stored[-1].status} in the database: "
                "finish or send back that review before importing a change.")))
        else:
            writes.append(partial(_new_version, model, key, wanted))
            report.superseded.append(key)
    return writes, problems


def _plan_positions(entries: list[_Entry], report: PositionReport) -> list[Write]:
    stored = {(p.origin_country, p.other_country): p
              for p in db.session.scalars(select(CitizenshipPosition))}
    writes: list[Write] = []
    for entry in entries:
        pair = (entry.data["origin_country"], entry.data["other_country"])
        content = {name: entry.data[name] for name in POSITION_FIELDS}
        position = stored.get(pair)
        if position is None:
            writes.append(partial(_create_position, pair, content))
            report.created.append(entry.key)
        elif any(getattr(position, name) != value for name, value in content.items()):
            writes.append(partial(_update_position, position, content))
            report.updated.append(entry.key)
        else:
            report.unchanged.append(entry.key)
    return writes


def _create_versions(model: Any, key: str, contents: list[dict[str, Any]], actor: Any) -> None:
    previous = None
    for version, content in enumerate(contents, start=1):
        previous = library.create(actor, model, key, content, version=version,
                                  supersedes=previous, status=ContentStatus.PUBLISHED)


def _new_version(model: Any, key: str, content: dict[str, Any], actor: Any) -> None:
    review.publish(actor, library.new_version(actor, model, key, content))


def _create_position(pair: tuple[str, str], content: dict[str, Any], actor: Any) -> None:
    position = CitizenshipPosition(origin_country=pair[0], other_country=pair[1], **content)
    db.session.add(position)
    db.session.flush()
    audit.record(actor, AuditAction.CREATE, "citizenship_position", position.id,
                 fields=list(content), details={"origin_country": pair[0],
                                                "other_country": pair[1]})


def _update_position(position: CitizenshipPosition, content: dict[str, Any], actor: Any) -> None:
    changed = audit.changed_fields(position, content)
    db.session.flush()
    audit.record(actor, AuditAction.UPDATE, "citizenship_position", position.id, fields=changed,
                 details={"origin_country": position.origin_country,
                          "other_country": position.other_country})


def _prepare(directory: Path, provisions_file: Path | None) -> tuple[LibraryReport, list[Write]]:
    """Check everything and decide every change, writing nothing; ContentError on any problem."""
    certainty, problems = _provision_certainty(provisions_file)
    read = {section.name: _read_section(directory, section) for section in SECTIONS}
    templates, rules, positions = (read[section.name].entries for section in SECTIONS)
    for section in SECTIONS:
        problems += read[section.name].problems
    # translations.py builds on this module's readers, hence the late import.
    from migrantdesk.guidance.translations import apply_translations
    problems += apply_translations(directory, read[TEMPLATES.name])
    problems += _duplicates(templates) + _duplicates(rules) + _duplicates(positions)
    problems += version_gaps(templates) + version_gaps(rules)
    for entries in (templates, rules, positions):
        problems += _unknown_references(entries, "provision_keys", certainty, "provision")
    if not any(p.file == TEMPLATES.file and p.index is None for p in problems):
        known = read[TEMPLATES.name].keys | set(db.session.scalars(select(GuidanceTemplate.key)))
        problems += _unknown_references(rules, "template_keys", known, "template")
    problems += _overstated(positions, certainty)
    report, writes = LibraryReport(), []
    if not problems:
        for section, entries, section_report in ((TEMPLATES, templates, report.templates),
                                                 (RULES, rules, report.rules)):
            planned, blocked = _plan_versions(section, entries, section_report)
            writes += planned
            problems += blocked
        writes += _plan_positions(positions, report.positions)
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (
            _FILE_ORDER.get(getattr(p, "file", None) or "", 9),
            -1 if p.index is None else p.index, p.line or 0)))
    return report, writes


def import_library(directory: str | Path = DEFAULT_CONTENT_DIR,
                   actor: Any = None) -> LibraryReport:
    """Import templates, rules and citizenship positions against the provisions already in the
    database, all or nothing (ContentError lists every problem); the caller commits."""
    report, writes = _prepare(Path(directory), None)
    for write in writes:
        write(actor)
    return report


def import_all(directory: str | Path = DEFAULT_CONTENT_DIR, actor: Any = None) -> LibraryReport:
    """Import provisions.yaml, then the templates, rules and positions of the same directory,
    in the caller's transaction: every file is checked before anything is written, so either
    all of it is imported or (ContentError) nothing is."""
    directory = Path(directory)
    report, writes = _prepare(directory, directory / PROVISIONS_FILE)
    report.provisions = import_provisions(directory / PROVISIONS_FILE, actor)
    for write in writes:
        write(actor)
    return report
