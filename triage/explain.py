"""Why one case came out as it did: the fired rules, the near misses, the open questions.

A trainer reading a surprising result wants three things: the chain of rules that produced it,
the rules that almost applied (so a missing or mistaken answer shows up), and the questions
the lifter left open that could still move the urgency or the advice. The first comes from
the result's trace; the other two come from re-running the case with one answer changed at a
time, over the representative values of `triage.answer_space`, which stand for every value
the rules can tell apart, so nothing is sampled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .answer_space import UNKNOWN, all_fact_tests, answer_space
from .batch import Evaluator, judge
from .cases import Case
from .conditions import FactTest, render
from .knowledge import KnowledgeBase, Question, Recommendation, Rule
from .partial import partial_outcome
from .reference import ReferenceEvaluator
from .report import result_dict
from .result import Result
from .vocabulary import URGENCY_RANK, URGENCY_WORDS


@dataclass(frozen=True)
class Advice:
    """One recommendation a fired rule made, and whether the lifter sees it."""

    rec: Recommendation
    given: bool
    reason: str = ""  # why it was held back, when it was


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
    given = {rec.id for rec in result.recommendations}
    produced = (*result.recommendations, *result.withheld)
    by_id = {rec.id: rec for rec in produced}
    concluded: set[str] = set()
    steps = []
    for firing in result.trace:
        rule = firing.rule
        read = tuple(dict.fromkeys(name for name in rule.when.findings() if name in concluded))
        advice = tuple(
            Advice(by_id[rec_id], True)
            if rec_id in given
            else Advice(by_id[rec_id], False, hold_reason(by_id[rec_id], produced, result.urgency))
            for rec_id in rule.recommend
        )
        steps.append(Step(rule, firing.matched, read, advice))
        concluded.update(rule.findings)
    return tuple(steps)


def hold_reason(rec: Recommendation, produced: Sequence[Recommendation], urgency: str) -> str:
    """In words, why `triage.result.withheld` holds a recommendation back."""
    reasons = []
    if rec.max_urgency is not None and URGENCY_RANK[urgency] > URGENCY_RANK[rec.max_urgency]:
        reasons.append(f"given only up to {rec.max_urgency}, and the urgency is {urgency}")
    blockers = set(rec.displaced_by)
    displacing = [
        o.id for o in produced if o.id != rec.id and (o.id in blockers or o.category in blockers)
    ]
    if displacing:
        reasons.append("displaced by " + ", ".join(displacing))
    return "; ".join(reasons)


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
    parts = []
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
            if a is None and b is None:
                sample: Any = 0
            elif a is None:
                sample = b - 1
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


def show_value(value: Any) -> str:
    """An answer as a trainer writes it: yes/no for booleans, `unknown` when not given."""
    if value is UNKNOWN or value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _json_value(value: Any) -> Any:
    return None if value is UNKNOWN else value


def explanation_dict(expl: Explanation) -> dict[str, Any]:
    """The result keys of `triage run --format json`, plus the explanation."""
    result = expl.result
    data: dict[str, Any] = {"case": expl.case.name}
    if expl.case.title:
        data["title"] = expl.case.title
    data.update(result_dict(result))
    verdict = judge(expl.case, result)
    data["status"] = verdict.status
    if verdict.failures:
        data["failures"] = list(verdict.failures)
    data["trace"] = [
        {
            "rule": step.rule.id,
            "title": step.rule.title,
            "area": step.rule.area,
            "red_flag": step.rule.is_red_flag,
            "matched": [{"fact": fact, "value": value} for fact, value in step.matched],
            "findings_read": list(step.findings_read),
            "urgency": step.rule.urgency,
            "recommends": [
                {"id": a.rec.id, "given": a.given, **({"held_back": a.reason} if a.reason else {})}
                for a in step.advice
            ],
            "findings": list(step.rule.findings),
            "source": step.rule.source,
            "note": step.rule.note,
            "location": str(step.rule.location),
        }
        for step in expl.steps
    ]
    data["withheld"] = [
        {
            "id": rec.id,
            "reason": hold_reason(rec, (*result.recommendations, *result.withheld), result.urgency),
        }
        for rec in result.withheld
    ]
    data["near_misses"] = [
        {
            "rule": miss.rule.id,
            "title": miss.rule.title,
            "condition": render(miss.rule.when),
            "answers": [
                {
                    "fact": change.fact,
                    "now": _json_value(change.now),
                    "values": [_json_value(v) for v in change.values],
                    "text": change.text,
                }
                for change in miss.answers
            ],
            "findings": [
                {"finding": f.finding, "needed": f.needed, "concluded_by": list(f.producers)}
                for f in miss.findings
            ],
            "would_conclude": {
                "urgency": miss.rule.urgency,
                "recommend": list(miss.rule.recommend),
                "findings": list(miss.rule.findings),
            },
            "location": str(miss.rule.location),
        }
        for miss in expl.near_misses
    ]
    data["open_questions"] = [
        {
            "fact": item.question.id,
            "prompt": item.question.prompt,
            "effects": [
                {
                    "values": [_json_value(v) for v in effect.values],
                    "text": effect.text,
                    "urgency": effect.urgency,
                    "adds": list(effect.adds),
                    "drops": list(effect.drops),
                }
                for effect in item.effects
            ],
        }
        for item in expl.open_questions
    ]
    return data


def explanation_text(expl: Explanation) -> str:
    result = expl.result
    lines = [f"Case: {expl.case.name}" + (f"  ({expl.case.title})" if expl.case.title else "")]
    lines.append(f"Urgency: {result.urgency}: {URGENCY_WORDS[result.urgency]}")
    verdict = judge(expl.case, result)
    if verdict.status != "unchecked":
        lines.append(f"Expectation: {verdict.status}")
        lines += [f"  {failure}" for failure in verdict.failures]
    lines += ["", "Fired rules, in order:"]
    if not expl.steps:
        lines.append("  none: no rule applies, so the default urgency stands")
    for number, step in enumerate(expl.steps, 1):
        rule = step.rule
        flag = "  [red flag]" if rule.is_red_flag else ""
        lines.append(f"  {number}. {rule.id}{flag}: {rule.title}")
        if step.matched:
            shown = ", ".join(f"{fact} = {show_value(value)}" for fact, value in step.matched)
            lines.append(f"     matched: {shown}")
        if step.findings_read:
            lines.append(f"     used findings: {', '.join(step.findings_read)}")
        lines.append(f"     concluded: {_conclusions(step)}")
        lines.append(f"     source: {rule.source}")
        if rule.note:
            lines.append(f"     note: {rule.note}")
    lines += ["", "Near misses (rules one answer or one finding short):"]
    if not expl.near_misses:
        lines.append("  none")
    for miss in expl.near_misses:
        lines.append(f"  - {miss.rule.id}: {miss.rule.title}")
        for change in miss.answers:
            values = change.text
            lines.append(f"      fires if {change.fact} {values} (now {show_value(change.now)})")
        for f in miss.findings:
            if f.needed:
                by = f" (concluded by {', '.join(f.producers)})" if f.producers else ""
                lines.append(f"      fires if finding {f.finding} were concluded{by}")
            else:
                by = f" (concluded by {', '.join(f.producers)})" if f.producers else ""
                lines.append(f"      fires if finding {f.finding} were absent{by}")
        lines.append(f"      would conclude: {miss.rule.conclusions_text() or 'nothing'}")
    lines += ["", "Unanswered questions that could change the result:"]
    if not expl.open_questions:
        lines.append("  none: no answer to an open question would change it")
    for item in expl.open_questions:
        for effect in item.effects:
            values = effect.text
            lines.append(f"  - {item.question.id} {values}: {_effect_text(effect, result)}")
    lines += ["", "Recommendations:"]
    if not result.recommendations:
        lines.append("  none")
    for rec in result.recommendations:
        lines.append(f"  - {rec.id} [{rec.category}]: {rec.title}")
    if result.withheld:
        produced = (*result.recommendations, *result.withheld)
        lines += ["", "Held back:"]
        for rec in result.withheld:
            lines.append(f"  - {rec.id}: {hold_reason(rec, produced, result.urgency)}")
    if result.safety_net:
        lines += ["", "Safety net:"]
        lines += [f"  - {item.text}" for item in result.safety_net]
    lines += ["", f"Notice: {result.notice}"]
    return "\n".join(lines)


def _conclusions(step: Step) -> str:
    parts = []
    if step.rule.urgency:
        parts.append(f"urgency {step.rule.urgency}")
    if step.advice:
        shown = [
            a.rec.id if a.given else f"{a.rec.id} (held back: {a.reason})" for a in step.advice
        ]
        parts.append("recommends " + ", ".join(shown))
    if step.rule.findings:
        parts.append("finding " + ", ".join(step.rule.findings))
    return "; ".join(parts) or "nothing"


def _effect_text(effect: Effect, result: Result) -> str:
    parts = []
    if effect.urgency != result.urgency:
        verb = "raise" if URGENCY_RANK[effect.urgency] > URGENCY_RANK[result.urgency] else "lower"
        parts.append(f"would {verb} the urgency to {effect.urgency}")
    if effect.adds:
        parts.append("would add " + ", ".join(effect.adds))
    if effect.drops:
        parts.append("would drop " + ", ".join(effect.drops))
    return "; ".join(parts)
