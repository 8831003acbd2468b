"""The result as a function of which rules fire, with undecided rules left free.

`partial.partial_outcome` evaluates the rules' conditions and then concludes; the search
needs the second half on its own, twice: to conclude quickly from the statuses it has (the
catalogue's hold-back links are looked up once per slice, not per node), and to ask whether
any choice of "fires / does not fire" for the undecided rules could meet a goal at all. That
catches what evaluating each part of a goal alone misses: "A is given" needs "no doctor
advice is produced" while "B is given" needs it produced, so no answers give both.
"""

from __future__ import annotations

from collections.abc import Mapping

from triage.evaluate.partial import PartialOutcome
from triage.model.conditions import MAYBE, Tri
from triage.model.knowledge import KnowledgeBase
from triage.model.vocabulary import DEFAULT_URGENCY, URGENCY_LEVELS, URGENCY_RANK


class Conclusions:
    """Turns rule statuses into a `PartialOutcome`, as `result.conclude` does, three-valued."""

    def __init__(self, kb: KnowledgeBase) -> None:
        recs = kb.recommendations
        self.rules = tuple(
            (
                rule.id,
                URGENCY_RANK[rule.urgency] if rule.urgency else None,
                rule.findings,
                rule.recommend,
            )
            for rule in kb.rules
        )
        made = {rec_id for rule in kb.rules for rec_id in rule.recommend}
        self.holds: dict[str, tuple[int | None, tuple[str, ...]]] = {}
        for rec_id in made:
            rec = recs[rec_id]
            blockers = set(rec.displaced_by)
            displacers = tuple(
                other
                for other in sorted(made)
                if other != rec_id and (other in blockers or recs[other].category in blockers)
            )
            cap = URGENCY_RANK[rec.max_urgency] if rec.max_urgency else None
            self.holds[rec_id] = (cap, displacers)

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
        for rec_id, made in produced.items():
            cap, displacers = self.holds[rec_id]
            held: Tri = False
            if cap is not None:
                held = True if low > cap else MAYBE if high > cap else False
            if held is not True:
                for other in displacers:
                    value = produced.get(other, False)
                    if value is True:
                        held = True
                        break
                    if value is MAYBE:
                        held = MAYBE
            final[rec_id] = False if held is True else made if held is False else MAYBE
        return PartialOutcome(
            rules=statuses,
            findings=found,
            urgency_low=URGENCY_LEVELS[low],
            urgency_high=URGENCY_LEVELS[high],
            produced=produced,
            recommendations=final,
        )
