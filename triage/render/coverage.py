"""Coverage of a case corpus as text and JSON data."""

from __future__ import annotations

import json
from typing import Any

from triage.render.outcome import outcome_dict, outcome_line
from triage.tools.coverage import Coverage


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


def coverage_text(cov: Coverage, fail_under: float | None = None) -> str:
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
    if fail_under is not None and cov.rules.percent < fail_under:
        lines += [
            "",
            f"Rule coverage {cov.rules.percent:.1f}% is below --fail-under {fail_under:g}%",
        ]
    return "\n".join(lines)


def coverage_json(cov: Coverage, fail_under: float | None = None) -> str:
    data = coverage_dict(cov)
    if fail_under is not None:
        data["fail_under"] = {"percent": fail_under, "failed": cov.rules.percent < fail_under}
    return json.dumps(data, indent=2, ensure_ascii=False)
