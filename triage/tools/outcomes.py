"""Evaluating case files and checking their `expect` blocks."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from triage.evaluate.evaluator import Evaluator, evaluate_all
from triage.files.cases import STDIN, STDIN_NAME, Case, Expectation, read_case
from triage.model.errors import InputError
from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result

PASS, FAIL, ERROR, UNCHECKED = "pass", "fail", "error", "unchecked"
CHUNK = 64  # cases read, then evaluated together


class HasStatus(Protocol):
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class CaseOutcome:
    """One case file's verdict: its result, or the error that kept it from running."""

    source: str
    status: str
    case: Case | None = None
    result: Result | None = None
    failures: tuple[str, ...] = ()
    error: InputError | None = None


def check_expectation(expect: Expectation, result: Result) -> tuple[str, ...]:
    """Each way the result misses the expectation, in words."""
    failures = []
    if expect.urgency and expect.urgency != result.urgency:
        failures.append(f"urgency: expected {expect.urgency}, got {result.urgency}")
    names = result.names()
    missing = [name for name in expect.includes if name not in names]
    if missing:
        failures.append("missing: " + ", ".join(missing))
    unwanted = [name for name in expect.excludes if name in names]
    if unwanted:
        failures.append("should not include: " + ", ".join(unwanted))
    return tuple(failures)


def judge(case: Case, result: Result) -> CaseOutcome:
    if case.expect is None:
        return CaseOutcome(case.name, UNCHECKED, case, result)
    failures = check_expectation(case.expect, result)
    return CaseOutcome(case.name, FAIL if failures else PASS, case, result, failures)


def run_cases(
    sources: Iterable[str],
    kb: KnowledgeBase,
    evaluator: Evaluator,
    stdin: Any = None,
    chunk: int = CHUNK,
) -> Iterator[CaseOutcome]:
    """Evaluate each case in order; a malformed one becomes an `error` outcome, not a stop.

    Cases are read `chunk` at a time and evaluated together, so memory stays bounded
    however many sources there are.
    """
    it = iter(sources)
    while batch := list(itertools.islice(it, chunk)):
        read: list[Case | CaseOutcome] = []
        for source in batch:
            try:
                read.append(read_case(source, kb, stdin))
            except InputError as err:
                name = STDIN_NAME if source == STDIN else source
                read.append(CaseOutcome(name, ERROR, error=err))
        cases = [item for item in read if isinstance(item, Case)]
        results = iter(evaluate_all(evaluator, [case.answers for case in cases]))
        for item in read:
            yield item if isinstance(item, CaseOutcome) else judge(item, next(results))


@dataclass
class Summary:
    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    unchecked: int = 0

    def add(self, outcome: HasStatus) -> None:
        """Count one case (a CaseOutcome, or a rendered record that knows its status)."""
        self.total += 1
        field = {PASS: "passed", FAIL: "failed", ERROR: "errors", UNCHECKED: "unchecked"}
        name = field[outcome.status]
        setattr(self, name, getattr(self, name) + 1)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.failed else 0

    def as_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "unchecked": self.unchecked,
        }

    def text(self) -> str:
        return (
            f"{self.total} case(s): {self.passed} passed, {self.failed} failed, "
            f"{self.errors} error(s), {self.unchecked} unchecked"
        )
