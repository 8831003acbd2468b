"""The typed, immutable knowledge base that the loader builds from `rules/*.yaml`."""

from __future__ import annotations

import copyreg
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from triage.model.conditions import Condition
from triage.model.errors import Location
from triage.model.values import show_value

# Read-only mappings keep the base immutable; pickling them as plain dicts wrapped again lets
# the worker pool send a whole base to its processes (see `triage.batch.pool`).
copyreg.pickle(MappingProxyType, lambda proxy: (MappingProxyType, (dict(proxy),)))


@dataclass(frozen=True)
class Question:
    """One fact the lifter can be asked about, with its domain."""

    id: str
    prompt: str
    type: str  # bool, enum, integer, number
    group: str
    help: str
    why: str
    location: Location
    values: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    unit: str = ""

    def domain_text(self) -> str:
        """The allowed values, as an error message or a prompt shows them."""
        if self.type == "bool":
            return "true or false"
        if self.type == "enum":
            return ", ".join(self.values)
        kind = "a whole number" if self.type == "integer" else "a number"
        low = "" if self.min is None else show_value(float(self.min))
        high = "" if self.max is None else show_value(float(self.max))
        if low and high:
            return f"{kind} from {low} to {high}"
        if low:
            return f"{kind} of at least {low}"
        return f"{kind} of at most {high}" if high else kind

    def accepts(self, value: Any) -> bool:
        if self.type == "bool":
            return isinstance(value, bool)
        if self.type == "enum":
            return isinstance(value, str) and value in self.values
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if value != value:  # NaN (`.nan` in YAML) is no answer
            return False
        if self.type == "integer" and not float(value).is_integer():
            return False
        if self.min is not None and value < self.min:
            return False
        return self.max is None or value <= self.max


@dataclass(frozen=True)
class Recommendation:
    """Something a lifter can act on, in one vocabulary category."""

    id: str
    category: str
    title: str
    text: str
    source: str
    location: Location
    steps: tuple[str, ...] = ()
    max_urgency: str | None = None
    displaced_by: tuple[str, ...] = ()

    def displaced_by_rec(self, other: Recommendation) -> bool:
        """Whether `other`, given in the same result, displaces this one (by id or category)."""
        return other.id != self.id and (
            other.id in self.displaced_by or other.category in self.displaced_by
        )


@dataclass(frozen=True)
class Rule:
    """If `when` holds, conclude an urgency, recommendations and findings."""

    id: str
    area: str
    title: str
    when: Condition
    source: str
    location: Location
    urgency: str | None = None
    recommend: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_red_flag(self) -> bool:
        return self.area == "red_flag"

    @cached_property
    def reads(self) -> tuple[str, ...]:
        """The facts the condition reads, once each in reading order (kept: traces use it)."""
        return tuple(dict.fromkeys(self.when.facts()))


@dataclass(frozen=True)
class Outcome:
    """A test on a result, used by invariants (`when_result` and `require`)."""

    urgency: str | None = None
    urgency_at_least: str | None = None
    urgency_at_most: str | None = None
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Invariant:
    """A property of every result that `triage check` proves over all answer combinations."""

    id: str
    description: str
    require: Outcome
    location: Location
    when: Condition | None = None
    when_result: Outcome | None = None
    source: str = ""


@dataclass(frozen=True)
class SafetyNetItem:
    """A sign that should change the plan, shown with results at the given urgencies."""

    id: str
    text: str
    location: Location
    urgency: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the engine, the interview and the checker need, already cross-checked.

    `rules` is in evaluation order: red flags first, then by stratum (a rule comes after every
    rule concluding a finding it reads), then by file order. The engine's saliences and the
    order of the trace follow it.
    """

    root: Path
    questions: Mapping[str, Question]
    recommendations: Mapping[str, Recommendation]
    rules: tuple[Rule, ...]
    invariants: tuple[Invariant, ...]
    safety_net: tuple[SafetyNetItem, ...]
    notice: str
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "questions", MappingProxyType(dict(self.questions)))
        object.__setattr__(self, "recommendations", MappingProxyType(dict(self.recommendations)))

    @cached_property
    def rule_by_id(self) -> Mapping[str, Rule]:
        return MappingProxyType({rule.id: rule for rule in self.rules})

    @cached_property
    def displacers(self) -> Mapping[str, tuple[str, ...]]:
        """For each recommendation, the ids of those that displace it, in catalogue order."""
        recs = tuple(self.recommendations.values())
        return MappingProxyType(
            {rec.id: tuple(o.id for o in recs if rec.displaced_by_rec(o)) for rec in recs}
        )

    def findings(self) -> set[str]:
        return {name for rule in self.rules for name in rule.findings}
