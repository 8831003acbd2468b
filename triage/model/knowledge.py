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
    words: Mapping[str, float] = field(default_factory=dict)  # typed words that mean a number

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


UNRANKED = 1_000_000  # recommendations without a priority come after every ranked one


@dataclass(frozen=True)
class ChecklistItem:
    """One yes/no question as a line of a checklist, in the words of a statement."""

    fact: str
    text: str
    heading: str = ""  # starts a part of the list (`{numbers}`: that part's numbers on screen)


@dataclass(frozen=True)
class Checklist:
    """Yes/no questions asked together on one screen, answered with the numbers that apply.

    Each item is still its own fact: ticked is yes, left out is no, and skipping the screen
    leaves every item unknown.
    """

    id: str
    prompt: str
    help: str
    items: tuple[ChecklistItem, ...]
    location: Location
    unchecked: str = ""  # what to do if a skipped item applies after all
    unchecked_one: str = ""  # the same for a single skipped item ("if it applies")
    why: str = ""  # what the list as a whole can change, for `why` at its screen

    def item(self, fact: str) -> ChecklistItem:
        return next(item for item in self.items if item.fact == fact)

    def part_of(self, fact: str) -> str:
        """The heading of the part of the list an item is in ("" before the first heading).

        A part keeps its heading when the item that carries it is not on the screen (already
        answered, or no longer able to change the result)."""
        heading = ""
        for item in self.items:
            heading = item.heading or heading
            if item.fact == fact:
                return heading
        raise KeyError(fact)


@dataclass(frozen=True)
class Region:
    """The words for emergency and health services where the lifter lives."""

    id: str
    name: str
    words: Mapping[str, str]
    location: Location


@dataclass(frozen=True)
class Pattern:
    """What a result looks like in one sentence, and the day by which it should be better.

    The first pattern whose finding was concluded (or whose urgency was reached) describes the
    result; one with neither test is the fallback.
    """

    text: str
    location: Location
    finding: str | None = None
    urgency: str | None = None
    checkpoint_day: int | None = None


@dataclass(frozen=True)
class Headline:
    """The urgency as an action; `{date}` and `{day}` name the checkpoint."""

    urgency: str
    text: str
    location: Location
    days_from_today: int | None = None
    because: str = ""  # leads the list of answers that raised the urgency this high
    short: str = ""  # the urgency in a few words, for tables such as `triage history`


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
    priority: int | None = None

    @property
    def rank(self) -> int:
        """Where the action goes in a short list: an explicit priority first, then the rest."""
        return self.priority if self.priority is not None else UNRANKED

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
    in_details: bool = False  # left off the short result screen (the headline says it)


@dataclass(frozen=True)
class FollowUp:
    """How check-ins about one pain relate over time (`follow_up:` in the knowledge base).

    Which answers last through an episode and how a severity change reads as a trend are
    clinical judgements, so they are data next to the rules rather than code.
    """

    onset: str
    severity: str
    trend: str
    trend_values: Mapping[str, str]  # better, same, worse -> a value of the trend fact
    trend_change: float
    carry_over: tuple[str, ...]
    close_after_days: int
    recheck_within_days: Mapping[str, int]
    source: str
    location: Location


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
    checklists: tuple[Checklist, ...] = ()
    regions: Mapping[str, Region] = field(default_factory=dict)
    region: str | None = None
    headlines: Mapping[str, Headline] = field(default_factory=dict)
    patterns: tuple[Pattern, ...] = ()
    follow_up: FollowUp | None = None

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

    @cached_property
    def checklist_of(self) -> Mapping[str, Checklist]:
        """The checklist each fact is asked in, for facts asked on a checklist screen."""
        return MappingProxyType(
            {item.fact: checklist for checklist in self.checklists for item in checklist.items}
        )

    def findings(self) -> set[str]:
        return {name for rule in self.rules for name in rule.findings}
