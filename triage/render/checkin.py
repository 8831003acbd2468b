"""The texts of a check-in: the offer to continue an episode, the proposed trend, the re-check
day under a result, and what happened to the history. Functions return strings; the command
prints them."""

from __future__ import annotations

from datetime import date

from triage.files.history import CheckIn, Episode
from triage.model.checkpoint import Checkpoint
from triage.model.knowledge import KnowledgeBase, Question
from triage.render.screen import Screen
from triage.tools.episodes import FollowUpStart

SAME, NEW, GONE = "same", "new", "gone"
EPISODE_CHOICES = {"1": SAME, "y": SAME, "yes": SAME, "same": SAME, "2": NEW, "new": NEW,
                   "n": NEW, "no": NEW, "3": GONE, "gone": GONE}  # fmt: skip


def day_text(on: date, day: int) -> str:
    """A date as people say it, in the words the result screen uses for its dates."""
    return Checkpoint(on, day).words()


def episode_offer(
    screen: Screen, kb: KnowledgeBase, episode: Episode, day: int, today: date
) -> str:
    """Ask whether today's pain is the one of the open episode."""
    last = episode.checkins[-1]
    follow = kb.follow_up
    severity = last.answers.get(follow.severity) if follow is not None else None
    told = f", severity {severity} of 10" if isinstance(severity, int | float) else ""
    began = (
        f"it began on {day_text(episode.onset_on, 0)}, so today is day {day}"
        if episode.onset_known
        else f"first checked on {day_text(episode.onset_on, 0)}, so today is day {day} at least"
    )
    last_day = episode.day(last.on)
    when = "Earlier today" if last.on == today else f"On {day_text(last.on, last_day)}"
    lines = [
        "",
        screen.style("Welcome back", bold=True),
        screen.wrap(f"{when} you checked a pain ({began}): {_urgency_words(last)}{told}."),
        screen.style(screen.wrap("Is this about the same pain?"), bold=True),
        "  1. yes, the same pain",
        "  2. no, a new pain (the earlier one is then closed)",
        "  3. the earlier pain has gone, and there is nothing new",
    ]
    return "\n".join(lines)


def episode_prompt() -> str:
    return "1-3 > "


def episode_invalid(screen: Screen) -> str:
    return screen.style("  Please type 1 (same pain), 2 (a new pain) or 3 (it has gone).", fg="red")


def carried_note(screen: Screen, start: FollowUpStart) -> str:
    """Which answers are not asked again, and the computed day."""
    text = f"Today is day {start.day} of this pain, counted from the start of the episode"
    kept = len(start.carried) - 1  # the day itself is computed, not kept
    if kept > 0:
        last = start.last.on
        text += (
            f"; {kept} {'answer' if kept == 1 else 'answers'} about you and your training "
            "are kept from "
            f"{day_text(last, start.episode.day(last))}"
        )
    text += ". The warning signs are asked again, every time."
    return screen.note(text)


def trend_proposal(
    screen: Screen, question: Question, number: int, before: float, now: float, value: str
) -> str:
    """The trend question with the answer the severity change suggests."""
    word = question.labels.get(value, value.replace("_", " "))
    text = (
        f"Last time you rated the pain {before:g}, now {now:g}: that reads as {word}. "
        "Press Enter if that is right, or type the right one."
    )
    return screen.question(question, number) + "\n" + screen.wrap(text, "  ", "  ")


def severity_for_later(screen: Screen, question: Question) -> str:
    """The severity, asked after the result only so the next check-in can compare with it."""
    return "\n".join(
        [
            "",
            screen.style(screen.wrap(question.prompt), bold=True),
            screen.note(
                "For your history: the next check-in compares with it. Press Enter to leave it out."
            ),
        ]
    )


def history_off(screen: Screen, reason: str) -> str:
    return screen.style(
        screen.wrap(f"History is off for this consultation: {reason}", "  ", "  "), fg="yellow"
    )


def not_saved(screen: Screen, reason: str) -> str:
    return screen.style(
        screen.wrap(f"This consultation was not saved in the history: {reason}", "  ", "  "),
        fg="yellow",
    )


def saved(screen: Screen, episode_id: int, count: int, path: str, command: str) -> str:
    """`command` is `triage` as the user can run it (`uv run triage` through uv)."""
    what = "started a new episode" if count == 1 else f"check-in {count} of this episode"
    return screen.note(
        f"Saved in your history ({what}, episode {episode_id}; {path}). "
        f"See it with `{command} history`; delete it with "
        f"`{command} history --forget {episode_id}`."
    )


def closed(screen: Screen, episode_id: int, command: str) -> str:
    return screen.note(
        f"Good to hear. Episode {episode_id} is closed; `{command} history` still shows it. "
        f"If a new pain starts, run `{command} ask` again."
    )


def _urgency_words(checkin: CheckIn) -> str:
    from triage.model.vocabulary import URGENCY_WORDS

    words = URGENCY_WORDS.get(checkin.urgency, checkin.urgency)
    return words[0].lower() + words[1:] if words else checkin.urgency
