"""Questions the search answers, as small three-valued formulas over one consultation.

A goal reads the statuses of rules, the recommendations given and the urgency bounds of a
`PartialOutcome`, plus conditions on the answers themselves (an invariant's `when`). Each
goal also says which rules it depends on, so the search evaluates only that slice of the
knowledge base, and which undecided rules and open facts could decide it, so the search
branches on those.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from triage.evaluate.partial import PartialOutcome
from triage.model.conditions import (
    MAYBE,
    All,
    AnyOf,
    AtLeast,
    Condition,
    FactTest,
    FindingRef,
    Tri,
    t_and,
    t_not,
    t_or,
)
from triage.model.conditions import Not as NotCondition
from triage.model.knowledge import KnowledgeBase, Outcome
from triage.model.vocabulary import URGENCY_RANK


class Index:
    """Lookups over one slice of the knowledge base, built once per slice."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        producers: dict[str, list[str]] = {}
        makers: dict[str, list[str]] = {}
        for rule in kb.rules:
            for name in rule.findings:
                producers.setdefault(name, []).append(rule.id)
            for rec_id in rule.recommend:
                makers.setdefault(rec_id, []).append(rule.id)
        self.producers = {name: tuple(ids) for name, ids in producers.items()}
        self.makers = {rec_id: tuple(ids) for rec_id, ids in makers.items()}
        self._displacers: dict[str, tuple[str, ...]] = {}

    @cached_property
    def urgent_above(self) -> tuple[tuple[str, ...], ...]:
        """For each urgency rank, the rules that set a higher urgency."""
        levels = max(URGENCY_RANK.values()) + 1
        return tuple(
            tuple(
                rule.id
                for rule in self.kb.rules
                if rule.urgency and URGENCY_RANK[rule.urgency] > rank
            )
            for rank in range(-1, levels)
        )

    def above(self, rank: int) -> tuple[str, ...]:
        return self.urgent_above[rank + 1]

    def displacers(self, rec_id: str) -> tuple[str, ...]:
        """Rules recommending something that holds `rec_id` back (`displaced_by`)."""
        if rec_id not in self._displacers:
            kb = self.kb
            blockers = set(kb.recommendations[rec_id].displaced_by)
            self._displacers[rec_id] = tuple(
                rule.id
                for rule in kb.rules
                if any(
                    other != rec_id
                    and (other in blockers or kb.recommendations[other].category in blockers)
                    for other in rule.recommend
                )
            )
        return self._displacers[rec_id]

    def rec_ids(self, name: str) -> list[str]:
        """The recommendation ids a name stands for (itself, or every one of a category)."""
        recs = self.kb.recommendations
        if name in recs:
            return [name]
        return [rec.id for rec in recs.values() if rec.category == name]


class State:
    """One node of the search: answers given so far, facts still open, and what follows."""

    __slots__ = ("_hints", "answers", "index", "kb", "outcome", "pending")

    def __init__(
        self,
        index: Index,
        answers: Mapping[str, Any],
        pending: frozenset[str],
        outcome: PartialOutcome,
    ) -> None:
        self.index = index
        self.kb = index.kb
        self.answers = answers
        self.pending = pending
        self.outcome = outcome
        self._hints: dict[str, tuple[str, ...]] = {}

    def status(self, rule_id: str) -> Tri:
        return self.outcome.rules.get(rule_id, False)

    def cond_tri(self, cond: Condition) -> Tri:
        return cond.tri(self.answers, self.pending, self.outcome.findings)

    def cond_hints(self, cond: Condition) -> Iterator[str]:
        """Open facts that could still decide `cond`, following findings to their rules."""
        return iter(self._walk(cond)[1])

    def _walk(self, cond: Condition) -> tuple[Tri, list[str]]:
        """The condition's value and, when undecided, the open facts it hinges on.

        One bottom-up pass: asking each node for its value on the way down would evaluate
        the lower levels again and again.
        """
        if isinstance(cond, FactTest):
            value = cond.tri(self.answers, self.pending, self.outcome.findings)
            return value, [cond.fact] if value is MAYBE else []
        if isinstance(cond, FindingRef):
            value = self.outcome.findings.get(cond.name, False)
            if value is not MAYBE:
                return value, []
            facts: list[str] = []
            for rule_id in self.index.producers.get(cond.name, ()):
                facts.extend(self.rule_hints(rule_id))
            return value, facts
        children = [self._walk(child) for child in cond.children()]
        values = [sub for sub, _ in children]
        if isinstance(cond, All):
            value = t_and(values)
        elif isinstance(cond, AnyOf):
            value = t_or(values)
        elif isinstance(cond, NotCondition):
            value = t_not(values[0])
        elif isinstance(cond, AtLeast):
            sure = values.count(True)
            open_ = sum(1 for v in values if v is MAYBE)
            value = True if sure >= cond.count else False if sure + open_ < cond.count else MAYBE
        else:
            value = cond.tri(self.answers, self.pending, self.outcome.findings)
        if value is not MAYBE:
            return value, []
        return value, [fact for sub, hints in children if sub is MAYBE for fact in hints]

    def rule_hints(self, rule_id: str) -> tuple[str, ...]:
        """Open facts that could decide an undecided rule (none for a decided one)."""
        hints = self._hints.get(rule_id)
        if hints is None:
            hints = ()
            if self.status(rule_id) is MAYBE:
                hints = tuple(dict.fromkeys(self.cond_hints(self.kb.rule_by_id[rule_id].when)))
            self._hints[rule_id] = hints
        return hints


