"""Check-ins over time: episodes of one pain, the day of the pain, the trend, the re-check day.

Usage (nothing here prints; the history file itself is `triage.files.history`)::

    from triage.tools.episodes import follow_up_start, open_episode, recheck

    episode = open_episode(history.episodes(), today, kb)   # the one a new check-in joins
    start = follow_up_start(kb, episode, today)             # what is known before asking
    start.answers                                           # carried over + the day, computed
    start.propose_trend(severity_now)                       # from the severity change
    point = recheck(kb, answers, result, today)             # when to check in again

What lasts through an episode, how a severity change reads as a trend and how long an episode
stays open are data (`follow_up:` in the knowledge base). The re-check day is not a table of
its own: it is the first day on which the rules would advise differently if the pain stayed as
it is, found by evaluating the rules at the thresholds they compare the day of the pain with,
so a checkpoint moved in `pain_type.yaml` moves the re-check day with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from triage.evaluate.answer_space import all_fact_tests, representatives
from triage.files.history import CheckIn, Episode
from triage.interview import Evaluator, engine_for
from triage.model.checkpoint import Checkpoint, checkpoint
from triage.model.knowledge import FollowUp, KnowledgeBase
from triage.model.result import Result

# Why an episode ended, as the history stores it.
CLOSED_GONE = "gone"
CLOSED_NEW_PAIN = "new_pain"
CLOSED_QUIET = "no_checkin"  # computed, never stored: too long without a check-in


def recheck(
    kb: KnowledgeBase,
    answers: Mapping[str, Any],
    result: Result,
    today: date,
    evaluator: Evaluator | None = None,
) -> Checkpoint | None:
    """When to check in again: None after an emergency, or without `follow_up` data.

    The day of the pain is the answered onset (computed at a later check-in), else today
    counts as day 0. The
    answer is the first threshold the rules compare the day with at which the advice (urgency
    or recommendations) would change if the pain went on as it is now (the same trend, the
    same answers), but no later than `recheck_within_days` for the result's urgency. So a
    strain that is not improving is seen again on day 14, and training soreness that is still
    rising on day 2 on day 4, when a rise stops being its normal course.
    """
    follow = kb.follow_up
    if follow is None or result.urgency not in follow.recheck_within_days:
        return None
    known = answers.get(follow.onset)
    since = int(known) if isinstance(known, int | float) and not isinstance(known, bool) else None
    day = since if since is not None else 0
    latest = day + follow.recheck_within_days[result.urgency]
    engine = evaluator or engine_for(kb)

    def advice(on_day: int) -> tuple[str, frozenset[str]]:
        outcome = engine.evaluate({**answers, follow.onset: on_day})
        return outcome.urgency, frozenset(rec.id for rec in outcome.recommendations)

    now = advice(day)
    for threshold in _day_thresholds(kb):
        if day < threshold <= latest and advice(threshold) != now:
            return checkpoint(today, since, threshold)
    return checkpoint(today, since, latest)


_thresholds: dict[int, tuple[KnowledgeBase, tuple[int, ...]]] = {}


def _day_thresholds(kb: KnowledgeBase) -> tuple[int, ...]:
    """The first day of each range of days that the rules treat alike (0, 4, 8, 14, ...)."""
    entry = _thresholds.get(id(kb))
    if entry is None or entry[0] is not kb:
        assert kb.follow_up is not None
        question = kb.questions[kb.follow_up.onset]
        tests = all_fact_tests(kb).get(question.id, [])
        values = representatives(question, tests)
        days = tuple(int(v) for v in values if isinstance(v, int | float) and v != question.max)
        entry = _thresholds[id(kb)] = (kb, days)
    return entry[1]


# --- episodes ---------------------------------------------------------------------------------


def last_checkin(episode: Episode) -> CheckIn | None:
    return episode.checkins[-1] if episode.checkins else None


def closed_reason(episode: Episode, today: date, follow: FollowUp) -> str | None:
    """Why an episode is over (stored, or too long without a check-in), None while it is open."""
    if episode.closed_on is not None:
        return episode.closed_reason or CLOSED_GONE
    last = last_checkin(episode)
    since = last.on if last is not None else episode.onset_on
    if (today - since).days > follow.close_after_days:
        return CLOSED_QUIET
    return None


def open_episode(episodes: Iterable[Episode], today: date, kb: KnowledgeBase) -> Episode | None:
    """The open episode a new consultation is offered to join: the most recently checked one.

    Starting a new pain closes the previous episode, so normally at most one is open.
    """
    follow = kb.follow_up
    if follow is None:
        return None
    candidates = [
        e
        for e in episodes
        if e.checkins and closed_reason(e, today, follow) is None and e.checkins[-1].on <= today
    ]
    return max(candidates, key=lambda e: (e.checkins[-1].on, e.id), default=None)


def onset_of(kb: KnowledgeBase, answers: Mapping[str, Any], today: date) -> tuple[date, bool]:
    """When a new episode's pain began: from the answered day count, else today (not known)."""
    follow = kb.follow_up
    days = answers.get(follow.onset) if follow is not None else None
    if isinstance(days, int | float) and not isinstance(days, bool):
        return today - timedelta(days=int(days)), True
    return today, False


