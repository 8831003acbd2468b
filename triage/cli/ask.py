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
    EXIT_TERMINATED,
    BadInput,
    Quit,
    Terminated,
    command_hint,
    format_option,
    history_option,
    history_path,
    load_kb_for,
    region_option,
    rules_option,
    today,
)

if TYPE_CHECKING:
    from triage.cli.checkin import CheckIns
    from triage.files.cases import Case
    from triage.interview import Interview, Step
    from triage.model.checkpoint import Checkpoint
    from triage.model.knowledge import KnowledgeBase
    from triage.model.result import Result
    from triage.render.report import TimelineRow
    from triage.render.screen import Screen
    from triage.tools.advice import Advice

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
@click.option("--full", is_flag=True, help="Show every action with its how-to steps at once.")
@region_option
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the consultation to share: FILE.md (Markdown) or FILE.html (a web page).",
)
@history_option
@click.option("--no-history", is_flag=True, help="Neither read nor save the history this time.")
def ask(
    rules_dir: Path | None,
    answers_source: str | None,
    resume_path: Path | None,
    save_path: Path | None,
    fmt: str,
    no_color: bool,
    full: bool,
    region: str | None,
    report_path: Path | None,
    history_file: Path | None,
    no_history: bool,
) -> None:
    """Answer a few questions about lower-back soreness after squats, and get advice.

    Only questions whose answer can still change the advice are asked, warning signs first,
    a list at a time: answer a list with the numbers that apply (0 for none). At any question
    type ? (help), why, back, skip (don't know) or quit (save and leave). Ctrl-C or end of
    input saves the answers so far to triage-progress.yaml (or the --save file); continue with
    --resume. When stdin is not a terminal, one answer is read per line. The result's dates
    count from today (TRIAGE_TODAY=YYYY-MM-DD fixes today, for tests and demos).

    Every finished interview is kept in your history (--history, TRIAGE_HISTORY; see
    `triage history`), so the next one about the same pain asks less and proposes the trend.
    Replays (--answers) and --no-history leave it alone.

    Exit 0 when done (or after quit), 1 when input ended early or a resumed case misses its
    `expect` block, 2 on invalid input, 130 on Ctrl-C.

    \b
    Examples:
      triage ask
      triage ask --region us --report my-back.html
      triage ask --answers cases/doms-first-heavy-week.yaml --full
    """
    from triage.model.errors import InputError

    if answers_source is not None and resume_path is not None:
        raise click.UsageError("--answers replays a case and --resume continues one; pick one")
    for option, path in (("--save", save_path), ("--report", report_path)):
        if path is not None and not (path.parent or Path(".")).is_dir():
            raise click.BadParameter(f"no such folder: {path.parent}", param_hint=option)
    if report_path is not None:
        from triage.render.report import format_for

        if format_for(str(report_path)) is None:
            raise click.BadParameter(
                f"{report_path}: expected a file name ending in .md or .html",
                param_hint="--report",
            )
    day = today()
    kb = load_kb_for(rules_dir, region)
    try:
        if answers_source is not None:
            code = _replay(kb, answers_source, save_path, fmt, no_color, full, report_path, day)
        else:
            from triage.cli.checkin import CheckIns

            session = Session(kb, rules_dir, resume_path, save_path, fmt, no_color)
            session.full, session.report_path, session.today = full, report_path, day
            where = None if no_history else history_path(history_file)
            session.checkins = CheckIns(kb, where, day)
            code = session.run()
    except InputError as err:
        raise BadInput(err) from None
    sys.exit(code)