class Goal:
    """A three-valued question about one consultation."""

    def tri(self, state: State) -> Tri:
        raise NotImplementedError

    def deps(self, index: Index) -> tuple[str, ...]:
        """Ids of the rules whose statuses this (atomic) goal reads, most direct first."""
        return ()

    def needs(self, kb: KnowledgeBase) -> set[str]:
        """Ids of the rules whose statuses the goal reads (before adding finding producers)."""
        index = Index(kb)
        return {rule_id for leaf in self.leaves() for rule_id in leaf.deps(index)}

    def conditions(self) -> tuple[Condition, ...]:
        """Conditions on the answers that the goal reads directly."""
        return ()

    def direct_hints(self, state: State) -> Iterator[str]:
        """Open facts this (atomic) goal reads itself, not through a rule."""
        return iter(())

    def leaves(self) -> tuple[Goal, ...]:
        """The atomic goals inside, so the search can see which rules and facts they share."""
        return (self,)


@dataclass(frozen=True)
class Fires(Goal):
    """The rule fires."""

    rule: str

    def tri(self, state: State) -> Tri:
        return state.status(self.rule)

    def deps(self, index: Index) -> tuple[str, ...]:
        return (self.rule,)


def _gives_deps(index: Index, name: str) -> tuple[str, ...]:
    """Rules that make, or hold back, a recommendation (by id or category)."""
    found: list[str] = []
    for rec_id in index.rec_ids(name):
        rec = index.kb.recommendations[rec_id]
        found.extend(index.makers.get(rec_id, ()))
        if rec.max_urgency:
            found.extend(index.above(URGENCY_RANK[rec.max_urgency]))
        found.extend(index.displacers(rec_id))
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Gives(Goal):
    """The result includes a recommendation, named by id or by category."""

    name: str

    def tri(self, state: State) -> Tri:
        return state.outcome.includes(state.kb, self.name)

    def deps(self, index: Index) -> tuple[str, ...]:
        return _gives_deps(index, self.name)


@dataclass(frozen=True)
class Meets(Goal):
    """The result passes an invariant's outcome clause (`when_result` or `require`)."""

    outcome: Outcome

    def tri(self, state: State) -> Tri:
        return state.outcome.satisfies(state.kb, self.outcome)

    def deps(self, index: Index) -> tuple[str, ...]:
        clause = self.outcome
        found: list[str] = []
        levels = [clause.urgency, clause.urgency_at_least, clause.urgency_at_most]
        ranks = [URGENCY_RANK[level] for level in levels if level]
        if ranks:
            # Rules above one below the lowest level named can move the result across it.
            found.extend(index.above(min(ranks) - 1))
        for name in (*clause.includes, *clause.excludes):
            found.extend(_gives_deps(index, name))
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Holds(Goal):
    """A condition on the answers (and findings) holds, such as an invariant's `when`."""

    cond: Condition

    def tri(self, state: State) -> Tri:
        return state.cond_tri(self.cond)

    def deps(self, index: Index) -> tuple[str, ...]:
        names = dict.fromkeys(self.cond.findings())
        return tuple(
            dict.fromkeys(rule_id for name in names for rule_id in index.producers.get(name, ()))
        )

    def conditions(self) -> tuple[Condition, ...]:
        return (self.cond,)

    def direct_hints(self, state: State) -> Iterator[str]:
        return state.cond_hints(self.cond)


@dataclass(frozen=True)
class And(Goal):
    parts: tuple[Goal, ...]

    def tri(self, state: State) -> Tri:
        return t_and(part.tri(state) for part in self.parts)

    def conditions(self) -> tuple[Condition, ...]:
        return tuple(c for part in self.parts for c in part.conditions())

    def leaves(self) -> tuple[Goal, ...]:
        return tuple(leaf for part in self.parts for leaf in part.leaves())


@dataclass(frozen=True)
class Or(Goal):
    parts: tuple[Goal, ...]

    def tri(self, state: State) -> Tri:
        return t_or(part.tri(state) for part in self.parts)

    def conditions(self) -> tuple[Condition, ...]:
        return tuple(c for part in self.parts for c in part.conditions())

    def leaves(self) -> tuple[Goal, ...]:
        return tuple(leaf for part in self.parts for leaf in part.leaves())


@dataclass(frozen=True)
class Not(Goal):
    part: Goal

    def tri(self, state: State) -> Tri:
        return t_not(self.part.tri(state))

    def conditions(self) -> tuple[Condition, ...]:
        return self.part.conditions()

    def leaves(self) -> tuple[Goal, ...]:
        return self.part.leaves()
