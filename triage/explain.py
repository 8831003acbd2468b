"""Why one case came out as it did: the fired rules, the near misses, the open questions.

A trainer reading a surprising result wants three things: the chain of rules that produced it,
the rules that almost applied (so a missing or mistaken answer shows up), and the questions
the lifter left open that could still move the urgency or the advice. The first comes from
the result's trace; the other two come from re-running the case with one answer changed at a
time, over the representative values of `triage.answer_space`, which stand for every value
the rules can tell apart, so nothing is sampled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .answer_space import UNKNOWN, answer_space
from .batch import Evaluator, judge
from .cases import Case
from .conditions import render
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
    variants = _single_changes(kb, case.answers, space, reference)
    return Explanation(
        case=case,
        result=result,
        steps=_steps(result),
        near_misses=_near_misses(kb, case.answers, result, variants),
        open_questions=_open_questions(kb, case.answers, result, variants),
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
    kb: KnowledgeBase, answers: Mapping[str, Any], result: Result, variants: Variants
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
                changes.append(AnswerChange(fact, answers.get(fact, UNKNOWN), values))
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
    kb: KnowledgeBase, answers: Mapping[str, Any], result: Result, variants: Variants
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
            Effect(tuple(values), urgency, adds, drops)
            for (urgency, adds, drops), values in grouped.items()
        )
        if effects:
            questions.append(OpenQuestion(question, effects))
    return tuple(questions)


# -- presentation ----------------------------------------------------------------------


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
            values = " or ".join(show_value(v) for v in change.values)
            lines.append(f"      fires if {change.fact} = {values} (now {show_value(change.now)})")
        for f in miss.findings:
            if f.needed:
                by = f" (concluded by {', '.join(f.producers)})" if f.producers else ""
                lines.append(f"      fires if finding {f.finding} were concluded{by}")
            else:
                by = f" (concluded by {', '.join(f.producers)})" if f.producers else ""
                lines.append(f"      fires if finding {f.finding} were absent{by}")
        lines.append(f"      would conclude: {_rule_conclusions(miss.rule)}")
    lines += ["", "Unanswered questions that could change the result:"]
    if not expl.open_questions:
        lines.append("  none: no answer to an open question would change it")
    for item in expl.open_questions:
        for effect in item.effects:
            values = " or ".join(show_value(v) for v in effect.values)
            lines.append(f"  - {item.question.id} = {values}: {_effect_text(effect, result)}")
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


def _rule_conclusions(rule: Rule) -> str:
    parts = []
    if rule.urgency:
        parts.append(f"urgency {rule.urgency}")
    if rule.recommend:
        parts.append("recommends " + ", ".join(rule.recommend))
    if rule.findings:
        parts.append("finding " + ", ".join(rule.findings))
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