def _replay(
    kb: KnowledgeBase,
    source: str,
    save_path: Path | None,
    fmt: str,
    no_color: bool,
    full: bool,
    report_path: Path | None,
    day: date,
) -> int:
    from triage.files.cases import read_case
    from triage.interview import replay
    from triage.render.screen import Screen, terminal_width, wants_color
    from triage.tools.advice import advise
    from triage.tools.outcomes import Status, judge

    case = read_case(source, kb, getattr(sys.stdin, "buffer", sys.stdin))
    interview = replay(kb, case.answers)
    result = interview.result()
    status = judge(case, result).status
    title = case.title or _final_title(interview, result)
    saved = False
    if save_path is not None:
        try:
            _save(interview, save_path, title, final=True)
            saved = True
        except OSError as err:
            click.echo(f"error: {save_path}: cannot save: {err.strerror}", err=True)
    if report_path is not None:
        _report(interview, result, report_path, case.title or "", day)
    if fmt == "json":
        recheck = advise(kb, result, interview.answers, interview.skipped, day).recheck
        click.echo(_json(case.name, case.title, result, interview, status, recheck))
    else:
        screen = Screen(wants_color(no_color, os.environ, sys.stdout.isatty()), terminal_width())
        advice = advise(kb, result, interview.answers, interview.skipped, day)
        click.echo(screen.transcript(kb, interview.asked, interview.answers), color=screen.color)
        click.echo(
            screen.result(result, advice, interview.screens, full, interview.kb, replayed=True),
            color=screen.color,
        )
        if status != Status.UNCHECKED:
            click.echo(f"{case.name}: {status} (against its expect block)")
        if saved:
            click.echo(f"Saved to {save_path}; check it with: {command_hint()} run {save_path}")
        if report_path is not None:
            click.echo(f"The consultation to share is in {report_path}.")
    if save_path is not None and not saved:
        return 2
    return 1 if status == Status.FAIL else 0


