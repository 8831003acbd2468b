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
from triage.model.result import Result
from triage.model.vocabulary import URGENCY_LEVELS

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


def unchecked_signs(kb: KnowledgeBase, skipped: Iterable[str]) -> tuple[Unchecked, ...]:
    """Skipped items of checklists that say what to do if one applies, checklist by checklist."""
    left = set(skipped)
    found = []
    for checklist in kb.checklists:
        if not checklist.unchecked:
            continue
        items = tuple(item.text for item in checklist.items if item.fact in left)
        if items:
            found.append(Unchecked(items, checklist.unchecked))
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
    )
