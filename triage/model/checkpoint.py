"""The checkpoint: the date by which a pain should be clearly better.

One place computes it, so the result screen, the shared report and anything that schedules a
re-check later agree on the date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Checkpoint:
    """A date, and the day since the pain began that it falls on."""

    date: date
    day: int

    def words(self) -> str:
        """The date as a lifter reads it: "Tuesday 15 December"."""
        return f"{self.date:%A} {self.date.day} {self.date:%B}"


def checkpoint(today: date, days_since_onset: int | None, day: int) -> Checkpoint:
    """The date of `day` counted from the day the pain began (today if that is unknown).

    A checkpoint already behind us is today: the advice is then "now", never a past date.
    """
    since = days_since_onset if days_since_onset is not None else 0
    onset = today - timedelta(days=since)
    when = onset + timedelta(days=day)
    if when < today:
        return Checkpoint(today, since)
    return Checkpoint(when, day)


def days_ahead(today: date, days: int, days_since_onset: int | None) -> Checkpoint:
    """A date `days` from today (a deadline such as "within three days")."""
    since = days_since_onset if days_since_onset is not None else 0
    return Checkpoint(today + timedelta(days=days), since + days)
