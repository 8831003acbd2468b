"""`triage history` as text (a table per episode with a severity sparkline), JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from triage.files.history import Episode
from triage.model.knowledge import KnowledgeBase
from triage.render.screen import answer_words
from triage.tools.episodes import (
    CLOSED_GONE,
    CLOSED_NEW_PAIN,
    CLOSED_QUIET,
    closed_reason,
    next_recheck,
    severity_series,
)

BARS = "▁▂▃▄▅▆▇█"
NO_VALUE = "·"
CLOSED_WORDS = {
    CLOSED_GONE: "closed: the pain had gone",
    CLOSED_NEW_PAIN: "closed: a new pain began",
    CLOSED_QUIET: "closed: no check-in for a long time",
}
CSV_FIELDS = (
    "episode", "episode_began", "episode_status", "checkin", "date", "day", "severity", "trend",
    "urgency", "recommendations", "next_checkin",
)  # fmt: skip


def sparkline(values: list[float | None], low: float = 0, high: float = 10) -> str:
    """One block per check-in, its height the severity on the question's scale."""
    span = (high - low) or 1
    chars = []
    for value in values:
        if value is None:
            chars.append(NO_VALUE)
            continue
        share = min(max((value - low) / span, 0.0), 1.0)
        chars.append(BARS[round(share * (len(BARS) - 1))])
    return "".join(chars)


def episode_dict(episode: Episode, today: date, kb: KnowledgeBase) -> dict[str, Any]:
    """One episode as `--format json` prints it."""
    follow = kb.follow_up
    reason = closed_reason(episode, today, follow) if follow is not None else None
    severities = severity_series(episode, follow) if follow is not None else []
    recheck = next_recheck(episode) if reason is None else None
    low, high = _scale(kb)
    checkins = []
    for number, checkin in enumerate(episode.checkins, start=1):
        answers = checkin.answers
        checkins.append(
            {
                "checkin": number,
                "date": checkin.on.isoformat(),
                "day": episode.day(checkin.on),
                "severity": answers.get(follow.severity) if follow else None,
                "trend": answers.get(follow.trend) if follow else None,
                "urgency": checkin.urgency,
                "recommendations": list(checkin.recommendations),
                "fired": list(checkin.fired),
                "findings": list(checkin.findings),
                "asked": list(checkin.asked),
                "carried": list(checkin.carried),
                "answers": dict(answers),
                "next_checkin": checkin.recheck_on.isoformat() if checkin.recheck_on else None,
                "rules_version": checkin.kb_version,
            }
        )
    return {
        "episode": episode.id,
        "began": episode.onset_on.isoformat(),
        "began_known": episode.onset_known,
        "status": "open" if reason is None else "closed",
        "closed_reason": reason,
        "closed_on": episode.closed_on.isoformat() if episode.closed_on else None,
        "next_checkin": (
            {"date": recheck.isoformat(), "day": episode.day(recheck)} if recheck else None
        ),
        "due": recheck is not None and recheck <= today,
        "severity": severities,
        "sparkline": sparkline(severities, low, high),
        "checkins": checkins,
    }


def render_json(path: str, episodes: list[Episode], today: date, kb: KnowledgeBase) -> str:
    data = {
        "history": path,
        "today": today.isoformat(),
        "episodes": [episode_dict(e, today, kb) for e in episodes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_csv(path: str, episodes: list[Episode], today: date, kb: KnowledgeBase) -> str:
    """One row per check-in, the episode's columns repeated, for a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for episode in episodes:
        data = episode_dict(episode, today, kb)
        for row in data["checkins"]:
            writer.writerow(
                [
                    data["episode"],
                    data["began"],
                    data["status"],
                    row["checkin"],
                    row["date"],
                    row["day"],
                    _cell(row["severity"]),
                    _cell(row["trend"]),
                    row["urgency"],
                    " ".join(row["recommendations"]),
                    _cell(row["next_checkin"]),
                ]
            )
    return out.getvalue()


def render_text(path: str, episodes: list[Episode], today: date, kb: KnowledgeBase) -> str:
    if not episodes:
        return f"No consultations in the history yet ({path})."
    blocks = [f"History: {path} (today is {today.isoformat()})"]
    for episode in episodes:
        blocks.append(_episode_text(episode_dict(episode, today, kb), kb))
    return "\n\n".join(blocks)


def render_due(episodes: list[Episode], today: date, kb: KnowledgeBase) -> str:
    """One line per episode whose check-in day has come; nothing at all when none has."""
    lines = []
    for episode in episodes:
        data = episode_dict(episode, today, kb)
        point = data["next_checkin"]
        lines.append(
            f"Episode {data['episode']} (began {data['began']}): check-in due since "
            f"{point['date']}, day {point['day']} of the pain. Run: triage ask"
        )
    return "\n".join(lines)


def _episode_text(data: dict[str, Any], kb: KnowledgeBase) -> str:
    """One episode as a lifter reads it: the trend and the advice in words, not ids (JSON and
    CSV keep the ids, for programs)."""
    status = (
        "open"
        if data["status"] == "open"
        else CLOSED_WORDS.get(data["closed_reason"], data["closed_reason"])
    )
    began = data["began"] + ("" if data["began_known"] else " (first check-in; start not given)")
    lines = [f"Episode {data['episode']}: began {began}, {status}"]
    lines.append(f"  severity {data['sparkline']}  " + _series(data["severity"]))
    point = data["next_checkin"]
    if point is not None:
        due = "  (due now)" if data["due"] else ""
        lines.append(f"  next check-in {point['date']}, day {point['day']}{due}")
    rows = [("date", "day", "severity", "trend", "advice")]
    for row in data["checkins"]:
        rows.append(
            (
                row["date"],
                str(row["day"]),
                _cell(row["severity"]) or "-",
                _words(kb, "trend", row["trend"]) or "-",
                _urgency_words(kb, row["urgency"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {1, 2}
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines)


def _words(kb: KnowledgeBase, role: str, value: Any) -> str:
    """A follow-up answer in the catalogue's words (the trend's label), or as stored."""
    follow = kb.follow_up
    question = kb.questions.get(getattr(follow, role)) if follow is not None else None
    if value is None or question is None or not question.accepts(value):
        return _cell(value)
    return answer_words(question, value)


def _urgency_words(kb: KnowledgeBase, urgency: str) -> str:
    headline = kb.headlines.get(urgency)
    return headline.short if headline is not None and headline.short else urgency


def _series(values: list[Any]) -> str:
    return "(" + " → ".join("?" if v is None else f"{v:g}" for v in values) + ")"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return (
        f"{value:g}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )


def _scale(kb: KnowledgeBase) -> tuple[float, float]:
    follow = kb.follow_up
    question = kb.questions.get(follow.severity) if follow is not None else None
    if question is None or question.min is None or question.max is None:
        return 0.0, 10.0
    return float(question.min), float(question.max)
