"""Three-valued evaluation of a whole knowledge base over partial answers.

Facts in `pending` have not been asked yet: they may take any value in their domain or stay
unknown. Every rule, finding and recommendation is then true, false or MAYBE, and the urgency
is known to lie between two bounds. The interview stops when nothing is MAYBE any more (the
result can no longer change), and `triage check` searches the answer space by refining
pending facts until an invariant is decided.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from triage.model.conditions import MAYBE, Tri, t_and, t_not, t_or
from triage.model.knowledge import KnowledgeBase, Outcome
from triage.model.result import held_back
from triage.model.vocabulary import DEFAULT_URGENCY, URGENCY_LEVELS, URGENCY_RANK


@dataclass(frozen=True)
class PartialOutcome:
    rules: Mapping[str, Tri]
    findings: Mapping[str, Tri]
    urgency_low: str
    urgency_high: str
    produced: Mapping[str, Tri]
    recommendations: Mapping[str, Tri]

    @property
    def determined(self) -> bool:
        """Whether every completion of the pending answers gives the same result."""
        return self.urgency_low == self.urgency_high and all(
            value is not MAYBE for value in self.recommendations.values()
        )

    def urgency_at_least(self, level: str) -> Tri:
        rank = URGENCY_RANK[level]
        if URGENCY_RANK[self.urgency_low] >= rank:
            return True
        return MAYBE if URGENCY_RANK[self.urgency_high] >= rank else False

    def urgency_at_most(self, level: str) -> Tri:
        rank = URGENCY_RANK[level]
        if URGENCY_RANK[self.urgency_high] <= rank:
            return True
        return MAYBE if URGENCY_RANK[self.urgency_low] <= rank else False

    def includes(self, kb: KnowledgeBase, name: str) -> Tri:
        """Whether a recommendation id, or any recommendation of a category, is given."""
        if name in kb.recommendations:
            return self.recommendations.get(name, False)
        return t_or(
            value
            for rec_id, value in self.recommendations.items()
            if kb.recommendations[rec_id].category == name
        )

    def satisfies(self, kb: KnowledgeBase, outcome: Outcome) -> Tri:
        """Three-valued test of an invariant's outcome clause."""
        parts: list[Tri] = []
        if outcome.urgency:
            parts.append(
                t_and(
                    [self.urgency_at_least(outcome.urgency), self.urgency_at_most(outcome.urgency)]
                )
            )
        if outcome.urgency_at_least:
            parts.append(self.urgency_at_least(outcome.urgency_at_least))
        if outcome.urgency_at_most:
            parts.append(self.urgency_at_most(outcome.urgency_at_most))
        parts.extend(self.includes(kb, name) for name in outcome.includes)
        parts.extend(t_not(self.includes(kb, name)) for name in outcome.excludes)
        return t_and(parts)


def rule_statuses(
    kb: KnowledgeBase, answers: Mapping[str, Any], pending: Container[str]
) -> tuple[dict[str, Tri], dict[str, Tri]]:
    """Each rule's and each finding's three-valued status, in evaluation order."""
    found: dict[str, Tri] = {}
    rules: dict[str, Tri] = {}
    for rule in kb.rules:
        status = rule.when.tri(answers, pending, found)
        rules[rule.id] = status
        if status is not False:
            for name in rule.findings:
                found[name] = t_or([found.get(name, False), status])
    return rules, found


class Conclusions:
    """Turns rule statuses into a `PartialOutcome`: `result.conclude`, three-valued.

    Undecided rules are left free, so the outcome says what every choice of "fires / does
    not fire" for them would give. The interview and `partial_outcome` use it after
    evaluating the conditions; `triage check` also calls it on statuses it has refined
    itself, once per search node, so what it can look up once per base is looked up here.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        # Per recommendation: itself and the ids that could displace it, or None when
        # nothing can hold it back (most of them; skipping those keeps the search fast).
        self.holds = {
            rec.id: (rec, kb.displacers[rec.id])
            if rec.max_urgency is not None or kb.displacers[rec.id]
            else None
            for rec in kb.recommendations.values()
        }
        self.rules = tuple(
            (
                rule.id,
                URGENCY_RANK[rule.urgency] if rule.urgency else None,
                rule.findings,
                rule.recommend,
            )
            for rule in kb.rules
        )

    def outcome(self, statuses: Mapping[str, Tri]) -> PartialOutcome:
        found: dict[str, Tri] = {}
        produced: dict[str, Tri] = {}
        low = high = URGENCY_RANK[DEFAULT_URGENCY]
        for rule_id, rank, findings, recommend in self.rules:
            status = statuses[rule_id]
            if status is False:
                continue
            sure = status is True
            for name in findings:
                if sure or found.get(name) is not True:
                    found[name] = True if sure else MAYBE
            if rank is not None:
                if rank > high:
                    high = rank
                if sure and rank > low:
                    low = rank
            for rec_id in recommend:
                if sure or produced.get(rec_id) is not True:
                    produced[rec_id] = True if sure else MAYBE
        final: dict[str, Tri] = {}
        holds = self.holds
        for rec_id, made in produced.items():
            hold = holds[rec_id]
            if hold is None:
                final[rec_id] = made
                continue
            rec, displacers = hold
            held = held_back(rec, low, high, [produced.get(o, False) for o in displacers])
            final[rec_id] = False if held is True else made if held is False else MAYBE
        return PartialOutcome(
            rules=statuses,
            findings=found,
            urgency_low=URGENCY_LEVELS[low],
            urgency_high=URGENCY_LEVELS[high],
            produced=produced,
            recommendations=final,
        )


_conclusions: dict[int, tuple[KnowledgeBase, Conclusions]] = {}


def conclusions(kb: KnowledgeBase) -> Conclusions:
    """The `Conclusions` of a base, built once: the interview concludes at every step."""
    entry = _conclusions.get(id(kb))
    if entry is None or entry[0] is not kb:
        if len(_conclusions) >= 8:  # a long-lived process may load many bases
            _conclusions.clear()
        entry = _conclusions[id(kb)] = (kb, Conclusions(kb))
    return entry[1]


def partial_outcome(
    kb: KnowledgeBase, answers: Mapping[str, Any], pending: Container[str] = ()
) -> PartialOutcome:
    """What is settled and what is still open, given `answers` and the `pending` facts."""
    statuses, _ = rule_statuses(kb, answers, pending)
    return conclusions(kb).outcome(statuses)
