"""What changed between two rule bases, as text and JSON data."""

from __future__ import annotations

import json
from itertools import zip_longest
from typing import Any

from triage.model.result import Result
from triage.render.outcome import problem_dict
from triage.tools.diff import CaseDiff, recommendation_ids, summarise


def _side(result: Result) -> dict[str, Any]:
    return {
        "urgency": result.urgency,
        "recommendations": [rec.id for rec in result.recommendations],
        "fired": list(result.fired),
    }


def diff_dict(diffs: list[CaseDiff], old_name: str, new_name: str) -> dict[str, Any]:
    changed = []
    for d in diffs:
        if not d.changed:
            continue
        assert d.before is not None and d.after is not None
        entry: dict[str, Any] = {"case": d.source}
        if d.title:
            entry["title"] = d.title
        entry["before"] = _side(d.before)
        entry["after"] = _side(d.after)
        changed.append(entry)
    errors = [
        {
            "case": d.source,
            "errors": [{"rules": side, **problem_dict(p)} for side, p in d.problems],
        }
        for d in diffs
        if d.problems
    ]
    return {
        "old_rules": old_name,
        "new_rules": new_name,
        "changed": changed,
        "errors": errors,
        "summary": summarise(diffs).as_dict(),
    }


def diff_json(diffs: list[CaseDiff], old_name: str, new_name: str) -> str:
    return json.dumps(diff_dict(diffs, old_name, new_name), indent=2, ensure_ascii=False)


def diff_text(diffs: list[CaseDiff], old_name: str, new_name: str) -> str:
    """Errors, then each changed case as two columns (before | after), then the summary.

    In the columns `-` marks a recommendation that goes and `+` one that comes.
    """
    labels = {"old": f"under {old_name}", "new": f"under {new_name}", "both": "under both"}
    lines = []
    for d in diffs:
        if d.problems:
            lines.append(f"ERROR     {d.source}")
            lines += [f"          {p} ({labels[side]})" for side, p in d.problems]
    for d in diffs:
        if d.changed:
            assert d.before is not None and d.after is not None
            lines.append(f"CHANGED   {d.source}" + (f"  ({d.title})" if d.title else ""))
            lines += _columns(d.before, d.after, old_name, new_name)
    lines.append(summarise(diffs).text())
    return "\n".join(lines)


def _columns(before: Result, after: Result, old_name: str, new_name: str) -> list[str]:
    kept = recommendation_ids(before) & recommendation_ids(after)
    left = [f"before ({old_name})", f"urgency {before.urgency}"]
    right = [f"after ({new_name})", f"urgency {after.urgency}"]
    left += [("  " if r.id in kept else "- ") + r.id for r in before.recommendations]
    right += [("  " if r.id in kept else "+ ") + r.id for r in after.recommendations]
    width = max(len(text) for text in left)
    rows = [f"    {a:{width}} | {b}".rstrip() for a, b in zip_longest(left, right, fillvalue="")]
    gone = [rule for rule in before.fired if rule not in after.fired]
    came = [rule for rule in after.fired if rule not in before.fired]
    if gone or came:
        rows.append(
            "    rules: " + " ".join([f"-{rule}" for rule in gone] + [f"+{rule}" for rule in came])
        )
    return rows
