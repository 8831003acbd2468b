"""Case files: a lifter's answers plus, optionally, the outcome a trainer expects."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.files import yamlio
from triage.files.schema import Validator
from triage.model.errors import InputError, Location, Problem, closest
from triage.model.knowledge import KnowledgeBase
from triage.model.values import quoted_value
from triage.model.vocabulary import CATEGORIES, URGENCY_RANK

STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class Expectation:
    urgency: str | None = None
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    answers: Mapping[str, Any]
    title: str = ""
    expect: Expectation | None = None


def parse_case(text: str, name: str, kb: KnowledgeBase) -> Case:
    """Validate a case file's text against the schema and the question catalogue."""
    data = yamlio.parse(text, name)
    problems: list[Problem] = []
    if not _plainly_valid(data, kb):
        for err in Validator("case.schema.json").validate(data):
            path = list(err.path)
            if err.on_key and path:
                path[-1] = yamlio.key(str(path[-1]))
            problems.append(
                Problem(yamlio.locate(text, name, path), err.message, err.suggestion, code=err.code)
            )
        if problems:
            raise InputError(problems)
    answers: dict[str, Any] = {}
    for fact, value in data["answers"].items():
        question = kb.questions.get(fact)
        if question is None and len(problems) > InputError.MAX_SHOWN:
            # only counted
            problems.append(Problem(Location(name), f"unknown fact `{fact}`", code="I401"))
            continue
        if question is None:
            problems.append(
                Problem(
                    yamlio.locate(text, name, ["answers", yamlio.key(fact)]),
                    f"unknown fact `{fact}`",
                    closest(fact, kb.questions),
                    code="I401",
                )
            )
            continue
        if not question.accepts(value):
            problems.append(
                Problem(
                    yamlio.locate(text, name, ["answers", fact]),
                    f"{quoted_value(value)} is outside the domain of `{fact}`; "
                    f"expected {question.domain_text()}",
                    closest(str(value), question.values) if question.values else None,
                    code="I402",
                )
            )
            continue
        if question.type == "integer" and isinstance(value, float):
            value = int(value)
        answers[fact] = value
    expect = None
    if "expect" in data:
        raw = data["expect"]
        names = list(kb.recommendations) + list(CATEGORIES)
        for part in ("includes", "excludes"):
            for pos, ref in enumerate(raw.get(part, ())):
                if ref not in kb.recommendations and ref not in CATEGORIES:
                    problems.append(
                        Problem(
                            yamlio.locate(text, name, ["expect", part, pos]),
                            f"unknown recommendation id or category `{ref}`",
                            closest(ref, names),
                            code="I403",
                        )
                    )
        expect = Expectation(
            raw.get("urgency"), tuple(raw.get("includes", ())), tuple(raw.get("excludes", ()))
        )
    if problems:
        raise InputError(problems)
    return Case(name=name, answers=answers, title=data.get("title", ""), expect=expect)


_CASE_KEYS = frozenset({"title", "answers", "expect"})
_EXPECT_KEYS = frozenset({"urgency", "includes", "excludes"})
_SCALARS = (bool, int, float, str)


def _plainly_valid(data: Any, kb: KnowledgeBase) -> bool:
    """A quick check that a case has the schema's shape, for the common well-formed file.

    Batch runs read thousands of cases, and the general validator costs as much as the YAML
    parse. This check is never looser than the schema (answer ids must be catalogue ids,
    which the schema's name pattern admits); anything it does not accept goes through the
    validator, which is the authority and writes the messages.
    """
    if type(data) is not dict or not data.keys() <= _CASE_KEYS:
        return False
    if not isinstance(data.get("title", ""), str):
        return False
    answers = data.get("answers")
    if type(answers) is not dict:
        return False
    questions = kb.questions
    for fact, value in answers.items():
        if type(value) not in _SCALARS or type(fact) is not str or fact not in questions:
            return False
    expect = data.get("expect")
    if expect is None:
        return "expect" not in data
    if type(expect) is not dict or not expect.keys() <= _EXPECT_KEYS:
        return False
    if "urgency" in expect and expect["urgency"] not in URGENCY_RANK:
        return False
    for part in ("includes", "excludes"):
        names = expect.get(part, [])
        if type(names) is not list or any(type(n) is not str for n in names):
            return False
        if len(set(names)) != len(names):
            return False
    return True


def read_case_text(source: str, stdin: Any = None) -> tuple[str, str]:
    """The name and decoded text of a case file, or of `stdin` when the source is `-`."""
    if source == STDIN:
        return STDIN_NAME, yamlio.decode(yamlio.read_stream(stdin, STDIN_NAME), STDIN_NAME)
    path = Path(source)
    try:
        data = yamlio.read_bytes(path, source)
    except OSError as err:
        raise InputError(Problem(Location(source), _unreadable(path, err), code="I101")) from None
    return source, yamlio.decode(data, source)


def read_case(source: str, kb: KnowledgeBase, stdin: Any = None) -> Case:
    """Read one case from a path, or from `stdin` when the source is `-`."""
    name, text = read_case_text(source, stdin)
    return parse_case(text, name, kb)


def _unreadable(path: Path, err: OSError) -> str:
    """Why a case file or folder cannot be read, in a trainer's words."""
    if err.errno == errno.ELOOP:
        return "symbolic link loop; expected a case file"
    if path.is_symlink() and not path.exists():
        return f"dangling symbolic link (to {os.readlink(path)}); expected a case file"
    if path.is_dir():
        if path.is_symlink():
            return "link to a folder that is already read (a link loop); expected a case file"
        try:
            os.scandir(path).close()
        except OSError as inner:
            return f"cannot read folder: {inner.strerror}; expected a readable folder of cases"
        return "is a folder; expected a case file"
    return f"cannot read case file: {err.strerror}"


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files as given; folders recursively, sorted; `-` passed through.

    Every path is checked before any case runs, so a typo fails fast instead of after a
    long batch. Nothing found in a folder is left out in silence: a `.yaml` entry that is not
    a readable file (a dangling link, a link loop) and a subfolder that cannot be listed are
    returned as sources too, so reading them reports the error as part of the run.
    Linked folders are followed once each; a link back into a folder already walked is
    reported as a loop.
    """
    found: list[str] = []
    missing = []
    for raw in paths:
        path = Path(raw)
        if raw == STDIN or path.is_file():
            found.append(raw)
        elif path.is_dir():
            found.extend(_walk(path))
        elif path.is_symlink() or (raw.endswith((".yaml", ".yml")) and os.path.lexists(raw)):
            found.append(raw)  # a dangling link or a loop given by name: reported when read
        else:
            missing.append(
                Problem(
                    Location(raw),
                    "no such file or folder; expected a case "
                    "file, a folder of case files, or - for stdin",
                    code="I404",
                )
            )
    if missing:
        raise InputError(missing)
    return found


def _walk(root: Path) -> list[str]:
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            info = folder.stat()
            key = (info.st_dev, info.st_ino)
            if key in seen:
                found.append(str(folder))  # read as a case, it reports the loop
                continue
            seen.add(key)
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            found.append(str(folder))  # read as a case, it reports why it cannot be listed
            continue
        for entry in listed:
            child = folder / entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                pending.append(child)
            elif child.suffix in (".yaml", ".yml"):
                found.append(str(child))
    return sorted(found)
