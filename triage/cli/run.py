"""`triage run`: evaluate case files and check their expectations."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import BadInput, format_option, load_kb, rules_option


@click.command()
@click.argument("paths", nargs=-1, required=True)
@rules_option
@format_option("text", "json")
@click.option(
    "--engine",
    "engine_name",
    type=click.Choice(["experta", "reference"]),
    default="experta",
    show_default=True,
    help="Evaluate with the Experta engine or the engine-free reference.",
)
def run(paths: tuple[str, ...], rules_dir: Path | None, fmt: str, engine_name: str) -> None:
    """Evaluate case files (folders recursively, `-` for stdin) and check `expect` blocks.

    Exit 0 when every checked case passes, 1 when one misses its expectations, 2 when a case
    or the rules are malformed (the other cases still run and are reported).
    """
    from ..batch import Summary, run_cases
    from ..cases import expand_paths
    from ..errors import InputError
    from ..report import outcome_dict, outcome_line

    kb = load_kb(rules_dir)
    try:
        sources = expand_paths(paths)
    except InputError as err:
        raise BadInput(err) from None
    evaluator = _evaluator(kb, engine_name)
    summary = Summary()
    stdin = click.get_binary_stream("stdin")
    outcomes = run_cases(sources, kb, evaluator, stdin)
    if fmt == "json":
        results = []
        for outcome in outcomes:
            summary.add(outcome)
            results.append(outcome_dict(outcome))
        click.echo(
            json.dumps(
                {"results": results, "summary": summary.as_dict()}, indent=2, ensure_ascii=False
            )
        )
    else:
        problems, others = [], []
        for outcome in outcomes:
            summary.add(outcome)
            line = outcome_line(outcome)
            (problems if outcome.status in ("fail", "error") else others).append(line)
        for line in problems + others:
            click.echo(line)
        click.echo(summary.text())
    sys.exit(summary.exit_code)


def _evaluator(kb, engine_name: str):  # type: ignore[no-untyped-def]
    if engine_name == "reference":
        from ..reference import ReferenceEvaluator

        return ReferenceEvaluator(kb)
    from ..engine import Engine

    return Engine(kb)
