"""Translations of the guidance templates into the migrants' languages, read with the templates
by `guidance import`: content/translations/<tag>.yaml, one file per language (the format is in
content/translations/README.md).

Each entry translates one template key at the version templates.yaml currently gives; the
import adds its title and body to that version's text under the language tag, and its review
state to `translation_review`, so adding or changing a translation makes a new template version
like any other change. Everything is checked before anything is written, with the same
file/line/entry/field problems as the rest of the library: unknown keys, stale or wrong
`translates_version`, languages that are not leaflet languages, and text that lost the
source's paragraph and list structure or its figures (article numbers, dates, amounts).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from marshmallow import ValidationError, fields, validate

from migrantdesk.guidance.content import _flatten, _Loader, by_key
from migrantdesk.guidance.content_library import (
    TEMPLATES,
    LibraryProblem,
    _Entry,
    _line_of,
    _Read,
    _Section,
)
from migrantdesk.guidance.content_schemas import _not_blank, _Strict
from migrantdesk.guidance.library import FIRST_LANGUAGES
from migrantdesk.guidance.models import TranslationReview

DIRECTORY = "translations"
# The leaflet languages other than Russian and English (which templates.yaml itself holds).
LANGUAGES = ("ky", "uz-Latn", "uz-Cyrl", "tg", "kk", "tk")
_TOP_LEVEL = {"language", "templates"}


class TranslationEntrySchema(_Strict):
    """One entry of a translations/<tag>.yaml file; unknown fields are rejected, text is
    stripped as in templates.yaml."""

    key = fields.String(required=True)
    translates_version = fields.Integer(required=True, strict=True,
                                        validate=validate.Range(min=1))
    review = fields.Enum(TranslationReview, by_value=True, required=True)
    title = fields.String(required=True, validate=[_not_blank, validate.Length(max=200)])
    body = fields.String(required=True, validate=_not_blank)


_SCHEMA = TranslationEntrySchema()


def apply_translations(directory: Path, templates: _Read) -> list[LibraryProblem]:
    """Check every translation file under `directory`/translations against the templates
    read from templates.yaml and, when all are sound, add them to the latest version of each
    template entry (in place). The problems, or an empty list."""
    for entry in templates.entries:
        entry.data.setdefault("translation_review", {})
    folder = directory / DIRECTORY
    if not folder.is_dir():
        return []
    latest = {key: group[-1] for key, group in by_key(templates.entries).items()}
    problems: list[LibraryProblem] = []
    found: list[tuple[str, _Entry]] = []
    for path in sorted(folder.glob("*.yaml")):
        language, entries, file_problems = _read_file(path, templates.keys, latest)
        problems += file_problems
        found += [(language, entry) for entry in entries]
    if problems:
        return problems
    for language, entry in found:
        if entry.data["key"] not in latest:  # its templates.yaml entry has problems of its own
            continue
        data = latest[entry.data["key"]].data
        data["title"] = {**data["title"], language: entry.data["title"]}
        data["body"] = {**data["body"], language: entry.data["body"]}
        data["translation_review"] = {**data["translation_review"],
                                      language: entry.data["review"].value}
    return problems


def _read_file(path: Path, known_keys: set[str], latest: dict[str, _Entry]
               ) -> tuple[str, list[_Entry], list[LibraryProblem]]:
    name = f"{DIRECTORY}/{path.name}"
    section = _Section(TEMPLATES.name, name, _SCHEMA, TEMPLATES.model)

    def file_problem(reason: str, line: int | None = None) -> tuple[str, list, list]:
        return "", [], [section.problem(reason, line)]

    loader = _Loader(path.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return file_problem(f"Not valid YAML: {getattr(error, 'problem', error)}",
                            mark.line + 1 if mark else None)
    finally:
        loader.dispose()
    if not isinstance(document, dict) or not isinstance(document.get("templates"), list):
        return file_problem("The file must be a mapping with `language` and a `templates` list.")
    unknown = sorted(str(key) for key in document if key not in _TOP_LEVEL)
    if unknown:
        return file_problem(f"Unknown top-level key(s): {', '.join(unknown)}.")
    language = document.get("language")
    language_line = _line_of(root, "language")
    if language not in LANGUAGES:
        where = " (they are in templates.yaml)" if language in FIRST_LANGUAGES else ""
        return file_problem(f"Unknown language {language!r}{where}: translations are for "
                            f"{', '.join(LANGUAGES)}.", language_line)
    if path.stem != language:
        return file_problem(f"The file for {language} must be named {language}.yaml.",
                            language_line)
    nodes = next(value for key, value in root.value if key.value == "templates").value
    entries: list[_Entry] = []
    problems: list[LibraryProblem] = []
    for index, (raw, node) in enumerate(zip(document["templates"], nodes, strict=True)):
        try:
            entries.append(_Entry(section, index, _SCHEMA.load(raw), node))
        except ValidationError as error:
            key = raw.get("key") if isinstance(raw, dict) else None
            problems += [LibraryProblem(index, key if isinstance(key, str) else None, field,
                                        reason, _line_of(node, field), file=name,
                                        section="templates")
                         for field, reason in _flatten(error.messages)]
    seen: dict[str, int] = {}
    for entry in entries:
        key = entry.data["key"]
        if key in seen:
            problems.append(entry.problem("key", f"{key} is already translated at "
                                          f"templates[{seen[key]}]."))
            continue
        seen[key] = entry.index
        if key not in known_keys:
            problems.append(entry.problem("key", f"Unknown template {key!r}: not in "
                                          "templates.yaml."))
        elif key in latest:
            problems += _against_source(entry, latest[key])
    return language, entries, problems


def _against_source(entry: _Entry, source: _Entry) -> list[LibraryProblem]:
    """The translation must be of the current version, and keep its shape and its figures."""
    current = source.data.get("version", 1)
    if entry.data["translates_version"] != current:
        return [entry.problem("translates_version", (
            f"templates.yaml gives {entry.key} version {current}, not "
            f"{entry.data['translates_version']}: translate the current Russian text and set "
            f"translates_version: {current}."))]
    problems = []
    russian, translated = source.data["body"]["ru"], entry.data["body"]
    if _shape(russian) != _shape(translated):
        problems.append(entry.problem("body", (
            f"The Russian text has {_describe(_shape(russian))}; this translation has "
            f"{_describe(_shape(translated))}. Keep the blank lines between paragraphs and the "
            '"- " list markers exactly as in the source.')))
    for field_name in ("title", "body"):
        wanted = _figures(source.data[field_name]["ru"])
        given = _figures(entry.data[field_name])
        missing, added = sorted(wanted - given), sorted(given - wanted)
        if missing or added:
            detail = "; ".join(part for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"not in the Russian text {', '.join(added)}" if added else "") if part)
            problems.append(entry.problem(field_name, (
                f"The figures differ from the Russian text ({detail}): every article number, "
                "date and amount must be kept, and none added.")))
    return problems


def _shape(text: str) -> list[int]:
    """List items per paragraph (paragraphs are separated by blank lines)."""
    paragraphs = [chunk for chunk in re.split(r"\n[ \t]*\n", text.strip()) if chunk.strip()]
    return [sum(1 for line in chunk.splitlines() if line.lstrip().startswith("- "))
            for chunk in paragraphs]


def _describe(shape: list[int]) -> str:
    return f"{len(shape)} paragraph(s) with {', '.join(map(str, shape))} list item(s)"


def _figures(text: str) -> set[str]:
    """The numbers in a text, written alike: 10 000 and 10000, 2,8592 and 2.8592."""
    text = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", text)
    return {number.replace(",", ".") for number in re.findall(r"\d+(?:[.,]\d+)*", text)}
