"""Typed errors that carry a location, so every message can point at file:line:column."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to put on one line of a report: control and direction characters escaped.

    A file name or a value with a newline (or a terminal escape) would otherwise write lines
    of its own into a report, such as a fake PASS line.
    """
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Location:
    """Where something stands in a source file; lines and columns count from 1."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return printable(self.file)
        return f"{printable(self.file)}:{self.line}:{self.column}"


# Every error a user can meet has a stable code, like `triage check`'s E1xx and W2xx: scripts
# and tests match on the code, never on the wording, and a code never changes meaning (a new
# kind of problem gets a new code). The letter and first digit name the family; the table is
# the single list, and docs/errors.md is generated from it (tests/test_docs.py fails when the
# two differ). To add an error: give it the next free code of its family here, with a line
# saying what it means, and pass `code=` where it is raised.
FAMILIES: dict[str, str] = {
    "I1": "reading a file: size, encoding, YAML syntax and plain-data limits",
    "I2": "a file's shape, against its JSON Schema",
    "I3": "the knowledge base: names, definitions and how rules connect",
    "I4": "case files and the paths given to a command",
    "I5": "writing output, and the history database",
    "R1": "replies typed into the questionnaire (asked again, never an exit)",
    "P1": "worker processes of `triage run --jobs`",
    "X1": "the installation",
}

CODES: dict[str, str] = {
    "I101": "a file or folder cannot be opened or read",
    "I102": "a file is larger than the size limit",
    "I103": "a file is not UTF-8 text, or holds a character YAML does not allow",
    "I104": "a YAML syntax error",
    "I105": "a key is given twice in one mapping",
    "I106": "a value is not plain data (a YAML tag, a YAML 1.1 form, a non-text key)",
    "I107": "a file is empty",
    "I108": "a document is too deep, has too many keys or aliases, or expands too far",
    "I201": "a value has the wrong type",
    "I202": "a required key is missing",
    "I203": "a key that the format does not have",
    "I204": "a value outside what the format allows (choices, pattern, range, length)",
    "I205": "an item is listed twice where each may appear once",
    "I301": "an item (question, recommendation, rule, invariant, ...) is defined twice",
    "I302": "a name that the knowledge base does not define (fact, recommendation, finding, "
    "region, placeholder, rule)",
    "I303": "a value outside its question's domain",
    "I304": "an item contradicts itself or the kind of its question (`values` on a number, "
    "`min` above `max`, a numeric test of a yes/no fact, a rule that concludes nothing, ...)",
    "I305": "a finding is read but no rule concludes it",
    "I306": "rules cannot be ordered: circular findings, or a red flag waiting on a training rule",
    "I307": "a part of the knowledge base is missing or a file holds no single known kind",
    "I401": "a case answers a fact the question catalogue does not have",
    "I402": "a case's answer is outside its question's domain",
    "I403": "an `expect` block names an unknown recommendation or category",
    "I404": "no such case file or folder",
    "I405": "an interview step that does not fit its state (a fact asked twice, nothing to skip)",
    "I501": "the report or a saved file cannot be written",
    "I502": "the history database cannot be used (damaged, busy, newer, not a history)",
    "R101": "a yes/no question answered with something else",
    "R102": "a choice that is not one of the question's values, or could be several",
    "R103": "not a number in the question's range",
    "R104": "a checklist reply that does not say which items apply",
    "P101": "a worker process could not set itself up",
    "P102": "the worker process evaluating a case died; that case was not evaluated",
    "X101": "the installed Experta is not the release the engine was written against",
    "X102": "a shipped JSON Schema uses a keyword the validator does not enforce",
}


def _known(code: str) -> str:
    if code not in CODES:
        raise ValueError(f"error code {code} is not declared in triage.model.errors.CODES")
    return code


class TriageError(Exception):
    """Base of every error the core raises on purpose (never a bug).

    Each carries a stable `code` from `CODES` and, where one helps, a `suggestion`: a valid
    name close to a misspelt one, or what to do next.
    """

    def __init__(self, message: str, code: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.code = _known(code)
        self.suggestion = suggestion


@dataclass(frozen=True)
class Problem:
    """One located complaint about an input file, with its code from `CODES`."""

    location: Location
    message: str
    suggestion: str | None = None
    code: str = field(kw_only=True)

    def __post_init__(self) -> None:
        _known(self.code)

    def __str__(self) -> str:
        return f"{self.location}: {self._text()}"

    def coded(self) -> str:
        """The problem with its code after the location, as `triage check` prints its items."""
        return f"{self.location}: {self.code} {self._text()}"

    def _text(self) -> str:
        if self.suggestion:
            return printable(f"{self.message} (did you mean `{self.suggestion}`?)")
        return printable(self.message)


class InputError(TriageError):
    """Bad input: a malformed file or an answer outside its domain. Exit code 2.

    It holds every problem found (up to `MAX_SHOWN`), so one run shows all the mistakes of an
    edit; `code` and `suggestion` are the first problem's.
    """

    MAX_SHOWN = 20

    def __init__(self, problems: Problem | list[Problem]) -> None:
        found = [problems] if isinstance(problems, Problem) else list(problems)
        unique = list(dict.fromkeys(found))
        if len(unique) > self.MAX_SHOWN:
            rest = len(unique) - self.MAX_SHOWN
            unique = unique[: self.MAX_SHOWN]
            last = unique[-1]
            unique.append(Problem(last.location, f"... and {rest} more problem(s)", code=last.code))
        self.problems = unique
        first = self.problems[0]
        super().__init__("\n".join(str(p) for p in self.problems), first.code, first.suggestion)

    @property
    def location(self) -> Location:
        return self.problems[0].location

    @property
    def codes(self) -> list[str]:
        return [problem.code for problem in self.problems]


class ReplyError(TriageError, ValueError):
    """A typed reply that does not fit the question; the message says what would."""


class WorkerError(TriageError):
    """A worker process of the pool could not set itself up; the run stops (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "P101")


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The nearest valid name to a misspelt one, if any is near enough to be a useful hint."""
    matches = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return matches[0] if matches else None