@dataclass(frozen=True)
class FollowUpStart:
    """What a check-in in an open episode knows before the first question."""

    episode: Episode
    last: CheckIn
    day: int  # the day of the pain today
    answers: dict[str, Any]  # carried over from the last check-in, and the day computed
    carried: tuple[str, ...]  # the facts carried over and the computed day
    follow: FollowUp

    @property
    def previous_severity(self) -> float | None:
        value = self.last.answers.get(self.follow.severity)
        return value if isinstance(value, int | float) else None

    def propose_trend(self, severity: float | None) -> str | None:
        """The trend value the severity change suggests; None when either severity is unknown."""
        before = self.previous_severity
        if severity is None or before is None:
            return None
        change = severity - before
        values = self.follow.trend_values
        if change <= -self.follow.trend_change:
            return values["better"]
        if change >= self.follow.trend_change:
            return values["worse"]
        return values["same"]


def follow_up_start(kb: KnowledgeBase, episode: Episode, today: date) -> FollowUpStart:
    """The answers a check-in in `episode` starts from: carried over, and the computed day.

    Only the last check-in's answers are carried (a fact skipped then is asked again); the day
    of the pain is computed when the episode's onset is known, or counted from its first
    check-in otherwise, and is kept within the question's range.
    """
    follow = kb.follow_up
    last = last_checkin(episode)
    if follow is None or last is None:
        raise ValueError("an episode to follow up needs follow_up data and a check-in")
    day = max(0, episode.day(today))
    answers: dict[str, Any] = {}
    carried: list[str] = []
    for fact in follow.carry_over:
        question = kb.questions.get(fact)
        if fact in last.answers and question is not None and question.accepts(last.answers[fact]):
            answers[fact] = last.answers[fact]
            carried.append(fact)
    onset_question = kb.questions[follow.onset]
    if onset_question.max is not None:
        day = min(day, int(onset_question.max))
    answers[follow.onset] = day
    carried.append(follow.onset)
    return FollowUpStart(episode, last, day, answers, tuple(carried), follow)


def severity_series(episode: Episode, follow: FollowUp) -> list[float | None]:
    """The severity at each check-in (None where it was not given), for the sparkline."""
    series: list[float | None] = []
    for checkin in episode.checkins:
        value = checkin.answers.get(follow.severity)
        series.append(value if isinstance(value, int | float) else None)
    return series


def next_recheck(episode: Episode) -> date | None:
    """The re-check date the last check-in gave (None after an emergency)."""
    last = last_checkin(episode)
    return last.recheck_on if last is not None else None


def due(episodes: Iterable[Episode], today: date, kb: KnowledgeBase) -> list[Episode]:
    """Open episodes whose re-check day has come."""
    follow = kb.follow_up
    if follow is None:
        return []
    found = []
    for episode in episodes:
        when = next_recheck(episode)
        if when is not None and when <= today and closed_reason(episode, today, follow) is None:
            found.append(episode)
    return found
