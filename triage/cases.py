"""Case files: a lifter's answers plus, optionally, the outcome a trainer expects."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlio
from .errors import InputError, Location, Problem, closest
from .knowledge import KnowledgeBase
from .schema import Validator
from .vocabulary import CATEGORIES

STDIN = "-"


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
    extra: Mapping[str, Any] = field(default_factory=dict)


def parse_case(text: str, name: str, kb: KnowledgeBase) -> Case:
    """Validate a case file's text against the schema and the question catalogue."""
    data = yamlio.parse(text, name)
    problems: list[Problem] = []
    for err in Validator("case.schema.json").validate(data):
        path = list(err.path)
        if err.on_key and path:
            path[-1] = yamlio.key(str(path[-1]))
        problems.append(Problem(yamlio.locate(text, name, path), err.message, err.suggestion))
    if problems:
        raise InputError(problems)
    answers: dict[str, Any] = {}
    for fact, value in data["answers"].items():
        question = kb.questions.get(fact)
        if question is None:
            problems.append(
                Problem(
                    yamlio.locate(text, name, ["answers", yamlio.key(fact)]),
                    f"unknown fact `{fact}`",
                    closest(fact, kb.questions),
                )
            )
            continue
        if not question.accepts(value):
            shown = ("true" if value else "false") if isinstance(value, bool) else f"`{value}`"
            problems.append(
                Problem(
                    yamlio.locate(text, name, ["answers", fact]),
                    f"{shown} is outside the domain of `{fact}`; expected {question.domain_text()}",
                    closest(str(value), question.values) if question.values else None,
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
                        )
                    )
        expect = Expectation(
            raw.get("urgency"), tuple(raw.get("includes", ())), tuple(raw.get("excludes", ()))
        )
    if problems:
        raise InputError(problems)
    return Case(name=name, answers=answers, title=data.get("title", ""), expect=expect)


def read_case(source: str, kb: KnowledgeBase, stdin: Any = None) -> Case:
    """Read one case from a path, or from `stdin` when the source is `-`."""
    if source == STDIN:
        raw = stdin.read() if stdin is not None else b""
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        return parse_case(yamlio.decode(data, "<stdin>"), "<stdin>", kb)
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(
            Problem(Location(source), f"cannot read case file: {err.strerror}")
        ) from None
    return parse_case(yamlio.decode(data, source), source, kb)


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files as given; folders recursively, sorted; `-` passed through.

    Every path is checked before any case runs, so a typo fails fast instead of after a
    long batch.
    """
    found: list[str] = []
    missing = []
    for raw in paths:
        path = Path(raw)
        if raw == STDIN or (path.is_file()):
            found.append(raw)
        elif path.is_dir():
            found.extend(
                sorted(
                    str(p) for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                )
            )
        else:
            missing.append(
                Problem(
                    Location(raw),
                    "no such file or folder; expected a case "
                    "file, a folder of case files, or - for stdin",
                )
            )
    if missing:
        raise InputError(missing)
    return found
