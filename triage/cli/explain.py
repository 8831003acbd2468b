"""`triage explain`: how one case's result was reached, rule by rule."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.cli.common import BadInput, format_option, load_kb, rules_option


@click.command()
@click.argument("case_file", metavar="CASE")
@rules_option
@format_option("explain")
def explain(case_file: str, rules_dir: Path | None, fmt: str) -> None:
    """Explain one case (`-` for stdin): fired rules, near misses, open questions.

    Exit 0, or 2 when the case or the rules are malformed.

    \b
    Examples:
      triage explain cases/doms-first-heavy-week.yaml
      cat my-back.yaml | triage explain - --format json
    """
    from triage.evaluate.engine import Engine
    from triage.files.cases import read_case
    from triage.model.errors import InputError
    from triage.render.registry import reporter
    from triage.tools.explain import explain as explain_case

    kb = load_kb(rules_dir)
    try:
        case = read_case(case_file, kb, getattr(sys.stdin, "buffer", sys.stdin))
    except InputError as err:
        raise BadInput(err) from None
    expl = explain_case(kb, case, Engine(kb))
    click.echo(reporter("explain", fmt)(expl))
