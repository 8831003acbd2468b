"""Which cases change outcome between two rule bases.

A trainer edits the rules and wants to see, before committing, every lifter whose advice
moves. Only what the lifter sees counts as a change: the urgency, and the set of
recommendations shown (a new order inside a category, or a different rule reaching the same
result, is not a change). The fired rules are reported alongside so the cause is visible.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from triage.evaluate.evaluator import Evaluator
from triage.files.cases import STDIN, STDIN_NAME, parse_case, read_case_text
from triage.model.errors import InputError, Problem
from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result


@dataclass(frozen=True)
class CaseDiff:
    """One case under both rule bases, or the problems that kept it from running."""

    source: str
    title: str = ""
    before: Result | None = None
    after: Result | None = None
    problems: tuple[tuple[str, Problem], ...] = ()  # ("old" | "new" | "both", problem)

    @property
    def changed(self) -> bool:
        if self.before is None or self.after is None:
            return False
        return self.before.urgency != self.after.urgency or recommendation_ids(
            self.before
        ) != recommendation_ids(self.after)


def recommendation_ids(result: Result) -> set[str]:
    return {rec.id for rec in result.recommendations}


@dataclass(frozen=True)
class DiffSummary:
    """How many cases changed between the two bases."""

    cases: int
    changed: int
    errors: int

    @property
    def unchanged(self) -> int:
        return self.cases - self.changed - self.errors

    def as_dict(self) -> dict[str, int]:
        return {
            "cases": self.cases,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }

    def text(self) -> str:
        return (
            f"{self.cases} case(s): {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.errors} error(s)"
        )


def compare(
    sources: Iterable[str],
    old: tuple[KnowledgeBase, Evaluator],
    new: tuple[KnowledgeBase, Evaluator],
    stdin: Any = None,
) -> Iterator[CaseDiff]:
    """Evaluate each case under both bases; a case invalid under either is reported, not run.

    A case is read once per base, since the question catalogues may differ between them.
    """
    for source in sources:
        read = []
        problems: list[tuple[str, Problem]] = []
        name = STDIN_NAME if source == STDIN else source
        try:
            name, text = read_case_text(source, stdin)
        except InputError as err:
            problems.extend(("both", problem) for problem in err.problems)
            yield CaseDiff(name, problems=tuple(problems))
            continue
        for side, (kb, _) in (("old", old), ("new", new)):
            try:
                read.append(parse_case(text, name, kb))
            except InputError as err:
                problems.extend((side, problem) for problem in err.problems)
        if problems:
            yield CaseDiff(name, problems=_merge(problems))
            continue
        before = old[1].evaluate(read[0].answers)
        after = new[1].evaluate(read[1].answers)
        yield CaseDiff(name, read[1].title or read[0].title, before, after)


def _merge(problems: list[tuple[str, Problem]]) -> tuple[tuple[str, Problem], ...]:
    """A problem found under both bases (bad YAML, say) is reported once, as `both`."""
    old = [p for side, p in problems if side == "old"]
    new = [p for side, p in problems if side == "new"]
    merged: list[tuple[str, Problem]] = []
    for problem in old:
        merged.append(("both" if any(str(problem) == str(q) for q in new) else "old", problem))
    merged.extend(("new", q) for q in new if not any(str(q) == str(p) for p in old))
    return tuple(merged)


def summarise(diffs: Iterable[CaseDiff]) -> DiffSummary:
    items = list(diffs)
    return DiffSummary(
        cases=len(items),
        changed=sum(1 for d in items if d.changed),
        errors=sum(1 for d in items if d.problems),
    )
