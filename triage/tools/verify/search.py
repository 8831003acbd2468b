"""Exhaustive search of the answer space for answers that make a goal true.

The space is finite: each fact is either unknown or one of the values of
`answer_space.value_classes` (one per class of answers the conditions tell apart, so nothing
is sampled). The search assigns facts one at a time. At every node it evaluates the goal
three-valued over the facts still open (`partial.partial_outcome`): false means no
completion can make it true, and the whole subtree is skipped; true means every completion
does, so leaving the open facts unknown is an answer; only "maybe" branches, on a fact that
the undecided part of the goal reads. A search that ends without an answer is a proof that
none exists.

Three things keep it small. Before branching, a quick search over the undecided rules alone
(fires or not, ignoring their conditions; `partial.Conclusions`) can show that no outcome at all
meets the goal, which ends the branch. The fact to branch on is one that several undecided
parts of the goal share, preferably in a rule already started, so one part of the base is
settled before the next. And a subtree that failed is remembered by what its future depends
on (what the decided rules concluded, and the answers still read by undecided rules), so a
second road into the same situation is not searched again.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from triage.evaluate.answer_space import UNKNOWN, value_classes
from triage.evaluate.partial import Conclusions, rule_statuses
from triage.model.conditions import MAYBE, Tri
from triage.model.knowledge import KnowledgeBase, Rule
from triage.tools.verify.goals import Goal, Index, State

Answers = dict[str, Any]
UNBOUNDED = 1 << 30
# Steps per refutation attempt, per rule of the slice (a refutation that walks the rules
# one by one needs about two steps each); past it the branch is searched normally.
ABSTRACT_STEPS_PER_RULE = 8


class OutOfTime(Exception):
    """The time budget of `triage check --max-seconds` ran out during a search."""


class _Pending:
    """Marks a fact still open in a memo key (unknown is a value of its own)."""

    def __repr__(self) -> str:
        return "PENDING"


PENDING = _Pending()


class _Search:
    """One goal over one slice of the knowledge base."""

    def __init__(self, solver: Solver, goal: Goal) -> None:
        self.solver = solver
        self.goal = goal
        self.kb, self.index, self.conclusions = solver.slice_for(goal)
        self.rule_facts = {rule.id: solver.rule_facts[rule.id] for rule in self.kb.rules}
        cond_facts: set[str] = set()
        for cond in goal.conditions():
            cond_facts.update(cond.facts())
        self.cond_facts = frozenset(cond_facts)
        relevant = set(cond_facts).union(*self.rule_facts.values())
        classes = solver.classes
        # Facts whose every answer behaves like "unknown" never need a branch.
        self.open = frozenset(f for f in relevant if classes.get(f))
        self.order = [f for f in solver.kb.questions if f in self.open]
        # Open facts each rule reads, itself or through the findings it reads.
        self.reach: dict[str, tuple[str, ...]] = {}
        for rule in self.kb.rules:  # evaluation order: producers come first
            facts = dict.fromkeys(self.rule_facts[rule.id])
            for name in rule.when.findings():
                for producer in self.index.producers.get(name, ()):
                    facts.update(dict.fromkeys(self.reach[producer]))
            self.reach[rule.id] = tuple(f for f in facts if f in self.open)
        self.readers: dict[str, list[Rule]] = {}
        for rule in self.kb.rules:
            for fact in self.rule_facts[rule.id]:
                self.readers.setdefault(fact, []).append(rule)
        # The goal's atomic parts as bits of an integer, and for each rule the parts
        # reading it, so that scoring a node is one pass over its undecided rules.
        self.leaves = goal.leaves()
        self.leaf_bits = [(1 << i, leaf) for i, leaf in enumerate(self.leaves)]
        self.holds_leaves = [(bit, leaf) for bit, leaf in self.leaf_bits if leaf.conditions()]
        self.rule_leaves: dict[str, int] = {}
        for bit, leaf in self.leaf_bits:
            for rule_id in leaf.deps(self.index):
                self.rule_leaves[rule_id] = self.rule_leaves.get(rule_id, 0) | bit
        self.failed: dict[tuple, int] = {}
        self._abstract_left = 0
        self._model: dict[str, Tri] | None = None

    def evaluate(
        self,
        answers: Mapping[str, Any],
        pending: frozenset[str],
        parent: Mapping[str, Tri] | None = None,
    ) -> State:
        """The node's outcome; with the parent's statuses, only undecided rules are redone.

        Three-valued evaluation is monotone: giving an open fact a value can turn "maybe"
        into true or false, never change a decided status, so decided rules are copied.
        """
        self.solver.evaluations += 1
        if self.solver.deadline is not None and not self.solver.evaluations & 255:
            self.solver.check_time()
        if parent is None:
            statuses, _ = rule_statuses(self.kb, answers, pending)
        else:
            statuses = {}
            found: dict[str, Tri] = {}
            for rule in self.kb.rules:
                status = parent[rule.id]
                if status is MAYBE:
                    status = rule.when.tri(answers, pending, found)
                statuses[rule.id] = status
                if status is not False:
                    for name in rule.findings:
                        found[name] = True if status is True else found.get(name) or MAYBE
        return State(self.index, answers, pending, self.conclusions.outcome(statuses))

    def run(self, budget: int) -> Answers | None:
        return self._dfs({}, self.open, budget, None)

    def _key(self, state: State) -> tuple:
        """What the rest of the search from this node depends on, and nothing more.

        Rules already decided matter only through what they concluded: the urgency floor
        they set and the findings and recommendations they produced. Undecided rules
        matter through their own answers so far. Nodes that agree on these have the same
        future, whatever answers led to them, so a failure found from one holds for all;
        this is what keeps independent parts of a base from multiplying each other.
        """
        outcome = state.outcome
        watched = set(self.cond_facts)
        undecided = []
        for rule_id, status in outcome.rules.items():
            if status is MAYBE:
                undecided.append(rule_id)
                watched.update(self.rule_facts[rule_id])
        answers, pending = state.answers, state.pending
        values = frozenset(
            (fact, PENDING if fact in pending else answers.get(fact, UNKNOWN)) for fact in watched
        )
        return (
            outcome.urgency_low,
            frozenset(name for name, value in outcome.findings.items() if value is True),
            frozenset(rec for rec, value in outcome.produced.items() if value is True),
            tuple(undecided),
            values,
        )

    def _dfs(
        self,
        answers: Answers,
        pending: frozenset[str],
        budget: int,
        parent: Mapping[str, Tri] | None,
    ) -> Answers | None:
        if budget <= 0 and pending:
            pending = frozenset()
        state = self.evaluate(answers, pending, parent)
        value = self.goal.tri(state)
        if value is True:
            return dict(answers)
        if value is False:
            return None
        key = self._key(state)
        if self.failed.get(key, -1) >= budget:
            return None
        found = None
        if not self._refuted(state):
            fact = self._choose(state)
            rest = pending - {fact}
            statuses = state.outcome.rules
            for choice in self._values(state, fact, budget):
                if choice is UNKNOWN:
                    found = self._dfs(answers, rest, budget, statuses)
                else:
                    answers[fact] = choice
                    found = self._dfs(answers, rest, budget - 1, statuses)
                    del answers[fact]
                if found is not None:
                    break
        if found is None:
            self.failed[key] = budget
        return found

    # -- choosing what to branch on ----------------------------------------------------

    def _choose(self, state: State) -> str:
        """The open fact read by the most undecided parts of the goal.

        A fact several parts share is where they are correlated, which three-valued
        evaluation of each part alone cannot see; settling it first ends branches early.
        Ties go to the part named first (an invariant's own `when`), then to the rule and
        fact read first. Parts are tracked as bits of an integer, so scoring a node costs
        one pass over its undecided rules.
        """
        undecided = self._undecided_leaves(state)
        masks: dict[str, int] = {}
        for bit, leaf in self.holds_leaves:
            if undecided & bit:
                for fact in leaf.direct_hints(state):
                    masks[fact] = masks.get(fact, 0) | bit
        started: set[str] = set()
        pending = state.pending
        for rule_id, status in state.outcome.rules.items():
            if status is MAYBE:
                mask = self.rule_leaves.get(rule_id, 0) & undecided
                if mask:
                    reach = self.reach[rule_id]
                    open_facts = [fact for fact in reach if fact in pending]
                    if len(open_facts) < len(reach):
                        started.update(open_facts)
                    for fact in open_facts:
                        masks[fact] = masks.get(fact, 0) | mask
        if masks:
            return max(masks, key=lambda fact: (fact in started, _rank(masks[fact])))
        return self._fallback(state)

    def _undecided_leaves(self, state: State) -> int:
        mask = 0
        for bit, leaf in self.leaf_bits:
            if leaf.tri(state) is MAYBE:
                mask |= bit
        return mask

    def _values(self, state: State, fact: str, budget: int) -> list[Any]:
        """The values to try for `fact`: unknown first, unless the last model says otherwise.

        When the rule statuses alone can meet the goal (`_refuted` found such a model),
        values that move the undecided rules reading `fact` towards their model statuses
        go first. Every value is still tried, so the order changes only how soon answers
        are found, never whether they are.
        """
        values: list[Any] = [UNKNOWN]
        if budget > 0:
            values.extend(self.solver.classes[fact])
        model = self._model
        if model is None or len(values) == 1:
            return values
        readers = [
            rule
            for rule in self.readers.get(fact, ())
            if state.status(rule.id) is MAYBE and model.get(rule.id, MAYBE) is not MAYBE
        ]
        if not readers:
            return values
        rest = state.pending - {fact}
        found = state.outcome.findings
        votes = []
        for value in values:
            trial = dict(state.answers)
            if value is not UNKNOWN:
                trial[fact] = value
            vote = 0
            for rule in readers:
                status = rule.when.tri(trial, rest, found)
                if status is not MAYBE:
                    vote += 1 if status == model[rule.id] else -1
            votes.append(vote)
        order = sorted(range(len(values)), key=lambda i: -votes[i])
        return [values[i] for i in order]

    def _fallback(self, state: State) -> str:
        """Any open fact an undecided rule reads (the hints name one whenever it matters)."""
        for rule_id, status in state.outcome.rules.items():
            if status is MAYBE:
                for fact in self.order:
                    if fact in state.pending and fact in self.rule_facts[rule_id]:
                        return fact
        return next(fact for fact in self.order if fact in state.pending)

    # -- refuting a branch from the rule statuses alone ---------------------------------

    def _refuted(self, state: State) -> bool:
        """Whether no choice of fires / does not fire for the undecided rules meets the goal.

        Every completion of the open facts gives each undecided rule some status, so if no
        status assignment at all makes the goal true, no completion does. The attempt
        gives up (and refutes nothing) after a number of steps proportional to the rules.
        """
        if self._model is not None and self._model_still_fits(state):
            return False
        self._abstract_left = ABSTRACT_STEPS_PER_RULE * len(self.kb.rules) + 50
        statuses: dict[str, Tri] = dict(state.outcome.rules)
        return not self._abstract(state, statuses)

    def _model_still_fits(self, state: State) -> bool:
        """Whether the last statuses that met the goal still can, given this node's answers.

        Deeper in the search most rules keep the statuses the last model gave them, so
        checking that model is one evaluation instead of a fresh search.
        """
        model = self._model
        assert model is not None
        merged: dict[str, Tri] = {}
        for rule_id, status in state.outcome.rules.items():
            wanted = model.get(rule_id, MAYBE)
            if status is MAYBE:
                merged[rule_id] = wanted
            elif wanted is MAYBE or wanted == status:
                merged[rule_id] = status
            else:
                return False
        outcome = self.conclusions.outcome(merged)
        return self.goal.tri(State(self.index, state.answers, state.pending, outcome)) is True

    def _abstract(self, base: State, statuses: dict[str, Tri]) -> bool:
        """Whether some statuses for the undecided rules may meet the goal (False: none can).

        First it settles what it can by probing: an undecided rule whose firing makes
        the goal false must not fire, and the other way round (both: nothing can meet
        the goal). Only when probing settles nothing does it branch. Each outcome it
        computes costs one step of the budget; out of steps, it answers "may".
        """
        statuses = dict(statuses)
        while True:
            value, state = self._abstract_value(base, statuses)
            if value is not MAYBE:
                if value is True:
                    self._model = statuses
                return value is True
            settled = False
            for rule_id in self._probe_order(state):
                results = []
                for choice in (False, True):
                    statuses[rule_id] = choice
                    results.append(self._abstract_value(base, statuses)[0])
                statuses[rule_id] = MAYBE
                if self._abstract_left < 0:
                    return True
                if results[0] is True or results[1] is True:
                    statuses[rule_id] = results[1] is True
                    self._model = statuses
                    return True
                if results[0] is False and results[1] is False:
                    return False
                if results[0] is False or results[1] is False:
                    statuses[rule_id] = results[0] is False
                    settled = True
            if not settled:
                break
        chosen = self._choose_rule(state)
        if chosen is None:
            return True
        for choice in (False, True):
            statuses[chosen] = choice
            if self._abstract(base, statuses):
                return True
        return False

    def _abstract_value(self, base: State, statuses: dict[str, Tri]) -> tuple[Tri, State]:
        self._abstract_left -= 1
        if self._abstract_left < 0:
            return MAYBE, base
        outcome = self.conclusions.outcome(dict(statuses))
        state = State(self.index, base.answers, base.pending, outcome)
        return self.goal.tri(state), state

    def _probe_order(self, state: State) -> list[str]:
        """Undecided rules that an undecided part of the goal reads, most shared first."""
        undecided = self._undecided_leaves(state)
        ranked = []
        for rule_id, status in state.outcome.rules.items():
            if status is MAYBE:
                mask = self.rule_leaves.get(rule_id, 0) & undecided
                if mask:
                    ranked.append((_rank(mask), rule_id))
        ranked.sort(key=lambda item: item[0], reverse=True)  # stable: ties keep rule order
        return [rule_id for _, rule_id in ranked]

    def _choose_rule(self, state: State) -> str | None:
        undecided = self._undecided_leaves(state)
        best, best_rank = None, (0, 0)
        for rule_id, status in state.outcome.rules.items():
            if status is MAYBE:
                mask = self.rule_leaves.get(rule_id, 0) & undecided
                if mask and _rank(mask) > best_rank:
                    best, best_rank = rule_id, _rank(mask)
        return best


def _rank(mask: int) -> tuple[int, int]:
    """More parts first, then the part named earliest (the lowest bit)."""
    return (mask.bit_count(), -(mask & -mask).bit_length())


class Solver:
    """Answers satisfiability questions about one knowledge base; reusable across goals."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.classes = value_classes(kb)
        producers: dict[str, list[Rule]] = {}
        for rule in kb.rules:
            for name in rule.findings:
                producers.setdefault(name, []).append(rule)
        self.producers = {name: tuple(rules) for name, rules in producers.items()}
        # Tuples in reading order, not sets: the search must branch the same way every run.
        self.rule_facts = {rule.id: tuple(dict.fromkeys(rule.when.facts())) for rule in kb.rules}
        self._slices: dict[frozenset[str], tuple[KnowledgeBase, Index, Conclusions]] = {}
        self.evaluations = 0
        self.deadline: float | None = None  # time.monotonic() past which searches stop

    def check_time(self) -> None:
        """Stop the search in progress once the time budget is spent."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise OutOfTime

    def slice_for(self, goal: Goal) -> tuple[KnowledgeBase, Index, Conclusions]:
        """The rules the goal reads plus, transitively, the rules concluding their findings."""
        wanted = goal.needs(self.kb)
        todo = list(wanted)
        while todo:
            rule = self.kb.rule_by_id[todo.pop()]
            for name in rule.when.findings():
                for producer in self.producers.get(name, ()):
                    if producer.id not in wanted:
                        wanted.add(producer.id)
                        todo.append(producer.id)
        key = frozenset(wanted)
        if key not in self._slices:
            rules = tuple(rule for rule in self.kb.rules if rule.id in key)
            part = dataclasses.replace(self.kb, rules=rules)
            self._slices[key] = (part, Index(part), Conclusions(part))
        return self._slices[key]

    def witness(self, goal: Goal) -> Answers | None:
        """Some answers that make the goal true, or None when there are none at all."""
        return _Search(self, goal).run(UNBOUNDED)

    def smallest(self, goal: Goal) -> Answers | None:
        """Answers with the fewest known facts that make the goal true, or None.

        A first unbounded search decides whether any exist (its failure is the proof);
        then searches with a budget of 0, 1, 2 ... known facts, in which every fact past the
        budget is left unknown, find the smallest. Facts come back in catalogue order.
        """
        search = _Search(self, goal)
        found = search.run(UNBOUNDED)
        if found is None:
            return None
        found = self._shrink(search, found)
        for budget in range(len(found)):
            smaller = search.run(budget)
            if smaller is not None:
                found = smaller
                break
        order = {fact: i for i, fact in enumerate(self.kb.questions)}
        return dict(sorted(found.items(), key=lambda item: order[item[0]]))

    def _shrink(self, search: _Search, answers: Answers) -> Answers:
        """Drop answers that the goal does not need, one at a time."""
        current = dict(answers)
        for fact in list(current):
            trial = {k: v for k, v in current.items() if k != fact}
            if search.goal.tri(search.evaluate(trial, frozenset())) is True:
                current = trial
        return current
