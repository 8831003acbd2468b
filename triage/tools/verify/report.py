"""What `triage check` found, as data (its text and JSON are `triage.render.check`).

Every item has a stable code: `E1xx` are errors (the rules give a wrong or contradictory
answer for someone), `W2xx` warnings (dead weight, gaps, style). Scripts key on the codes,
so a code never changes meaning; new checks get new codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.model.errors import Location

CODES: dict[str, str] = {
    "E101": "rule can never fire",
    "E102": "conflicting rules",
    "E103": "finding used but never concluded",
    "E104": "invariant violated",
    "W201": "rule fires for every answer",
    "W202": "duplicate rule",
    "W203": "redundant rule",
    "W204": "finding concluded but never used",
    "W205": "recommendation never given",
    "W206": "question no rule uses",
    "W207": "gap: no recommendation",
    "W208": "invariant never applies",
    "W209": "step numbered by hand",
    "W210": "invariant can never be violated",
}


@dataclass(frozen=True)
class Diagnostic:
    """One reported problem, pointing at the rule, question or invariant concerned.

    `example` holds answers that show it (the counterexample of a violated invariant, the
    gap, the overlap of two conflicting rules); `details` are extra lines for the text
    output, such as what the rules conclude for those answers.
    """

    code: str
    message: str
    location: Location
    example: Mapping[str, Any] | None = None
    details: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E")

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "location": str(self.location),
        }
        if self.example is not None:
            key = "counterexample" if self.code == "E104" else "example"
            data[key] = dict(self.example)
        return data


def sort_key(item: Diagnostic) -> tuple:
    return (item.location.file, item.location.line, item.location.column, item.code, item.message)


@dataclass
class CheckReport:
    """Everything `triage check` found, plus the size of the base and the proofs made."""

    counts: dict[str, int]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    proved: list[str] = field(default_factory=list)
    counterexamples: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    evaluations: int = 0  # search nodes evaluated, for benchmarks (not printed)
    unfinished: list[str] = field(default_factory=list)  # checks cut short by --max-seconds

    @property
    def errors(self) -> list[Diagnostic]:
        return sorted((d for d in self.diagnostics if d.is_error), key=sort_key)

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted((d for d in self.diagnostics if not d.is_error), key=sort_key)

    def exit_code(self, strict: bool = False) -> int:
        if self.errors or self.unfinished or (strict and self.warnings):
            return 1
        return 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "errors": [d.as_dict() for d in self.errors],
            "warnings": [d.as_dict() for d in self.warnings],
            "counts": dict(self.counts),
            "proved": list(self.proved),
            "unfinished": list(self.unfinished),
        }
