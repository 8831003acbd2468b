"""Turning results into data for JSON and into short text lines."""

from __future__ import annotations

from typing import Any

from triage.model.errors import Problem, printable
from triage.model.result import Result
from triage.tools.outcomes import CaseOutcome


def result_dict(result: Result) -> dict[str, Any]:
    """The DESIGN section 2 keys of one result (the caller adds `case`, `status`, `asked`)."""
    return {
        "urgency": result.urgency,
        "recommendations": [
            {
                "id": r.id,
                "category": r.category,
                "title": r.title,
                "text": r.text,
                "steps": list(r.steps),
                "source": r.source,
            }
            for r in result.recommendations
        ],
        "fired": list(result.fired),
        "findings": list(result.findings),
        "safety_net": [item.text for item in result.safety_net],
        "notice": result.notice,
    }


def problem_dict(problem: Problem) -> dict[str, Any]:
    """One located problem of an input file, as every JSON report gives it."""
    data = {"code": problem.code, "location": str(problem.location), "message": problem.message}
    if problem.suggestion:
        data["suggestion"] = problem.suggestion
    return data


def outcome_dict(outcome: CaseOutcome) -> dict[str, Any]:
    data: dict[str, Any] = {"case": outcome.source}
    if outcome.case is not None and outcome.case.title:
        data["title"] = outcome.case.title
    if outcome.result is not None:
        data.update(result_dict(outcome.result))
    data["status"] = outcome.status
    if outcome.failures:
        data["failures"] = list(outcome.failures)
    if outcome.error is not None:
        data["errors"] = [problem_dict(p) for p in outcome.error.problems]
    return data


def outcome_line(outcome: CaseOutcome) -> str:
    """One line per case; failures and errors carry what went wrong."""
    tag = outcome.status.upper()
    if outcome.error is not None:
        return f"{tag:9} " + "\n          ".join(str(p) for p in outcome.error.problems)
    assert outcome.result is not None
    recs = ", ".join(r.id for r in outcome.result.recommendations) or "no recommendations"
    line = f"{tag:9} {printable(outcome.source)}  {outcome.result.urgency}  [{recs}]"
    if outcome.failures:
        line += "\n          " + "\n          ".join(outcome.failures)
    return line
