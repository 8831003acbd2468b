"""The `triage` command line: a thin layer over the core, one module per command."""

from __future__ import annotations

import click

from triage.cli import ask, check, coverage, diff, explain, graph, history, report, run
from triage.cli.common import TriageGroup


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
main.add_command(history.history)
main.add_command(report.report)