def _report(
    interview: Interview,
    result: Result,
    path: Path,
    title: str,
    day: date,
    timeline: tuple[TimelineRow, ...] = (),
) -> None:
    from triage.files.casefile import write_atomic
    from triage.render.registry import reporter
    from triage.render.report import Consultation, format_for

    consultation = Consultation.of(interview, result, title, day, timeline)
    write_atomic(path, reporter("report", format_for(str(path)) or "markdown")(consultation))


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
        from triage.render.screen import Screen, terminal_width, wants_color

        self.kb = kb
        self.rules_dir = rules_dir
        self.save_path = save_path
        self.resume_path = resume_path
        self.progress_path = save_path or resume_path or Path(PROGRESS_FILE)
        self.fmt = fmt
        # With JSON on stdout, everything meant for the eyes goes to stderr.
        self.to_err = fmt == "json"
        stream = sys.stderr if self.to_err else sys.stdout
        self.screen: Screen = Screen(
            wants_color(no_color, os.environ, stream.isatty()), terminal_width()
        )
        self.full = False
        self.report_path: Path | None = None
        self.today = date.today()
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
        self.echo(self.screen.welcome(len(self.kb.questions), interview.screens))
        if self.resume_path is None and Path(PROGRESS_FILE).exists() and self.save_path is None:
            self.echo(
                self.screen.note(
                    f"An earlier interview is saved in {PROGRESS_FILE}: to continue it instead, "
                    f"quit and run `{command_hint()} ask --resume {PROGRESS_FILE}`. Stopping "
                    "this one early would replace it."
                )
            )
        try:
            if self.checkins is not None:
                from triage.cli.checkin import Stop

                try:
                    if self.resume_path is None:
                        interview = self.checkins.begin(self) or interview
                    else:
                        self.checkins.rejoin(self)
                        interview = self.interview
                except Stop:
                    return 0
            while True:
                step = interview.next_step()
                if self.checkins is not None:
                    step = self.checkins.choose(self, step)
                if step is None:
                    try:
                        return self.finish()
                    except _Back:
                        continue
                self.ask(step)
        except Quit:
            return self.stop("Stopped", 0)
        except EOFError:
            return self.stop("Input ended", EXIT_EOF)
        except KeyboardInterrupt:
            self.echo("")
            return self.stop("Interrupted", EXIT_INTERRUPT)
        except Terminated:
            return self.stop("Terminated", EXIT_TERMINATED)

    def ask(self, step: Step) -> None:
        """One screen: a question, or a checklist answered with the numbers that apply."""
        from triage.interview import ReplyError

        interview, checklist, question = self.interview, step.checklist, step.question
        number = interview.screens + 1
        if checklist is not None:
            self.echo(self.screen.checklist(checklist, step.questions, number))
            prompt = self.screen.checklist_prompt(len(step.questions))
        else:
            self.echo(self.screen.question(question, number))
            prompt = self.screen.prompt(question)
        while True:
            try:
                text = self.read(prompt)
            except UnicodeDecodeError:
                self.echo(self.screen.invalid("that line is not UTF-8 text"))
                continue
            command = text.strip().lower()
            if command.startswith("?") or command == "help":
                if checklist is None:
                    self.echo(self.screen.help(question))
                    continue
                rest = command.removeprefix("?").strip()
                at = int(rest) if rest.isascii() and rest.isdigit() else 0
                self.echo(self.screen.checklist_help(checklist, step.questions, at))
            elif command == "why":
                why = interview.why()
                if checklist is None and (why is None or why.question.id != question.id):
                    # Asked for the history (the severity), not for a rule: its own reason.
                    self.echo(self.screen.help(question))
                elif why is not None:
                    self.echo(self.screen.why(why, self.kb, checklist))
                elif checklist is not None:
                    self.echo(self.screen.checklist_help(checklist, step.questions, 0))
            elif command == "back":
                undone = interview.back()
                if undone is not None:
                    earlier = self.kb.checklist_of.get(undone)
                    words = earlier.prompt if earlier else self.kb.questions[undone].prompt
                    self.echo(self.screen.note(f"Back to: {words}"))
                    return
                self.echo(self.screen.note("This is the first question; nothing to go back to."))
            elif command == "skip":
                interview.answer_step(step, {})
                return
            elif command == "quit":
                raise Quit
            else:
                try:
                    values = _values(step, text)
                except ReplyError as err:
                    self.echo(self.screen.invalid(str(err)))
                    continue
                interview.answer_step(step, values)
                return

    def finish(self) -> int:
        from triage.tools.outcomes import Status, judge

        interview = self.interview
        result = interview.result()
        status = Status.UNCHECKED
        if self.case is not None and self.case.expect is not None:
            status = judge(self.case, result).status
        saved = self.save_path is not None and self.save_final(self.title(result))
        code = 1 if status == Status.FAIL else 0
        if self.save_path is not None and not saved:
            code = 2
        from triage.tools.advice import advise

        advice = advise(self.kb, result, interview.answers, interview.skipped, self.today)
        if self.fmt == "json":
            name = str(self.save_path or self.resume_path or "<interview>")
            title = self.case.title if self.case else ""
            click.echo(_json(name, title, result, interview, status, advice.recheck))
            self.keep(result, advice)
            return code
        self.echo(self.screen.result(result, advice, interview.screens, self.full, self.kb))
        if status != Status.UNCHECKED:
            self.echo(f"Against the expect block of {self.resume_path}: {status}")
        if saved:
            self.echo(
                f"Saved to {self.save_path}; check it with: {command_hint()} run {self.save_path}"
            )
        if self.report_path is not None:
            title = self.case.title if self.case and self.case.title != PROGRESS_TITLE else ""
            timeline = self.checkins.timeline(interview, result) if self.checkins else ()
            _report(interview, result, self.report_path, title or "", self.today, timeline)
            self.echo(f"The consultation to share is in {self.report_path}.")
        self.forget_progress()
        emergency = any(rec.category == "emergency_care" for rec in result.recommendations)
        shown_all = self.full or emergency
        self.echo(self.screen.after_result(shown_all))
        while True:
            try:
                command = self.read(self.screen.after_prompt(shown_all)).strip().lower()
            except (EOFError, KeyboardInterrupt):
                self.echo("")
                self.keep(result, advice)
                return code
            if command in ("", "quit", "q", "exit"):
                self.keep(result, advice)
                return code
            if command == "more":
                self.echo(self.screen.details(result))
            elif command == "how":
                self.echo(self.screen.how(result, self.kb))
            elif command == "back":
                interview.back()
                raise _Back
            else:
                self.echo(self.screen.after_result(shown_all))

    def keep(self, result: Result, advice: Advice) -> None:
        """Save the finished consultation in the history, when it is on."""
        if self.checkins is not None:
            self.checkins.keep(self, self.interview, result, advice.recheck)

    def forget_progress(self) -> None:
        """A finished interview needs no progress file: the next `ask` must not offer it."""
        path = self.progress_path
        if path == self.save_path:
            return
        ours = path == Path(PROGRESS_FILE) or (
            self.case is not None and self.case.title == PROGRESS_TITLE
        )
        if ours:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)

    def stop(self, reason: str, code: int) -> int:
        """Save the answers so far and say where they are and how to go on."""
        from triage.render.words import plural

        interview = self.interview
        if not interview.asked:
            click.echo(f"{reason}: nothing was answered, so nothing was saved.", err=True)
            return code
        title = PROGRESS_TITLE
        if self.case is not None and self.case.title and self.case.title != PROGRESS_TITLE:
            title = self.case.title
        path = _save_somewhere(interview, self.progress_path, title)
        if path is None:
            return 2
        again = f"{command_hint()} ask --resume {path}"
        if self.rules_dir is not None:
            again += f" --rules {self.rules_dir}"
        if self.save_path is not None:
            again += f" --save {self.save_path}"
        click.echo(
            f"{reason}: your answers to {plural(interview.screens, 'question')} so far are "
            f"saved in {path}.\n"
            f"To continue: {again}",
            err=True,
        )
        return code

    def save_final(self, title: str) -> bool:
        """Save the finished interview; when the file cannot be written, say so and keep the
        answers in the progress file instead, so the result on screen is not the only copy."""
        assert self.save_path is not None
        try:
            _save(self.interview, self.save_path, title, final=True)
            return True
        except OSError as err:
            click.echo(f"error: {self.save_path}: cannot save: {err.strerror}", err=True)
        if self.save_path != Path(PROGRESS_FILE):
            fallback = _save_somewhere(self.interview, Path(PROGRESS_FILE), title, final=True)
            if fallback is not None:
                click.echo(f"The answers are saved in {fallback} instead.", err=True)
        return False

    def title(self, result: Result) -> str:
        if self.case is not None and self.case.title and self.case.title != PROGRESS_TITLE:
            return self.case.title
        return _final_title(self.interview, result)


