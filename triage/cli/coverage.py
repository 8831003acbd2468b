"""`triage coverage`: which rules, questions and recommendations a case corpus exercises."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.cli.common import BadInput, format_option, load_kb, rules_option


@click.command()
@click.argument("paths", nargs=-1, required=True)
@rules_option
@format_option("coverage")
@click.option(
    "--fail-under",
    "fail_under",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="PCT",
    help="Exit 1 when fewer than PCT percent of the rules are fired by some case.",
)
def coverage(
    paths: tuple[str, ...], rules_dir: Path | None, fmt: str, fail_under: float | None
) -> None:
    """Count the cases that fire each rule and list what no case reaches.

    Rule coverage is the share of rules fired by at least one case. Exit 0; 1 when it is
    below --fail-under; 2 when a case or the rules are malformed (the other cases still count).

    \b
    Examples:
      triage coverage cases/
      triage coverage cases/ --fail-under 90
    """
    from triage.evaluate.engine import Engine
    from triage.files.cases import expand_paths
    from triage.model.errors import InputError
    from triage.render.registry import reporter
    from triage.tools.coverage import measure

    kb = load_kb(rules_dir)
    try:
        sources = expand_paths(paths)
    except InputError as err:
        raise BadInput(err) from None
    cov = measure(sources, kb, Engine(kb), getattr(sys.stdin, "buffer", sys.stdin))
    below = fail_under is not None and cov.rules.percent < fail_under
    click.echo(reporter("coverage", fmt)(cov, fail_under))
    sys.exit(2 if cov.errors else 1 if below else 0)
