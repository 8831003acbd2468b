"""Three-valued evaluation of a whole knowledge base over partial answers.

Facts in `pending` have not been asked yet: they may take any value in their domain or stay
unknown. Every rule, finding and recommendation is then true, false or MAYBE, and the urgency
is known to lie between two bounds. The interview stops when nothing is MAYBE any more (the
result can no longer change), and `triage check` searches the answer space by refining
pending facts until an invariant is decided.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.model.conditions import MAYBE, Tri
from triage.model.knowledge import KnowledgeBase, Outcome, Rule
from triage.model.vocabulary import DEFAULT_URGENCY, URGENCY_LEVELS, URGENCY_RANK


def t_or(values: Iterable[Tri]) -> Tri:
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is MAYBE:
            result = MAYBE
    return result


def t_and(values: Iterable[Tri]) -> Tri:
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is MAYBE:
            result = MAYBE
    return result


def t_not(value: Tri) -> Tri:
    return MAYBE if value is MAYBE else not value


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


def partial_outcome(
    kb: KnowledgeBase, answers: Mapping[str, Any], pending: Container[str] = ()
) -> PartialOutcome:
    rules, found = rule_statuses(kb, answers, pending)
    by_id = kb.rule_by_id
    low = high = URGENCY_RANK[DEFAULT_URGENCY]
    produced: dict[str, Tri] = {}
    for rule_id, status in rules.items():
        if status is False:
            continue
        rule: Rule = by_id[rule_id]
        if rule.urgency:
            rank = URGENCY_RANK[rule.urgency]
            high = max(high, rank)
            if status is True:
                low = max(low, rank)
        for rec_id in rule.recommend:
            produced[rec_id] = t_or([produced.get(rec_id, False), status])
    final: dict[str, Tri] = {}
    for rec_id, made in produced.items():
        rec = kb.recommendations[rec_id]
        reasons: list[Tri] = []
        if rec.max_urgency is not None:
            cap = URGENCY_RANK[rec.max_urgency]
            reasons.append(True if low > cap else MAYBE if high > cap else False)
        blockers = set(rec.displaced_by)
        reasons.extend(
            value
            for other, value in produced.items()
            if other != rec_id
            and (other in blockers or kb.recommendations[other].category in blockers)
        )
        final[rec_id] = t_and([made, t_not(t_or(reasons))])
    return PartialOutcome(
        rules=rules,
        findings=found,
        urgency_low=URGENCY_LEVELS[low],
        urgency_high=URGENCY_LEVELS[high],
        produced=produced,
        recommendations=final,
    )
