"""What one consultation concludes, and how fired rules turn into it.

Both evaluators (the Experta engine and the engine-free reference) only decide which rules
fire, in which order; `conclude` is the single place that turns that into an urgency and a
recommendation list, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from triage.model.conditions import MAYBE, Tri, t_or
from triage.model.knowledge import KnowledgeBase, Recommendation, Rule, SafetyNetItem
from triage.model.vocabulary import CATEGORY_RANK, DEFAULT_URGENCY, URGENCY_RANK


@dataclass(frozen=True)
class Firing:
    """One fired rule and the answers its condition read (unknown ones left out)."""

    rule: Rule
    matched: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Result:
    urgency: str
    recommendations: tuple[Recommendation, ...]
    trace: tuple[Firing, ...]
    findings: tuple[str, ...]
    safety_net: tuple[SafetyNetItem, ...]
    notice: str
    withheld: tuple[Recommendation, ...] = ()

    @property
    def fired(self) -> tuple[str, ...]:
        return tuple(f.rule.id for f in self.trace)

    def names(self) -> set[str]:
        """Recommendation ids and categories, as `expect` blocks and invariants name them."""
        return {r.id for r in self.recommendations} | {r.category for r in self.recommendations}


def capped(rec: Recommendation, low: int, high: int) -> Tri:
    """Whether an urgency ranked between `low` and `high` is above the recommendation's
    `max_urgency`: true, false, or MAYBE when the range straddles the cap."""
    if rec.max_urgency is None:
        return False
    cap = URGENCY_RANK[rec.max_urgency]
    return True if low > cap else MAYBE if high > cap else False


def held_back(rec: Recommendation, low: int, high: int, displacing: Iterable[Tri]) -> Tri:
    """The catalogue's one hold-back rule: a recommendation is not shown above its
    `max_urgency`, nor next to a recommendation its `displaced_by` names.

    `displacing` gives, for each recommendation that would displace this one (see
    `KnowledgeBase.displacers`), whether it is produced. With `low == high` and plain booleans
    the answer is two-valued, as in a finished result; three-valued evaluation passes an
    urgency range and MAYBE where a rule may or may not fire.
    """
    return t_or([capped(rec, low, high), *displacing])


@dataclass(frozen=True)
class HoldBack:
    """Why a recommendation is held back in a result (`bool` is whether it is)."""

    cap: str | None  # the `max_urgency` the result's urgency is above
    displacing: tuple[str, ...]  # the given recommendations that displace it

    def __bool__(self) -> bool:
        return self.cap is not None or bool(self.displacing)


def hold_back(rec: Recommendation, produced: Iterable[Recommendation], urgency: str) -> HoldBack:
    """`held_back` for a finished result, with the reasons kept for explanations."""
    rank = URGENCY_RANK[urgency]
    cap = rec.max_urgency if capped(rec, rank, rank) else None
    displacing = tuple(other.id for other in produced if rec.displaced_by_rec(other))
    return HoldBack(cap, displacing)


def conclude(kb: KnowledgeBase, answers: Mapping[str, Any], fired: Iterable[Rule]) -> Result:
    rules = list(fired)
    urgency = DEFAULT_URGENCY
    for rule in rules:
        if rule.urgency and URGENCY_RANK[rule.urgency] > URGENCY_RANK[urgency]:
            urgency = rule.urgency
    produced: dict[str, Recommendation] = {}
    for rule in rules:
        for rec_id in rule.recommend:
            produced.setdefault(rec_id, kb.recommendations[rec_id])
    order = {rec_id: i for i, rec_id in enumerate(produced)}
    kept: list[Recommendation] = []
    held: list[Recommendation] = []
    for rec in produced.values():
        (held if hold_back(rec, produced.values(), urgency) else kept).append(rec)
    kept.sort(key=lambda r: (CATEGORY_RANK[r.category], order[r.id]))
    nets = tuple(item for item in kb.safety_net if not item.urgency or urgency in item.urgency)
    trace = tuple(
        Firing(
            rule,
            tuple((fact, answers[fact]) for fact in rule.reads if fact in answers),
        )
        for rule in rules
    )
    findings = tuple(dict.fromkeys(name for rule in rules for name in rule.findings))
    return Result(urgency, tuple(kept), trace, findings, nets, kb.notice, tuple(held))