def _values(step: Step, text: str) -> dict[str, Any]:
    """A typed reply as the values of a screen's facts (None: not sure)."""
    from triage.interview import parse_reply, parse_ticks

    if step.checklist is None:
        return {step.question.id: parse_reply(step.question, text)}
    ticked, unsure = parse_ticks(len(step.questions), text)
    return {
        q.id: (None if n in unsure else n in ticked) for n, q in enumerate(step.questions, start=1)
    }


def _final_title(interview: Interview, result: Result) -> str:
    return f"Interview: {result.urgency} after {len(interview.asked)} questions"


def _save_somewhere(
    interview: Interview, path: Path, title: str, final: bool = False
) -> Path | None:
    """Save to `path`, else to the progress file in the working folder; None if neither."""
    for target in dict.fromkeys([path, Path(PROGRESS_FILE)]):
        try:
            _save(interview, target, title, final=final)
            return target
        except OSError as err:
            click.echo(f"error: {target}: cannot save the answers: {err.strerror}", err=True)
    return None


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
    recheck: Checkpoint | None = None,
) -> str:
    from triage.render.outcome import result_dict

    data: dict[str, Any] = {"case": name}
    if title:
        data["title"] = title
    data.update(result_dict(result))
    data["asked"] = list(interview.asked)
    data["status"] = status
    data["recheck"] = {"date": recheck.date.isoformat(), "day": recheck.day} if recheck else None
    return json.dumps(data, indent=2, ensure_ascii=False)
