"""What a result screen or a shared report leads with: the urgency as an action with a date,
what the result looks like, the few most important actions, and the warning signs left open.

All words come from the knowledge base (headlines, patterns, priorities, checklists); this
module only picks them and dates them, so the screen and the report cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from triage.model.checkpoint import Checkpoint, checkpoint, days_ahead
from triage.model.knowledge import KnowledgeBase, Pattern, Recommendation
from triage.model.result import Firing, Result
from triage.model.vocabulary import URGENCY_LEVELS, URGENCY_RANK
from triage.tools.episodes import recheck

TOP_ACTIONS = 3


@dataclass(frozen=True)
class Unchecked:
    """Warning signs the lifter skipped, and what to do if one of them applies."""

    items: tuple[str, ...]
    advice: str


@dataclass(frozen=True)
class Advice:
    headline: str
    picture: str
    checkpoint: Checkpoint | None
    top: tuple[Recommendation, ...]
    unchecked: tuple[Unchecked, ...]
    because: tuple[tuple[str, Any], ...] = ()  # the answers that set a raised urgency
    because_intro: str = ""  # the headline's words that lead them
    recheck: Checkpoint | None = None  # when to check in again (none after an emergency)


def pattern_of(kb: KnowledgeBase, result: Result) -> Pattern | None:
    """The first pattern that the result's findings or urgency match."""
    for pattern in kb.patterns:
        if pattern.finding is not None and pattern.finding not in result.findings:
            continue
        if pattern.urgency is not None and pattern.urgency != result.urgency:
            continue
        return pattern
    return None


def top_actions(result: Result, count: int = TOP_ACTIONS) -> tuple[Recommendation, ...]:
    """The most important actions by the catalogue's priority; ties keep the result's order."""
    order = {rec.id: index for index, rec in enumerate(result.recommendations)}
    ranked = sorted(result.recommendations, key=lambda rec: (rec.rank, order[rec.id]))
    return tuple(ranked[:count])


def contributing(result: Result) -> tuple[Firing, ...]:
    """The firings behind what the result shows: those that set its urgency or recommend one of
    its actions, and those whose findings such a firing read. A rule that fired only on
    questions never asked (an emergency ends the interview early) and whose advice is all held
    back changed nothing the lifter sees, so `how` leaves it out."""
    shown = {rec.id for rec in result.recommendations}
    needed: set[str] = set()
    kept: list[Firing] = []
    for firing in reversed(result.trace):
        rule = firing.rule
        if (
            rule.urgency == result.urgency
            or shown.intersection(rule.recommend)
            or needed.intersection(rule.findings)
        ):
            kept.append(firing)
            needed.update(rule.when.findings())
    return tuple(reversed(kept))


def triggers(result: Result) -> tuple[tuple[str, Any], ...]:
    """The answers that raised the urgency to a doctor or an emergency, each once, in the order
    the rules read them: what a lifter needs to repeat to the doctor."""
    if URGENCY_RANK[result.urgency] < URGENCY_RANK["doctor_soon"]:
        return ()
    found: dict[str, Any] = {}
    for firing in result.trace:
        if firing.rule.urgency != result.urgency:
            continue
        for fact, value in firing.matched:
            if value is not False:
                found.setdefault(fact, value)
    return tuple(found.items())


def unchecked_signs(kb: KnowledgeBase, skipped: Iterable[str]) -> tuple[Unchecked, ...]:
    """Skipped items of checklists that say what to do if one applies, checklist by checklist."""
    left = set(skipped)
    found = []
    for checklist in kb.checklists:
        if not checklist.unchecked:
            continue
        items = tuple(item.text for item in checklist.items if item.fact in left)
        if items:
            one = len(items) == 1 and checklist.unchecked_one
            found.append(Unchecked(items, checklist.unchecked_one if one else checklist.unchecked))
    return tuple(found)


def advise(
    kb: KnowledgeBase,
    result: Result,
    answers: Mapping[str, Any],
    skipped: Iterable[str],
    today: date,
) -> Advice:
    pattern = pattern_of(kb, result)
    headline = kb.headlines.get(result.urgency)
    since = answers.get("days_since_onset")
    since = int(since) if isinstance(since, int | float) and not isinstance(since, bool) else None
    when: Checkpoint | None = None
    text = ""
    if headline is not None:
        if headline.days_from_today is not None:
            when = days_ahead(today, headline.days_from_today, since)
        elif pattern is not None and pattern.checkpoint_day is not None:
            when = checkpoint(today, since, pattern.checkpoint_day)
        text = headline.text
        if when is not None:
            text = text.replace("{date}", when.words()).replace("{day}", str(when.day))
    return Advice(
        headline=text,
        picture=pattern.text if pattern is not None else "",
        checkpoint=when,
        top=top_actions(result),
        # At emergency there is nothing higher to send the lifter to; the advice says it all.
        unchecked=() if result.urgency == URGENCY_LEVELS[-1] else unchecked_signs(kb, skipped),
        because=triggers(result),
        because_intro=headline.because if headline is not None else "",
        recheck=next_checkin(kb, answers, result, today, when),
    )


def next_checkin(
    kb: KnowledgeBase,
    answers: Mapping[str, Any],
    result: Result,
    today: date,
    deadline: Checkpoint | None,
) -> Checkpoint | None:
    """The re-check day, brought forward to the headline's deadline when that comes first:
    "see a doctor if it is not better by day 14" is itself the day to look again."""
    again = recheck(kb, answers, result, today)
    if again is not None and deadline is not None and today < deadline.date < again.date:
        return deadline
    return again
