"""What `triage check` found, as text and JSON (the findings themselves: `tools.verify`)."""

from __future__ import annotations

import json

from triage.model.values import yaml_value
from triage.render.words import plural
from triage.tools.verify.report import CheckReport, Diagnostic


def check_text(report: CheckReport) -> str:
    out: list[str] = []
    for item in report.errors + report.warnings:
        out.extend(diagnostic_lines(item))
    if report.unfinished:
        out.append("not finished within the time budget (--max-seconds):")
        out.extend(f"  {name}" for name in report.unfinished)
    counts = report.counts
    out.append(
        f"{plural(len(report.errors), 'error')}, {plural(len(report.warnings), 'warning')}; "
        f"{plural(counts['questions'], 'question')}, {plural(counts['rules'], 'rule')}, "
        f"{plural(counts['recommendations'], 'recommendation')}; "
        f"{len(report.proved)} of {plural(counts['invariants'], 'invariant')} proved"
    )
    return "\n".join(out)


def diagnostic_lines(item: Diagnostic) -> list[str]:
    """One finding: where and what, then the answers that show it, one per line."""
    out = [f"{item.location}: {item.code} {item.message}"]
    if item.example is not None:
        label = "counterexample" if item.code == "E104" else "example"
        if item.example:
            out.append(f"    {label}:")
            out.extend(f"      {fact}: {yaml_value(v)}" for fact, v in item.example.items())
        else:
            out.append(f"    {label}: every question unanswered")
    out.extend(f"    {line}" for line in item.details)
    return out


def check_json(report: CheckReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)
