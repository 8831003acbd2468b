"""What `triage ask` does with the history: offer to continue an episode, and save the result.

Kept apart from the questionnaire loop (`triage.cli.ask`) so that the loop only calls it at
four points: before the first question (`begin`), when it picks a screen (`choose`), for the
report's timeline (`timeline`) and when the lifter leaves the result (`keep`). A history that
cannot be used never stops a consultation: it is switched off with a message, and the
interview runs as it would without it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage.cli.common import Quit, command_hint
from triage.files.history import History, HistoryError, NewCheckIn
from triage.files.loader import rules_version
from triage.render import checkin as texts
from triage.tools.episodes import (
    CLOSED_GONE,
    FollowUpStart,
    follow_up_start,
    onset_of,
    open_episode,
)

if TYPE_CHECKING:
    from triage.cli.ask import Session
    from triage.files.history import Episode
    from triage.interview import Interview, Step
    from triage.model.checkpoint import Checkpoint
    from triage.model.knowledge import KnowledgeBase
    from triage.model.result import Result
    from triage.render.report import TimelineRow


class Stop(Exception):
    """The lifter said the pain has gone: the episode is closed, there is nothing to ask."""


class CheckIns:
    """The history as one consultation uses it; `path` None means the history is off."""

    def __init__(self, kb: KnowledgeBase, path: Path | None, today: date) -> None:
        self.kb = kb
        self.today = today
        self.path = path
        self.problem: str | None = None
        self.episodes: list[Episode] = []
        self.start: FollowUpStart | None = None
        self.close_previous: int | None = None
        self.saved: tuple[int, int] | None = None
        if path is not None:
            try:
                with History.open(path) as store:
                    self.episodes = store.episodes()
            except HistoryError as err:
                self.off(str(err))

    @property
    def on(self) -> bool:
        return self.path is not None

    def off(self, reason: str) -> None:
        self.path, self.problem = None, reason

    # --- before the first question -------------------------------------------------------

    def begin(self, session: Session) -> Interview | None:
        """Offer the open episode; an interview that starts from it, or None for a new pain.

        Raises Stop when the lifter says the pain has gone (the episode is then closed) or
        types quit.
        """
        from triage.interview import Interview

        episode = self._offer(session)
        if episode is None:
            return None
        start = self.start = follow_up_start(self.kb, episode, self.today)
        session.interview = Interview(self.kb, known=start.answers)
        session.echo(texts.carried_note(session.screen, start))
        return session.interview

    def rejoin(self, session: Session) -> None:
        """The same offer for an interview resumed from a progress file.

        A progress file does not say which episode its interview belonged to, so without
        asking, a resumed check-in would be saved as a new pain beside the open one.
        """
        from triage.interview import Interview

        episode = self._offer(session)
        if episode is None:
            return
        start = self.start = follow_up_start(self.kb, episode, self.today)
        # The day of the pain is today's, not the one of the day the interview began; a
        # lasting answer the interview has not given comes from the episode, as in any
        # check-in. Answers given in the interview stay.
        given = session.interview.answers
        known = {
            fact: value
            for fact, value in start.answers.items()
            if fact == start.follow.onset or fact not in given
        }
        session.interview = Interview(
            self.kb,
            {fact: value for fact, value in given.items() if fact not in known},
            [fact for fact in session.interview.asked if fact not in known],
            known=known,
        )

    def _offer(self, session: Session) -> Episode | None:
        """Ask whether this is the open episode's pain: that episode if so, else None.

        A new pain closes the open episode when this consultation is saved; "it has gone"
        closes it now and raises Stop, as does quit.
        """
        if self.problem is not None:
            session.echo(texts.history_off(session.screen, self.problem))
        episode = open_episode(self.episodes, self.today, self.kb) if self.on else None
        if episode is None:
            return None
        day = max(0, episode.day(self.today))
        session.echo(texts.episode_offer(session.screen, self.kb, episode, day, self.today))
        while True:
            reply = session.read(texts.episode_prompt()).strip().lower()
            choice = texts.EPISODE_CHOICES.get(reply)
            if choice is not None:
                break
            if reply == "quit":
                raise Stop
            session.echo(texts.episode_invalid(session.screen))
        if choice == texts.NEW:
            self.close_previous = episode.id
            return None
        if choice == texts.GONE:
            self._close(session, episode)
            raise Stop
        return episode

    def choose(self, session: Session, step: Step | None) -> Step | None:
        """The screen to show now, given the one the interview chose (None: it is done).

        In an episode the severity is asked before the trend, so that the trend can be
        proposed from its change, where the interview asks the trend or else at the end (asked
        last, neither can change today's advice: the interview ends only when nothing unasked
        could). Not after an emergency, whose advice must come at once. A first consultation
        is left as it is; its severity is asked after the result if the rules did not need it
        (`keep`).
        """
        from triage.interview import Step

        follow = self.kb.follow_up
        if not self.on or follow is None or self.start is None:
            return step
        interview = session.interview
        wants_trend = step is None or (step.checklist is None and step.question.id == follow.trend)
        if not wants_trend:
            return step
        if step is None and interview.result().urgency not in follow.recheck_within_days:
            return None  # an emergency: its advice comes now, not after a question for later
        severity = self.kb.questions.get(follow.severity)
        if severity is not None and severity.id not in interview.asked:
            return Step((severity,))
        if follow.trend not in interview.asked and self._propose_trend(session, self.start):
            return self.choose(session, interview.next_step())
        return step

    def _propose_trend(self, session: Session, start: FollowUpStart) -> bool:
        """Propose the trend and record the reply; False when there is nothing to propose."""
        from triage.interview import ReplyError, parse_reply

        interview = session.interview
        follow = start.follow
        question = self.kb.questions.get(follow.trend)
        now = interview.answers.get(follow.severity)
        now = now if isinstance(now, int | float) else None
        proposal = start.propose_trend(now)
        before = start.previous_severity
        if question is None or proposal is None or before is None or now is None:
            return False  # without both ratings the interview asks the trend itself if needed
        number = interview.screens + 1
        session.echo(texts.trend_proposal(session.screen, question, number, before, now, proposal))
        while True:
            text = session.read(session.screen.prompt(question))
            command = text.strip().lower()
            if command == "":
                interview.answer(question.id, proposal)
                return True
            if command in ("?", "help", "why"):
                session.echo(session.screen.help(question))
                continue
            if command == "skip":
                interview.skip(question.id)
                return True
            if command == "quit":
                raise Quit
            try:
                interview.answer(question.id, parse_reply(question, text))
                return True
            except ReplyError as err:
                session.echo(session.screen.invalid(str(err)))

    def _severity_for_later(self, session: Session, interview: Interview) -> None:
        from triage.interview import ReplyError, parse_reply

        follow = self.kb.follow_up
        question = self.kb.questions.get(follow.severity) if follow is not None else None
        if question is None or question.id in interview.asked:
            return
        session.echo(texts.severity_for_later(session.screen, question))
        while True:
            try:
                text = session.read(session.screen.prompt(question))
            except (EOFError, KeyboardInterrupt):
                session.echo("")
                return
            command = text.strip().lower()
            if command in ("", "skip", "quit"):
                return
            if command in ("?", "help", "why"):
                session.echo(session.screen.help(question))
                continue
            try:
                interview.answer(question.id, parse_reply(question, text))
                return
            except ReplyError as err:
                session.echo(session.screen.invalid(str(err)))

    def _close(self, session: Session, episode: Episode) -> None:
        assert self.path is not None
        try:
            with History.open(self.path) as store:
                store.close_episode(episode.id, self.today, CLOSED_GONE)
        except HistoryError as err:
            session.echo(texts.history_off(session.screen, str(err)))
            return
        session.echo(texts.closed(session.screen, episode.id, command_hint()))

    # --- the result ----------------------------------------------------------------------

    def timeline(self, interview: Interview, result: Result) -> tuple[TimelineRow, ...]:
        """The episode's check-ins so far and this one, for the report."""
        from triage.render.report import TimelineRow

        follow = self.kb.follow_up
        if follow is None:
            return ()
        rows = []
        if self.start is not None:
            episode = self.start.episode
            for checkin in episode.checkins:
                rows.append(
                    TimelineRow(
                        on=checkin.on,
                        day=episode.day(checkin.on),
                        severity=checkin.answers.get(follow.severity),
                        trend=checkin.answers.get(follow.trend),
                        urgency=checkin.urgency,
                    )
                )
        answers = interview.answers
        day = answers.get(follow.onset)
        rows.append(
            TimelineRow(
                on=self.today,
                day=day if isinstance(day, int) else None,
                severity=answers.get(follow.severity),
                trend=answers.get(follow.trend),
                urgency=result.urgency,
            )
        )
        return tuple(rows) if len(rows) > 1 else ()

    def keep(
        self, session: Session, interview: Interview, result: Result, point: Checkpoint | None
    ) -> None:
        """Save the consultation (once) and say where, or why not.

        Without a severity the next check-in cannot propose the trend, so one the rules did
        not need is asked for here, after the advice, and Enter (or the end of input) leaves
        it out.
        """
        if self.path is None or self.saved is not None:
            return
        if result.urgency != "emergency":
            self._severity_for_later(session, interview)
        answers: dict[str, Any] = interview.answers
        record = NewCheckIn(
            on=self.today,
            answers=answers,
            asked=interview.asked,
            urgency=result.urgency,
            recommendations=tuple(rec.id for rec in result.recommendations),
            fired=result.fired,
            findings=result.findings,
            kb_version=rules_version(self.kb.root),
            recheck_on=point.date if point is not None else None,
            carried=tuple(f for f in self.start.carried if f not in interview.asked)
            if self.start is not None
            else (),
        )
        try:
            with History.open(self.path) as store:
                if self.start is not None:
                    self.saved = store.save(record, episode_id=self.start.episode.id)
                else:
                    self.saved = store.save(
                        record,
                        onset=onset_of(self.kb, answers, self.today),
                        close_before=self.close_previous,
                    )
        except HistoryError as err:
            self.off(str(err))
            session.echo(texts.not_saved(session.screen, str(err)))
            return
        episode_id = self.saved[0]
        count = 1 + (len(self.start.episode.checkins) if self.start is not None else 0)
        session.echo(texts.saved(session.screen, episode_id, count, str(self.path), command_hint()))
