"""How one case's result was reached, as text and JSON data."""

from __future__ import annotations

import json
from typing import Any

from triage.evaluate.answer_space import UNKNOWN
from triage.model.conditions import render
from triage.model.result import HoldBack, Result, hold_back
from triage.model.values import show_value
from triage.model.vocabulary import URGENCY_RANK, URGENCY_WORDS
from triage.render.outcome import result_dict
from triage.render.words import conclusions_text
from triage.tools.explain import (
    Effect,
    Explanation,
    Step,
)
from triage.tools.outcomes import Status, judge


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
                {
                    "id": a.rec.id,
                    "given": a.given,
                    **({} if a.given else {"held_back": hold_text(a.hold, result.urgency)}),
                }
                for a in step.advice
            ],
            "findings": list(step.rule.findings),
            "source": step.rule.source,
            "note": step.rule.note,
            "location": str(step.rule.location),
        }
        for step in expl.steps
    ]
    produced = (*result.recommendations, *result.withheld)
    data["withheld"] = [
        {
            "id": rec.id,
            "reason": hold_text(hold_back(rec, produced, result.urgency), result.urgency),
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


def explanation_json(expl: Explanation) -> str:
    return json.dumps(explanation_dict(expl), indent=2, ensure_ascii=False)


def explanation_text(expl: Explanation) -> str:
    result = expl.result
    lines = [f"Case: {expl.case.name}" + (f"  ({expl.case.title})" if expl.case.title else "")]
    lines.append(f"Urgency: {result.urgency}: {URGENCY_WORDS[result.urgency]}")
    verdict = judge(expl.case, result)
    if verdict.status != Status.UNCHECKED:
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
        lines.append(f"     concluded: {_conclusions(step, result.urgency)}")
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
            by = f" (concluded by {', '.join(f.producers)})" if f.producers else ""
            state = "concluded" if f.needed else "absent"
            lines.append(f"      fires if finding {f.finding} were {state}{by}")
        lines.append(f"      would conclude: {conclusions_text(miss.rule) or 'nothing'}")
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
            hold = hold_back(rec, produced, result.urgency)
            lines.append(f"  - {rec.id}: {hold_text(hold, result.urgency)}")
    if result.safety_net:
        lines += ["", "Safety net:"]
        lines += [f"  - {item.text}" for item in result.safety_net]
    lines += ["", f"Notice: {result.notice}"]
    return "\n".join(lines)


def hold_text(hold: HoldBack, urgency: str) -> str:
    """In words, why a recommendation is held back."""
    reasons = []
    if hold.cap is not None:
        reasons.append(f"given only up to {hold.cap}, and the urgency is {urgency}")
    if hold.displacing:
        reasons.append("displaced by " + ", ".join(hold.displacing))
    return "; ".join(reasons)


def _conclusions(step: Step, urgency: str) -> str:
    shown = [
        a.rec.id if a.given else f"{a.rec.id} (held back: {hold_text(a.hold, urgency)})"
        for a in step.advice
    ]
    return conclusions_text(step.rule, recommends=shown) or "nothing"


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
