"""Why one case came out as it did: the fired rules, the near misses, the open questions.

A trainer reading a surprising result wants three things: the chain of rules that produced it,
the rules that almost applied (so a missing or mistaken answer shows up), and the questions
the lifter left open that could still move the urgency or the advice. The first comes from
the result's trace; the other two come from re-running the case with one answer changed at a
time, over the representative values of `triage.evaluate.answer_space`, which stand for every value
the rules can tell apart, so nothing is sampled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage.evaluate.answer_space import UNKNOWN, all_fact_tests, answer_space
from triage.evaluate.evaluator import Evaluator
from triage.evaluate.partial import partial_outcome
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.cases import Case
from triage.model.conditions import FactTest
from triage.model.knowledge import KnowledgeBase, Question, Recommendation, Rule
from triage.model.result import HoldBack, Result, hold_back
from triage.model.values import show_value


@dataclass(frozen=True)
class Advice:
    """One recommendation a fired rule made, and whether the lifter sees it."""

    rec: Recommendation
    hold: HoldBack  # why it is held back; false when it is given

    @property
    def given(self) -> bool:
        return not self.hold


@dataclass(frozen=True)
class Step:
    """One fired rule, in firing order."""

    rule: Rule
    matched: tuple[tuple[str, Any], ...]
    findings_read: tuple[str, ...]
    advice: tuple[Advice, ...]


@dataclass(frozen=True)
class AnswerChange:
    """Values of one fact that, each on its own, would make a rule fire."""

    fact: str
    now: Any  # the case's answer, or UNKNOWN
    values: tuple[Any, ...]
    text: str  # the values as the answer ranges they stand for


@dataclass(frozen=True)
class FindingChange:
    """A finding whose presence (or absence) is all that keeps a rule from firing."""

    finding: str
    needed: bool  # True: the rule needs the finding; False: the finding blocks the rule
    producers: tuple[str, ...]


@dataclass(frozen=True)
class NearMiss:
    rule: Rule
    answers: tuple[AnswerChange, ...]
    findings: tuple[FindingChange, ...]


@dataclass(frozen=True)
class Effect:
    """What giving an open question some values would do to the result."""

    values: tuple[Any, ...]
    text: str  # the values as the answer ranges they stand for
    urgency: str
    adds: tuple[str, ...]
    drops: tuple[str, ...]


@dataclass(frozen=True)
class OpenQuestion:
    """A question the case leaves unanswered whose answer could still change the result."""

    question: Question
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Explanation:
    case: Case
    result: Result
    steps: tuple[Step, ...]
    near_misses: tuple[NearMiss, ...]
    open_questions: tuple[OpenQuestion, ...]


def explain(kb: KnowledgeBase, case: Case, evaluator: Evaluator | None = None) -> Explanation:
    """Explain one case; `evaluator` gives the main result (the reference one by default).

    The what-if runs always use the engine-free reference evaluator: they are many and short,
    and the corpus tests hold it to the same results as the Experta engine.
    """
    reference = ReferenceEvaluator(kb)
    result = (evaluator or reference).evaluate(case.answers)
    space = answer_space(kb)
    tests = all_fact_tests(kb)
    variants = _single_changes(kb, case.answers, space, reference)
    return Explanation(
        case=case,
        result=result,
        steps=_steps(result),
        near_misses=_near_misses(kb, case.answers, result, variants, tests),
        open_questions=_open_questions(kb, case.answers, result, variants, tests),
    )


def _steps(result: Result) -> tuple[Step, ...]:
    produced = (*result.recommendations, *result.withheld)
    by_id = {rec.id: rec for rec in produced}
    concluded: set[str] = set()
    steps = []
    for firing in result.trace:
        rule = firing.rule
        read = tuple(dict.fromkeys(name for name in rule.when.findings() if name in concluded))
        advice = tuple(
            Advice(by_id[rec_id], hold_back(by_id[rec_id], produced, result.urgency))
            for rec_id in rule.recommend
        )
        steps.append(Step(rule, firing.matched, read, advice))
        concluded.update(rule.findings)
    return tuple(steps)


Variants = dict[str, list[tuple[Any, Result]]]


def _single_changes(
    kb: KnowledgeBase,
    answers: Mapping[str, Any],
    space: Mapping[str, list[Any]],
    reference: ReferenceEvaluator,
) -> Variants:
    """The result with each fact set to each of its other representative values."""
    variants: Variants = {}
    for fact, values in space.items():
        now = answers.get(fact, UNKNOWN)
        for value in values:
            if value is now or (value is not UNKNOWN and now is not UNKNOWN and value == now):
                continue
            changed = dict(answers)
            if value is UNKNOWN:
                changed.pop(fact, None)
            else:
                changed[fact] = value
            variants.setdefault(fact, []).append((value, reference.evaluate(changed)))
    return variants


def _near_misses(
    kb: KnowledgeBase,
    answers: Mapping[str, Any],
    result: Result,
    variants: Variants,
    tests: Mapping[str, list[FactTest]],
) -> tuple[NearMiss, ...]:
    fired = set(result.fired)
    found = set(result.findings)
    producers: dict[str, list[str]] = {}
    for rule in kb.rules:
        for name in rule.findings:
            producers.setdefault(name, []).append(rule.id)
    misses = []
    for rule in kb.rules:
        if rule.id in fired:
            continue
        changes = []
        for fact, tried in variants.items():
            values = tuple(value for value, other in tried if rule.id in other.fired)
            if values:
                text = describe_values(kb.questions[fact], tests.get(fact, []), values)
                changes.append(AnswerChange(fact, answers.get(fact, UNKNOWN), values, text))
        test = rule.when.compile()
        finding_changes = []
        for name in dict.fromkeys(rule.when.findings()):
            toggled = found ^ {name}
            if test(answers, toggled):
                makers = producers.get(name, [])
                if name in found:
                    makers = [r for r in makers if r in fired]
                finding_changes.append(FindingChange(name, name not in found, tuple(makers)))
        if changes or finding_changes:
            misses.append(NearMiss(rule, tuple(changes), tuple(finding_changes)))
    return tuple(misses)


def _open_questions(
    kb: KnowledgeBase,
    answers: Mapping[str, Any],
    result: Result,
    variants: Variants,
    tests: Mapping[str, list[FactTest]],
) -> tuple[OpenQuestion, ...]:
    before = {rec.id for rec in result.recommendations}
    order = {rec_id: i for i, rec_id in enumerate(kb.recommendations)}
    questions = []
    for fact, question in kb.questions.items():
        if fact in answers:
            continue
        if partial_outcome(kb, answers, pending={fact}).determined:
            continue
        grouped: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[Any]] = {}
        for value, other in variants.get(fact, []):
            after = {rec.id for rec in other.recommendations}
            if other.urgency == result.urgency and after == before:
                continue
            key = (
                other.urgency,
                tuple(sorted(after - before, key=order.__getitem__)),
                tuple(sorted(before - after, key=order.__getitem__)),
            )
            grouped.setdefault(key, []).append(value)
        effects = tuple(
            Effect(
                tuple(values),
                describe_values(question, tests.get(fact, []), values),
                urgency,
                adds,
                drops,
            )
            for (urgency, adds, drops), values in grouped.items()
        )
        if effects:
            questions.append(OpenQuestion(question, effects))
    return tuple(questions)


# -- presentation ----------------------------------------------------------------------


Interval = tuple[float | None, bool, float | None, bool]  # low, low closed, high, high closed


def describe_values(question: Question, tests: Sequence[FactTest], values: Sequence[Any]) -> str:
    """Representative answers as the ranges they stand for: `>= 8` rather than `8 or 14`.

    A representative stands for every answer that passes the same tests; for a number those
    answers form ranges between the thresholds the rules compare it with, so the ranges can
    be given exactly.
    """
    known = [v for v in values if v is not UNKNOWN]
    parts: list[str] = []
    if known and question.type in ("integer", "number"):
        parts.extend(_range_text(question, span) for span in value_spans(question, tests, known))
    elif known:
        parts.append("= " + " or ".join(show_value(v) for v in known))
    if len(known) < len(values):
        parts.append("unknown" if parts else "is unknown")
    return " or ".join(parts)


def _signature(tests: Sequence[FactTest], value: Any) -> tuple[bool, ...]:
    return tuple(t.holds(value) for t in tests if t.op not in ("unknown", "known"))


def value_spans(
    question: Question, tests: Sequence[FactTest], values: Sequence[Any]
) -> list[Interval]:
    """The answer ranges that behave like one of `values`, merged, lowest first."""
    refs = {
        ref
        for t in tests
        if t.op not in ("unknown", "known")
        for ref in (t.value if t.op == "in" else (t.value,))
        if isinstance(ref, int | float) and not isinstance(ref, bool)
    }
    low, high = question.min, question.max
    bounds = sorted(
        {r for r in refs if (low is None or r >= low) and (high is None or r <= high)}
        | ({low} if low is not None else set())
        | ({high} if high is not None else set())
    )
    integer = question.type == "integer"
    # Atoms, in order: open gaps between bounds and the bounds themselves. Every answer inside
    # one atom passes the same tests.
    atoms: list[tuple[Interval, Any]] = []
    edges: list[float | None] = [None, *bounds] if low is None else list(bounds)
    if high is None:
        edges.append(None)
    for i, edge in enumerate(edges):
        if edge is not None:
            atoms.append(((edge, True, edge, True), edge))
        if i + 1 < len(edges):
            a, b = edge, edges[i + 1]
            if a is None:
                sample: Any = 0 if b is None else b - 1
            elif b is None:
                sample = math.floor(a) + 1 if integer else a + 1
            elif integer:
                sample = math.floor(a) + 1
                if sample >= b:
                    continue  # no whole number strictly between a and b
            else:
                sample = (a + b) / 2
            atoms.append(((a, False, b, False), sample))
    wanted = {_signature(tests, v) for v in values}
    spans: list[Interval] = []
    joined = False
    for (a, a_closed, b, b_closed), sample in atoms:
        if _signature(tests, sample) not in wanted:
            joined = False
            continue
        if joined:
            spans[-1] = (spans[-1][0], spans[-1][1], b, b_closed)
        else:
            spans.append((a, a_closed, b, b_closed))
        joined = True
    return spans


def _range_text(question: Question, span: Interval) -> str:
    a, a_closed, b, b_closed = span
    if question.type == "integer":  # whole numbers: closed bounds read best
        if a is not None and not a_closed:
            a, a_closed = math.floor(a) + 1, True
        if b is not None and not b_closed:
            b, b_closed = math.ceil(b) - 1, True
    at_floor = a is None or (question.min is not None and a <= question.min and a_closed)
    at_ceiling = b is None or (question.max is not None and b >= question.max and b_closed)
    if a is not None and a == b:
        return f"= {show_value(a)}"
    if at_floor and at_ceiling:
        return "any value"
    lower = f"{'>=' if a_closed else '>'} {show_value(a)}"
    upper = f"{'<=' if b_closed else '<'} {show_value(b)}"
    if at_floor:
        return upper
    if at_ceiling:
        return lower
    if question.type == "integer":
        return f"{show_value(a)} to {show_value(b)}"
    return f"{lower} and {upper}"
