"""Evaluating case files and checking their `expect` blocks."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from triage.evaluate.evaluator import Evaluator, evaluate_all
from triage.files.cases import STDIN, STDIN_NAME, Case, Expectation, read_case
from triage.model.errors import InputError
from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result
from triage.model.vocabulary import URGENCY_RANK

READ_AHEAD = 64  # cases read, then evaluated together


class Status(StrEnum):
    """A case's verdict; the value is what the JSON, CSV and text reports print."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"  # the case file is malformed: it did not run
    UNCHECKED = "unchecked"  # it ran, but has no `expect` block


class Counted(Protocol):
    """What the summary needs of a case: a `CaseOutcome`, or the record a worker sends."""

    @property
    def source(self) -> str: ...

    @property
    def status(self) -> Status: ...

    @property
    def urgencies(self) -> tuple[str, str] | None: ...


@dataclass(frozen=True)
class CaseOutcome:
    """One case file's verdict: its result, or the error that kept it from running."""

    source: str
    status: Status
    case: Case | None = None
    result: Result | None = None
    failures: tuple[str, ...] = ()
    error: InputError | None = None

    @property
    def urgencies(self) -> tuple[str, str] | None:
        """The expected and the resulting urgency, when the case's `expect` names one."""
        if self.case is None or self.case.expect is None or self.result is None:
            return None
        expected = self.case.expect.urgency
        return (expected, self.result.urgency) if expected else None


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
        return CaseOutcome(case.name, Status.UNCHECKED, case, result)
    failures = check_expectation(case.expect, result)
    status = Status.FAIL if failures else Status.PASS
    return CaseOutcome(case.name, status, case, result, failures)


def run_cases(
    sources: Iterable[str],
    kb: KnowledgeBase,
    evaluator: Evaluator,
    stdin: Any = None,
    chunk: int = READ_AHEAD,
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
                read.append(CaseOutcome(name, Status.ERROR, error=err))
        cases = [item for item in read if isinstance(item, Case)]
        results = iter(evaluate_all(evaluator, [case.answers for case in cases]))
        for item in read:
            yield item if isinstance(item, CaseOutcome) else judge(item, next(results))


@dataclass(frozen=True)
class Mistriage:
    """A case whose urgency differs from the expected one; `levels` > 0 is over-triage."""

    case: str
    expected: str
    got: str

    @property
    def levels(self) -> int:
        return URGENCY_RANK[self.got] - URGENCY_RANK[self.expected]


@dataclass
class UrgencyMatrix:
    """Expected against resulting urgency over the cases whose `expect` names one.

    Trainers judge a rule change by it: under-triage (a lower urgency than expected) is the
    dangerous direction, over-triage the costly one. Only the mistriaged cases are kept by
    name, so memory grows with the misses, not with the batch.
    """

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    misses: list[Mistriage] = field(default_factory=list)

    def add(self, case: str, expected: str, got: str) -> None:
        self.counts[expected, got] = self.counts.get((expected, got), 0) + 1
        if expected != got:
            self.misses.append(Mistriage(case, expected, got))

    @property
    def checked(self) -> int:
        return sum(self.counts.values())

    @property
    def under(self) -> list[Mistriage]:
        return [miss for miss in self.misses if miss.levels < 0]

    @property
    def over(self) -> list[Mistriage]:
        return [miss for miss in self.misses if miss.levels > 0]


@dataclass
class RunSummary:
    """The counts behind the last lines of a `triage run` report, and its exit code."""

    total: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    unchecked: int = 0
    urgency: UrgencyMatrix = field(default_factory=UrgencyMatrix)

    def add(self, item: Counted) -> None:
        """Count one case (a CaseOutcome, or a rendered record that knows its status)."""
        self.total += 1
        name = _COUNTERS[Status(item.status)]
        setattr(self, name, getattr(self, name) + 1)
        if item.urgencies is not None:
            self.urgency.add(item.source, *item.urgencies)

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


_COUNTERS = {
    Status.PASS: "passed",
    Status.FAIL: "failed",
    Status.ERROR: "errors",
    Status.UNCHECKED: "unchecked",
}
