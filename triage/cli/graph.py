"""`triage graph`: the rule network as Mermaid, Graphviz DOT or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from triage.cli.common import BadInput, format_option, load_kb, rules_option


@click.command()
@rules_option
@format_option("graph")
@click.option(
    "--rule",
    "rule_id",
    default=None,
    metavar="ID",
    help="Only this rule, what feeds it (with upstream rules) and what it concludes.",
)
def graph(rules_dir: Path | None, fmt: str, rule_id: str | None) -> None:
    """Print the questions, rules, findings, recommendations and urgencies as a graph.

    Red-flag rules are drawn in red; dashed edges are inputs a rule needs to be false or
    absent. Exit 0, or 2 for malformed rules or an unknown --rule id.

    \b
    Examples:
      triage graph > rules.mmd
      triage graph --format dot | dot -Tsvg > rules.svg
    """
    from triage.model.errors import InputError
    from triage.render.registry import reporter
    from triage.tools.graph import build_graph

    kb = load_kb(rules_dir)
    try:
        network = build_graph(kb, rule_id)
    except InputError as err:
        raise BadInput(err) from None
    click.echo(reporter("graph", fmt)(network))
