"""`triage graph`: the rule network as Mermaid, Graphviz DOT or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from triage.cli.common import BadInput, format_option, load_kb, rules_option


@click.command()
@rules_option
@format_option("mermaid", "dot", "json", default="mermaid")
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
    from triage.render.graph import graph_dict, to_dot, to_mermaid
    from triage.tools.graph import build_graph

    kb = load_kb(rules_dir)
    try:
        network = build_graph(kb, rule_id)
    except InputError as err:
        raise BadInput(err) from None
    if fmt == "json":
        click.echo(json.dumps(graph_dict(network), indent=2, ensure_ascii=False))
    elif fmt == "dot":
        click.echo(to_dot(network))
    else:
        click.echo(to_mermaid(network))
