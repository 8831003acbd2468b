"""The `triage` command line: a thin layer over the core, one module per command."""

from __future__ import annotations

import signal
import sys
from pathlib import Path


def _started_as_command() -> bool:
    """True in the `triage` program itself, false when a test or a program imports us."""
    main_module = sys.modules.get("__main__")
    spec = getattr(main_module, "__spec__", None)
    return (
        Path(getattr(main_module, "__file__", "") or "").name == "triage"
        or getattr(spec, "name", "") == "triage.__main__"
    )


def _interrupted_while_starting(signum: int, frame: object) -> None:
    raise SystemExit(130)  # nothing has started yet: leave without a traceback


if _started_as_command():
    signal.signal(signal.SIGINT, _interrupted_while_starting)

import click  # noqa: E402  (after the handler: Ctrl-C during imports exits quietly)

from triage.cli import ask, check, coverage, diff, explain, graph, run  # noqa: E402
from triage.cli.common import TriageGroup  # noqa: E402


@click.group(cls=TriageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="squat-triage", prog_name="triage")
def main() -> None:
    """Triage lower-back soreness after squats, and check the rules behind it.

    Not a diagnosis: every result says when to get medical help.
    """


main.add_command(run.run)
main.add_command(check.check)
main.add_command(ask.ask)
main.add_command(explain.explain)
main.add_command(coverage.coverage)
main.add_command(diff.diff)
main.add_command(graph.graph)
