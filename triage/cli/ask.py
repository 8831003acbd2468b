"""`triage ask`: the interactive questionnaire, its replay from a case file, and resuming.

The interview logic lives in `triage.interview` and the texts in `triage.render.screen`; this module
only reads lines, dispatches the prompt commands, and saves files.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from triage.cli.common import (
    BadInput,
    format_option,
    history_option,
    history_path,
    load_kb,
    rules_option,
    today,
)

if TYPE_CHECKING:
    from triage.cli.checkin import CheckIns
    from triage.files.cases import Case
    from triage.interview import Interview
    from triage.model.knowledge import KnowledgeBase, Question
    from triage.model.result import Result
    from triage.render.screen import Screen
    from triage.tools.episodes import Checkpoint

PROGRESS_FILE = "triage-progress.yaml"
PROGRESS_TITLE = "Interview in progress"

EXIT_EOF = 1
EXIT_INTERRUPT = 130


@click.command()
@rules_option
@click.option(
    "--answers",
    "answers_source",
    metavar="CASE",
    help="Replay: answer every question from this case file (- for stdin), without prompting.",
)
@click.option(
    "--resume",
    "resume_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Continue an interview saved by --save, quit, Ctrl-C or end of input.",
)
@click.option(
    "--save",
    "save_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the answers and the result as a case file that `triage run` accepts.",
)
@format_option("text", "json")
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal (as NO_COLOR=1).")
@history_option
@click.option("--no-history", is_flag=True, help="Neither read nor save the history this time.")
def ask(
    rules_dir: Path | None,
    answers_source: str | None,
    resume_path: Path | None,
    save_path: Path | None,
    fmt: str,
    no_color: bool,
    history_file: Path | None,
    no_history: bool,
) -> None:
    """Answer a few questions about lower-back soreness after squats, and get advice.

    Only questions whose answer can still change the advice are asked, warning signs first.
    At any question type ? (help), why, back, skip (don't know) or quit (save and leave).
    Ctrl-C or end of input saves the answers so far to triage-progress.yaml (or the --save
    file); continue with --resume. When stdin is not a terminal, one answer is read per line.

    Every finished interview is kept in your history (--history, TRIAGE_HISTORY; see
    `triage history`), so the next one about the same pain asks less. Replays (--answers)
    and --no-history leave it alone.

    Exit 0 when done (or after quit), 1 when input ended early or a resumed case misses its
    `expect` block, 2 on invalid input, 130 on Ctrl-C.
    """
    from triage.model.errors import InputError

    if answers_source is not None and resume_path is not None:
        raise click.UsageError("--answers replays a case and --resume continues one; pick one")
    if save_path is not None and not (save_path.parent or Path(".")).is_dir():
        raise click.BadParameter(f"no such folder: {save_path.parent}", param_hint="--save")
    kb = load_kb(rules_dir)
    day = today()
    try:
        if answers_source is not None:
            code = _replay(kb, answers_source, save_path, fmt, no_color, day)
        else:
            from triage.cli.checkin import CheckIns

            where = None if no_history else history_path(history_file)
            session = Session(kb, rules_dir, resume_path, save_path, fmt, no_color)
            session.checkins = CheckIns(kb, where, day)
            code = session.run()
    except InputError as err:
        raise BadInput(err) from None
    sys.exit(code)


def _replay(
    kb: KnowledgeBase, source: str, save_path: Path | None, fmt: str, no_color: bool, day: date
) -> int:
    from triage.files.cases import read_case
    from triage.interview import replay
    from triage.render.checkin import recheck
    from triage.render.screen import Screen, wants_color
    from triage.tools.episodes import checkpoint
    from triage.tools.outcomes import judge

    case = read_case(source, kb, getattr(sys.stdin, "buffer", sys.stdin))
    interview = replay(kb, case.answers)
    result = interview.result()
    status = judge(case, result).status
    point = checkpoint(kb, interview.answers, result, day)
    if save_path is not None:
        _save(interview, save_path, case.title or _final_title(interview, result), final=True)
    if fmt == "json":
        click.echo(_json(case.name, case.title, result, interview, status, point))
    else:
        screen = Screen(wants_color(no_color, os.environ, sys.stdout.isatty()))
        click.echo(screen.transcript(kb, interview.asked, interview.answers), color=screen.color)
        click.echo(
            screen.result(result, len(interview.asked), len(kb.questions)), color=screen.color
        )
        if point is not None:
            click.echo(recheck(screen, point, history_on=False), color=screen.color)
        if status != "unchecked":
            click.echo(f"{case.name}: {status} (against its expect block)")
        if save_path is not None:
            click.echo(f"Saved to {save_path}; check it with: triage run {save_path}")
    return 1 if status == "fail" else 0


class _Quit(Exception):
    """The lifter typed `quit`."""


class _Back(Exception):
    """The lifter typed `back` on the result screen."""


class Session:
    """One interview at the terminal, or driven line by line through stdin."""

    def __init__(
        self,
        kb: KnowledgeBase,
        rules_dir: Path | None,
        resume_path: Path | None,
        save_path: Path | None,
        fmt: str,
        no_color: bool,
    ) -> None:
        from triage.interview import Interview, read_interview
        from triage.render.screen import Screen, wants_color

        self.kb = kb
        self.rules_dir = rules_dir
        self.save_path = save_path
        self.resume_path = resume_path
        self.progress_path = save_path or resume_path or Path(PROGRESS_FILE)
        self.fmt = fmt
        # With JSON on stdout, everything meant for the eyes goes to stderr.
        self.to_err = fmt == "json"
        stream = sys.stderr if self.to_err else sys.stdout
        self.screen: Screen = Screen(wants_color(no_color, os.environ, stream.isatty()))
        self.tty = sys.stdin.isatty()
        self.case: Case | None = None
        self.checkins: CheckIns | None = None
        if resume_path is not None:
            self.interview, self.case = read_interview(str(resume_path), kb)
        else:
            self.interview = Interview(kb)
        if self.tty:
            with contextlib.suppress(ImportError):  # not on every platform
                import readline  # noqa: F401  (line editing for input())

    # --- input and output ----------------------------------------------------------------

    def echo(self, text: str, nl: bool = True) -> None:
        click.echo(text, nl=nl, err=self.to_err, color=self.screen.color)

    def read(self, prompt: str) -> str:
        """One line from the lifter; EOFError at end of input, KeyboardInterrupt on Ctrl-C."""
        if self.tty:
            if self.to_err:
                self.echo(prompt, nl=False)
                return input()
            return input(prompt)
        self.echo(prompt, nl=False)
        line = sys.stdin.readline()
        if not line:
            self.echo("")
            raise EOFError
        self.echo(line.rstrip("\r\n"))  # so a scripted session reads like a typed one
        return line

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        interview = self.interview
        self.echo(self.screen.welcome(len(self.kb.questions), len(interview.asked)))
        if self.resume_path is None and Path(PROGRESS_FILE).exists() and self.save_path is None:
            self.echo(
                self.screen.note(
                    f"An earlier interview is saved in {PROGRESS_FILE}: to continue it instead, "
                    f"quit and run `triage ask --resume {PROGRESS_FILE}`. Stopping this one "
                    "early would replace it."
                )
            )
        try:
            if self.checkins is not None and self.resume_path is None:
                from triage.cli.checkin import Stop

                try:
                    interview = self.checkins.begin(self) or interview
                except Stop:
                    return 0
            while True:
                question = interview.next_question()
                if self.checkins is not None:
                    question = self.checkins.choose(self, question)
                if question is None:
                    try:
                        return self.finish()
                    except _Back:
                        continue
                self.ask(question)
        except _Quit:
            return self.stop("Stopped", 0)
        except EOFError:
            return self.stop("Input ended", EXIT_EOF)
        except KeyboardInterrupt:
            self.echo("")
            return self.stop("Interrupted", EXIT_INTERRUPT)

    def ask(self, question: Question) -> None:
        interview = self.interview
        asked = self.checkins.asked_now(interview) if self.checkins else interview.asked
        self.echo(self.screen.question(question, len(asked) + 1))
        while True:
            try:
                text = self.read(self.screen.prompt(question))
            except UnicodeDecodeError:
                self.echo(self.screen.invalid("that line is not UTF-8 text"))
                continue
            command = text.strip().lower()
            if command in ("?", "help"):
                self.echo(self.screen.help(question))
            elif command == "why":
                why = interview.why()
                if why is None or why.question.id != question.id:
                    # Asked for the history (the severity), not for a rule: its own reason.
                    self.echo(self.screen.help(question))
                else:
                    self.echo(self.screen.why(why, self.kb))
            elif command == "back":
                undone = interview.back()
                if undone is not None:
                    self.echo(self.screen.note(f"Back to: {self.kb.questions[undone].prompt}"))
                    return
                self.echo(self.screen.note("This is the first question; nothing to go back to."))
            elif command == "skip":
                interview.skip(question.id)
                return
            elif command == "quit":
                raise _Quit
            else:
                from triage.interview import ReplyError, parse_reply

                try:
                    value = parse_reply(question, text)
                except ReplyError as err:
                    self.echo(self.screen.invalid(str(err)))
                    continue
                interview.answer(question.id, value)
                return

    def finish(self) -> int:
        from triage.tools.outcomes import judge

        interview = self.interview
        result = interview.result()
        checkins = self.checkins
        point = checkins.checkpoint(interview, result) if checkins is not None else None
        asked_now = checkins.asked_now(interview) if checkins else interview.asked
        status = "unchecked"
        if self.case is not None and self.case.expect is not None:
            status = judge(self.case, result).status
        if self.save_path is not None:
            _save(interview, self.save_path, self.title(result), final=True)
        code = 1 if status == "fail" else 0
        if self.fmt == "json":
            name = str(self.save_path or self.resume_path or "<interview>")
            title = self.case.title if self.case else ""
            click.echo(_json(name, title, result, interview, status, point, asked_now))
            self.keep(result, point)
            return code
        self.echo(self.screen.result(result, len(asked_now), len(self.kb.questions)))
        if checkins is not None and point is not None:
            self.echo(checkins.recheck_text(self, point))
        if status != "unchecked":
            self.echo(f"Against the expect block of {self.resume_path}: {status}")
        if self.save_path is not None:
            self.echo(f"Saved to {self.save_path}; check it with: triage run {self.save_path}")
        self.echo(self.screen.after_result())
        while True:
            try:
                command = self.read("how, back or Enter > ").strip().lower()
            except (EOFError, KeyboardInterrupt):
                self.echo("")
                self.keep(result, point)
                return code
            if command in ("", "quit", "q", "exit"):
                self.keep(result, point)
                return code
            if command == "how":
                self.echo(self.screen.how(result))
            elif command == "back":
                interview.back()
                raise _Back
            else:
                self.echo(self.screen.note("Type how, back, or just press Enter."))

    def keep(self, result: Result, point: Checkpoint | None) -> None:
        """Save the finished consultation in the history, when it is on."""
        if self.checkins is not None:
            self.checkins.keep(self, self.interview, result, point)

    def stop(self, reason: str, code: int) -> int:
        """Save the answers so far and say where they are and how to go on."""
        interview = self.interview
        if not interview.asked:
            click.echo(f"{reason}: nothing was answered, so nothing was saved.", err=True)
            return code
        path = self.progress_path
        try:
            title = PROGRESS_TITLE
            if self.case is not None and self.case.title and self.case.title != PROGRESS_TITLE:
                title = self.case.title
            _save(interview, path, title, final=False)
        except OSError as err:
            click.echo(f"error: {path}: cannot save the answers so far: {err.strerror}", err=True)
            return 2
        again = f"triage ask --resume {path}"
        if self.rules_dir is not None:
            again += f" --rules {self.rules_dir}"
        if self.save_path is not None:
            again += f" --save {self.save_path}"
        click.echo(
            f"{reason}: your {len(interview.asked)} answer(s) so far are saved in {path}.\n"
            f"To continue: {again}",
            err=True,
        )
        return code

    def title(self, result: Result) -> str:
        if self.case is not None and self.case.title and self.case.title != PROGRESS_TITLE:
            return self.case.title
        return _final_title(self.interview, result)


def _final_title(interview: Interview, result: Result) -> str:
    return f"Interview: {result.urgency} after {len(interview.asked)} questions"


def _save(interview: Interview, path: Path, title: str, final: bool) -> None:
    from triage.files.casefile import write_atomic
    from triage.interview import case_text

    write_atomic(path, case_text(interview, title, path, final=final))


def _json(
    name: str,
    title: str,
    result: Result,
    interview: Interview,
    status: str,
    point: Checkpoint | None = None,
    asked: tuple[str, ...] | None = None,
) -> str:
    from triage.render.outcome import result_dict

    data: dict[str, Any] = {"case": name}
    if title:
        data["title"] = title
    data.update(result_dict(result))
    data["asked"] = list(interview.asked if asked is None else asked)
    data["status"] = status
    data["recheck"] = {"date": point.on.isoformat(), "day": point.day} if point else None
    return json.dumps(data, indent=2, ensure_ascii=False)
