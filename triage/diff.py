"""Which cases change outcome between two rule bases.

A trainer edits the rules and wants to see, before committing, every lifter whose advice
moves. Only what the lifter sees counts as a change: the urgency, and the set of
recommendations shown (a new order inside a category, or a different rule reaching the same
result, is not a change). The fired rules are reported alongside so the cause is visible.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

from .batch import Evaluator
from .cases import STDIN, read_case
from .errors import InputError, Problem
from .knowledge import KnowledgeBase
from .result import Result


@dataclass(frozen=True)
class CaseDiff:
    """One case under both rule bases, or the problems that kept it from running."""

    source: str
    title: str = ""
    before: Result | None = None
    after: Result | None = None
    problems: tuple[tuple[str, Problem], ...] = ()  # ("old" | "new" | "both", problem)

    @property
    def changed(self) -> bool:
        if self.before is None or self.after is None:
            return False
        return self.before.urgency != self.after.urgency or _ids(self.before) != _ids(self.after)


def _ids(result: Result) -> set[str]:
    return {rec.id for rec in result.recommendations}


@dataclass(frozen=True)
class Summary:
    cases: int
    changed: int
    errors: int

    @property
    def unchanged(self) -> int:
        return self.cases - self.changed - self.errors

    def as_dict(self) -> dict[str, int]:
        return {
            "cases": self.cases,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }

    def text(self) -> str:
        return (
            f"{self.cases} case(s): {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.errors} error(s)"
        )


def compare(
    sources: Iterable[str],
    old: tuple[KnowledgeBase, Evaluator],
    new: tuple[KnowledgeBase, Evaluator],
    stdin: Any = None,
) -> Iterator[CaseDiff]:
    """Evaluate each case under both bases; a case invalid under either is reported, not run.

    A case is read once per base, since the question catalogues may differ between them.
    """
    for source in sources:
        data: bytes | None = None
        if source == STDIN:
            raw = stdin.read() if stdin is not None else b""
            data = raw.encode("utf-8") if isinstance(raw, str) else raw
        read = []
        problems: list[tuple[str, Problem]] = []
        for side, (kb, _) in (("old", old), ("new", new)):
            try:
                read.append(read_case(source, kb, io.BytesIO(data) if data is not None else None))
            except InputError as err:
                problems.extend((side, problem) for problem in err.problems)
        name = "<stdin>" if source == STDIN else source
        if problems:
            yield CaseDiff(name, problems=_merge(problems))
            continue
        before = old[1].evaluate(read[0].answers)
        after = new[1].evaluate(read[1].answers)
        yield CaseDiff(name, read[1].title or read[0].title, before, after)


def _merge(problems: list[tuple[str, Problem]]) -> tuple[tuple[str, Problem], ...]:
    """A problem found under both bases (bad YAML, say) is reported once, as `both`."""
    old = [p for side, p in problems if side == "old"]
    new = [p for side, p in problems if side == "new"]
    merged: list[tuple[str, Problem]] = []
    for problem in old:
        merged.append(("both" if any(str(problem) == str(q) for q in new) else "old", problem))
    merged.extend(("new", q) for q in new if not any(str(q) == str(p) for p in old))
    return tuple(merged)


def summarise(diffs: Iterable[CaseDiff]) -> Summary:
    items = list(diffs)
    return Summary(
        cases=len(items),
        changed=sum(1 for d in items if d.changed),
        errors=sum(1 for d in items if d.problems),
    )


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
            "errors": [
                {
                    "rules": side,
                    "location": str(p.location),
                    "message": p.message,
                    **({"suggestion": p.suggestion} if p.suggestion else {}),
                }
                for side, p in d.problems
            ],
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
    kept = _ids(before) & _ids(after)
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
