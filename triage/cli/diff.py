"""`triage diff`: the cases whose outcome changes between two rule bases."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.cli.common import BadInput, format_option, load_kb

_RULES_DIR = click.Path(file_okay=False, path_type=Path)


@click.command()
@click.argument("old_rules", type=_RULES_DIR)
@click.argument("new_rules", type=_RULES_DIR)
@click.argument("paths", nargs=-1, required=True)
@format_option("diff")
@click.option(
    "--fail-on-change",
    is_flag=True,
    help="Exit 1 when any case's urgency or recommendations change.",
)
def diff(
    old_rules: Path, new_rules: Path, paths: tuple[str, ...], fmt: str, fail_on_change: bool
) -> None:
    """Evaluate each case under OLD_RULES and NEW_RULES; show those whose result changes.

    A change is a different urgency or a different set of recommendations. Exit 0; 1 with
    --fail-on-change when a case changed; 2 when a case is invalid under either rule base.

    \b
    Examples:
      triage diff old-rules/ rules/ cases/
      triage diff old-rules/ rules/ cases/ --fail-on-change
    """
    from triage.evaluate.engine import Engine
    from triage.files.cases import expand_paths
    from triage.model.errors import InputError
    from triage.render.registry import reporter
    from triage.tools.diff import compare, summarise

    old_kb = load_kb(old_rules)
    new_kb = load_kb(new_rules)
    try:
        sources = expand_paths(paths)
    except InputError as err:
        raise BadInput(err) from None
    stdin = getattr(sys.stdin, "buffer", sys.stdin)
    diffs = list(compare(sources, (old_kb, Engine(old_kb)), (new_kb, Engine(new_kb)), stdin))
    old_name, new_name = str(old_rules), str(new_rules)
    click.echo(reporter("diff", fmt)(diffs, old_name, new_name))
    summary = summarise(diffs)
    sys.exit(2 if summary.errors else 1 if fail_on_change and summary.changed else 0)
