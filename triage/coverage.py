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

from .batch import ERROR, CaseOutcome, Evaluator, run_cases
from .knowledge import KnowledgeBase
from .report import outcome_dict, outcome_line
from .vocabulary import URGENCY_LEVELS


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
        if outcome.status == ERROR or outcome.result is None or outcome.case is None:
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


def coverage_dict(cov: Coverage) -> dict[str, Any]:
    return {
        "cases": {"evaluated": cov.evaluated, "errors": len(cov.errors)},
        "rules": {
            **cov.rules.as_dict(),
            "cases_per_rule": [
                {"rule": rule_id, "cases": len(cases), "case_files": list(cases)}
                for rule_id, cases in cov.rule_cases.items()
            ],
        },
        "questions": {
            **cov.questions.as_dict(),
            "cases_per_question": dict(cov.question_cases),
        },
        "recommendations": {
            **cov.recommendations.as_dict(),
            "cases_per_recommendation": dict(cov.recommendation_cases),
        },
        "urgencies": dict(cov.urgencies),
        "errors": [outcome_dict(outcome) for outcome in cov.errors],
    }


def coverage_text(cov: Coverage) -> str:
    lines = [outcome_line(outcome) for outcome in cov.errors]
    if lines:
        lines.append("")
    lines.append(
        f"{cov.evaluated} case(s) evaluated, {len(cov.errors)} malformed (left out of the figures)"
    )
    for name, measure_, verb in (
        ("rules", cov.rules, "fired by"),
        ("questions", cov.questions, "answered in"),
        ("recommendations", cov.recommendations, "given in"),
    ):
        lines.append(
            f"{name.capitalize():16} {measure_.percent:5.1f}%  "
            f"({measure_.reached} of {measure_.total} {verb} at least one case)"
        )
    lines += ["", "Cases firing each rule:"]
    width = len(str(max(cov.evaluated, 1)))
    for rule_id, cases in cov.rule_cases.items():
        lines.append(f"  {len(cases):>{width}}  {rule_id}")
    rules = cov.kb.rule_by_id
    pad = max((len(r) for r in cov.rules.missed), default=0)
    missed = (
        ("Rules no case fires", [f"{r:{pad}}  {rules[r].location}" for r in cov.rules.missed]),
        ("Questions no case answers", list(cov.questions.missed)),
        ("Recommendations no case is given", list(cov.recommendations.missed)),
    )
    for title, items in missed:
        if items:
            lines += ["", f"{title} ({len(items)}):"]
            lines += [f"  {item}" for item in items]
    lines += ["", "Cases ending at each urgency:"]
    lines += [f"  {count:>{width}}  {level}" for level, count in cov.urgencies.items()]
    return "\n".join(lines)
