"""Which parts of the knowledge base a case corpus exercises.

A rule no case fires is a rule whose edits no regression test would catch, so the figure that
`--fail-under` guards is rule coverage: the share of rules fired by at least one case. Two
more figures help a trainer decide which cases to write next:

- question coverage: the share of questions answered (with a value, not left unknown) in at
  least one case;
- recommendation coverage: the share of recommendations that at least one case's result
  shows the lifter (a recommendation that fired but was held back does not count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.evaluate.evaluator import Evaluator
from triage.model.knowledge import KnowledgeBase
from triage.model.vocabulary import URGENCY_LEVELS
from triage.tools.outcomes import CaseOutcome, Status, run_cases


@dataclass(frozen=True)
class Measure:
    """How many of a kind of item the corpus reaches, and which it does not."""

    reached: int
    total: int
    missed: tuple[str, ...]

    @property
    def percent(self) -> float:
        """Share reached, in percent; an empty kind counts as fully covered."""
        return 100.0 * self.reached / self.total if self.total else 100.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "covered": self.reached,
            "total": self.total,
            "percent": round(self.percent, 1),
            "missed": list(self.missed),
        }


@dataclass(frozen=True)
class Coverage:
    kb: KnowledgeBase
    evaluated: int
    errors: tuple[CaseOutcome, ...]
    rule_cases: dict[str, tuple[str, ...]]  # rule id -> cases that fire it, in kb order
    question_cases: dict[str, int]  # fact id -> cases that answer it
    recommendation_cases: dict[str, int]  # recommendation id -> cases shown it
    urgencies: dict[str, int]  # urgency level -> cases that end there

    @property
    def rules(self) -> Measure:
        return _measure(self.rule_cases, bool)

    @property
    def questions(self) -> Measure:
        return _measure(self.question_cases, bool)

    @property
    def recommendations(self) -> Measure:
        return _measure(self.recommendation_cases, bool)


def _measure(counts: Mapping[str, Any], reached: Callable[[Any], bool]) -> Measure:
    missed = tuple(key for key, value in counts.items() if not reached(value))
    return Measure(len(counts) - len(missed), len(counts), missed)


def measure(
    sources: Iterable[str], kb: KnowledgeBase, evaluator: Evaluator, stdin: Any = None
) -> Coverage:
    """Evaluate every case; malformed ones are kept aside and the rest still counted."""
    rule_cases: dict[str, list[str]] = {rule.id: [] for rule in kb.rules}
    question_cases = dict.fromkeys(kb.questions, 0)
    recommendation_cases = dict.fromkeys(kb.recommendations, 0)
    urgencies = dict.fromkeys(URGENCY_LEVELS, 0)
    errors = []
    evaluated = 0
    for outcome in run_cases(sources, kb, evaluator, stdin):
        if outcome.status == Status.ERROR or outcome.result is None or outcome.case is None:
            errors.append(outcome)
            continue
        evaluated += 1
        result = outcome.result
        for rule_id in dict.fromkeys(result.fired):
            rule_cases[rule_id].append(outcome.source)
        for fact in outcome.case.answers:
            question_cases[fact] += 1
        for rec in result.recommendations:
            recommendation_cases[rec.id] += 1
        urgencies[result.urgency] += 1
    return Coverage(
        kb=kb,
        evaluated=evaluated,
        errors=tuple(errors),
        rule_cases={key: tuple(value) for key, value in rule_cases.items()},
        question_cases=question_cases,
        recommendation_cases=recommendation_cases,
        urgencies=urgencies,
    )
