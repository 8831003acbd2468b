"""Typed errors that carry a location, so every message can point at file:line:column."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

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


class TriageError(Exception):
    """Base of every error the core raises on purpose (never a bug)."""


@dataclass(frozen=True)
class Problem:
    """One located complaint about an input file."""

    location: Location
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.suggestion:
            text += f" (did you mean `{self.suggestion}`?)"
        return printable(text)


class InputError(TriageError):
    """Bad input: a malformed file or an answer outside its domain. Exit code 2."""

    MAX_SHOWN = 20

    def __init__(self, problems: Problem | list[Problem]) -> None:
        found = [problems] if isinstance(problems, Problem) else list(problems)
        unique = list(dict.fromkeys(found))
        if len(unique) > self.MAX_SHOWN:
            rest = len(unique) - self.MAX_SHOWN
            unique = unique[: self.MAX_SHOWN]
            unique.append(Problem(unique[-1].location, f"... and {rest} more problem(s)"))
        self.problems = unique
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def location(self) -> Location:
        return self.problems[0].location


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The nearest valid name to a misspelt one, if any is near enough to be a useful hint."""
    matches = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return matches[0] if matches else None
