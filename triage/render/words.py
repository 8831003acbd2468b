"""The phrases several text renderers share, so one idea is worded in one place.

What a rule concludes appears in `triage explain` (for trainers: ids, terse) and in the
questionnaire's `why` and `how` (for lifters: plain words, no findings). Both are built
here from the same three parts (the urgency, the recommendations, the findings), each in its
own phrasing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from triage.model.knowledge import Rule


@dataclass(frozen=True)
class Phrasing:
    """How each part of a rule's conclusions reads; `{}` is the part's value."""

    urgency: str
    recommends: str
    finding: str
    joiner: str
    names_joiner: str = ", "


TERSE = Phrasing("urgency {}", "recommends {}", "finding {}", "; ")
LIFTER = Phrasing("the advice becomes: {}", "it adds: {}", "it concludes {}", ", and ", "; ")


def conclusions_text(
    rule: Rule,
    phrasing: Phrasing = TERSE,
    recommends: Sequence[str] | None = None,
    findings: Sequence[str] | None = None,
    urgency: str | None = None,
) -> str:
    """What a rule concludes, in one line ("" when it concludes nothing).

    `urgency`, `recommends` and `findings` replace the bare ids where a reader needs other
    words (the urgency in plain words, titles, why a recommendation is held back); they follow
    the rule's order, and an empty `findings` leaves the findings out.
    """
    parts = []
    if rule.urgency:
        parts.append(phrasing.urgency.format(urgency or rule.urgency))
    recs = rule.recommend if recommends is None else recommends
    if recs:
        parts.append(phrasing.recommends.format(phrasing.names_joiner.join(recs)))
    names = rule.findings if findings is None else findings
    if names:
        parts.append(phrasing.finding.format(phrasing.names_joiner.join(names)))
    return phrasing.joiner.join(parts)


def plural(count: int, word: str) -> str:
    """ "1 question", "3 questions": a count as people read it."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
