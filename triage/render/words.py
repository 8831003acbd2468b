"""The phrases several text renderers share, so one idea is worded in one place.

What a rule concludes appears in `triage explain` (for trainers: ids, terse) and on the
questionnaire's screens (for lifters: titles, in sentences). Both are built here from the same
three parts (the urgency, the recommendations, the findings), each in its own phrasing.
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
    findings_together: bool = True  # one part for all findings, or one part each


TERSE = Phrasing("urgency {}", "recommends {}", "finding {}", "; ")
SENTENCES = Phrasing(
    "the urgency is at least {}", "it recommends: {}", "it concludes {}", ", and ", "; ", False
)


def conclusions_text(
    rule: Rule,
    phrasing: Phrasing = TERSE,
    recommends: Sequence[str] | None = None,
    findings: Sequence[str] | None = None,
) -> str:
    """What a rule concludes, in one line ("" when it concludes nothing).

    `recommends` and `findings` replace the bare ids where a reader needs more (titles, why a
    recommendation is held back, which rules read a finding); they follow the rule's order.
    """
    parts = []
    if rule.urgency:
        parts.append(phrasing.urgency.format(rule.urgency))
    recs = rule.recommend if recommends is None else recommends
    if recs:
        parts.append(phrasing.recommends.format(phrasing.names_joiner.join(recs)))
    names = rule.findings if findings is None else findings
    if phrasing.findings_together and names:
        parts.append(phrasing.finding.format(phrasing.names_joiner.join(names)))
    elif not phrasing.findings_together:
        parts.extend(phrasing.finding.format(name) for name in names)
    return phrasing.joiner.join(parts)
