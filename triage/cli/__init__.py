"""The `triage` command line: a thin layer over the core, one module per command."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import click

from triage.cli import ask, check, coverage, diff, explain, graph, history, report, run

EXIT_BROKEN_PIPE = 141  # what a shell reports for a tool stopped by SIGPIPE (128 + 13)


class _Triage(click.Group):
    """The command group; a reader that stops reading (`| head`) ends the command quietly."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # Python flushes stdout again at exit; point it at /dev/null so that flush cannot
            # fail too and print "Exception ignored".
            devnull = os.open(os.devnull, os.O_WRONLY)
            with contextlib.suppress(OSError, ValueError):  # tests capture to a non-file
                os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)


@click.group(cls=_Triage, context_settings={"help_option_names": ["-h", "--help"]})
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
main.add_command(history.history)
main.add_command(report.report)
