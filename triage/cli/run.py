"""`triage run`: evaluate case files and check their expectations."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import IO

import click

from triage.cli.common import BadInput, format_option, load_kb, rules_option
from triage.evaluate.evaluator import EVALUATORS


@click.command()
@click.argument("paths", nargs=-1, required=True)
@rules_option
@format_option("run")
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(EVALUATORS),
    default="experta",
    show_default=True,
    help="Evaluate with the Experta engine or the engine-free reference.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: the number of cores). 1 evaluates in this process.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to FILE, complete or not at all (default: stdout).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar on stderr.")
def run(
    paths: tuple[str, ...],
    rules_dir: Path | None,
    fmt: str,
    engine_name: str,
    jobs: int | None,
    output: Path | None,
    quiet: bool,
) -> None:
    """Evaluate case files (folders recursively, `-` for stdin) and check `expect` blocks.

    Exit 0 when every checked case passes, 1 when one misses its expectations, 2 when a case
    or the rules are malformed (the other cases still run and are reported).

    \b
    Examples:
      triage run cases/
      triage run checkins/ --jobs 2 --format junit -o reports/triage.xml
      cat my-back.yaml | triage run - --format json
    """
    from triage.batch.pool import write_report
    from triage.files.cases import expand_paths
    from triage.files.output import open_output
    from triage.model.errors import InputError, Location, Problem, WorkerError
    from triage.render.registry import reporter

    kb = load_kb(rules_dir)
    try:
        sources = expand_paths(paths)
    except InputError as err:
        raise BadInput(err) from None
    jobs = jobs or os.cpu_count() or 1
    stdin: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
    show = not quiet and sys.stderr.isatty() and len(sources) > 1
    if output is None and sys.stdout.isatty() and not reporter("run", fmt).holds_back:
        show = False  # the report streams to the same terminal and would tangle with the bar
    try:
        with open_output(output) as out, LateBar(len(sources), show) as bar:
            summary = write_report(
                out,
                fmt,
                sources,
                kb,
                engine=engine_name,
                jobs=jobs,
                stdin=stdin,
                progress=bar.update,
            )
    except BrokenPipeError:
        raise  # the reader stopped reading: ends quietly (triage.cli)
    except OSError as err:
        where = Location(str(output)) if output else Location("<stdout>")
        raise BadInput(
            InputError(Problem(where, f"cannot write the report: {err.strerror}", code="I501"))
        ) from None
    except WorkerError as err:
        raise BadInput(err) from None
    sys.exit(summary.exit_code)


class LateBar:
    """A progress bar on stderr that appears only once a run has taken a second, and is erased
    when the run ends, so short runs show none and the report never follows a stale bar."""

    DELAY = 1.0

    def __init__(self, total: int, show: bool) -> None:
        self.total, self.show, self.done = total, show, 0
        self.visible = False
        self.started = time.monotonic()
        self.width = max(10, min(40, shutil.get_terminal_size((80, 24)).columns - 30))

    def __enter__(self) -> LateBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.visible:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def update(self, count: int) -> None:
        self.done += count
        if not self.show:
            return
        if not self.visible and time.monotonic() - self.started < self.DELAY:
            return
        self.visible = True
        filled = self.width * self.done // max(1, self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\rEvaluating [{bar}] {self.done}/{self.total}")
        sys.stderr.flush()
