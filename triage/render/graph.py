"""The rule network as Mermaid, Graphviz DOT and JSON data."""

from __future__ import annotations

import json
from typing import Any

from triage.tools.graph import FACT, FINDING, RECOMMENDATION, RULE, URGENCY, Graph

_MERMAID_SHAPES = {
    FACT: ('(["', '"])'),
    RULE: ('["', '"]'),
    FINDING: ('{{"', '"}}'),
    RECOMMENDATION: ('("', '")'),
    URGENCY: ('(("', '"))'),
}
_MERMAID_CLASSES = {
    FACT: "fill:#eef4ff,stroke:#4a6fa5",
    RULE: "fill:#ffffff,stroke:#555555",
    "redflag": "fill:#ffd6d6,stroke:#c00000,stroke-width:3px,color:#7a0000",
    FINDING: "fill:#fff6d6,stroke:#b08900",
    RECOMMENDATION: "fill:#e6f7e6,stroke:#2e7d32",
    URGENCY: "fill:#f0e6ff,stroke:#6a1b9a",
}


def _mermaid_text(text: str) -> str:
    """Mermaid entity codes for the characters that would end or confuse a quoted label."""
    codes = (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;"))
    for char, code in (*codes, ("`", "#96;")):
        text = text.replace(char, code)
    return text.replace("\n", "<br/>")


def to_mermaid(graph: Graph) -> str:
    ids = graph.ids()
    lines = ["flowchart LR"]
    for node in graph.nodes:
        left, right = _MERMAID_SHAPES[node.kind]
        lines.append(f"    {ids[node.key]}{left}{_mermaid_text(node.label)}{right}")
    for edge in graph.edges:
        arrow = "-.->" if edge.negated else "-->"
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
    for name, style in _MERMAID_CLASSES.items():
        lines.append(f"    classDef {name} {style}")
    by_class: dict[str, list[str]] = {}
    for node in graph.nodes:
        by_class.setdefault("redflag" if node.red_flag else node.kind, []).append(ids[node.key])
    for name in _MERMAID_CLASSES:
        if by_class.get(name):
            lines.append(f"    class {','.join(by_class[name])} {name}")
    return "\n".join(lines)


_DOT_STYLES = {
    FACT: 'shape=ellipse, style=filled, fillcolor="#eef4ff", color="#4a6fa5"',
    RULE: 'shape=box, style=filled, fillcolor="#ffffff", color="#555555"',
    "redflag": 'shape=box, style="filled,bold", fillcolor="#ffd6d6", color="#c00000", penwidth=2',
    FINDING: 'shape=hexagon, style=filled, fillcolor="#fff6d6", color="#b08900"',
    RECOMMENDATION: 'shape=note, style=filled, fillcolor="#e6f7e6", color="#2e7d32"',
    URGENCY: 'shape=doublecircle, style=filled, fillcolor="#f0e6ff", color="#6a1b9a"',
}


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(graph: Graph) -> str:
    ids = graph.ids()
    lines = ["digraph triage {", "    rankdir=LR;", '    node [fontname="Helvetica"];']
    lines.append('    edge [fontname="Helvetica", fontsize=10];')
    kind = None
    for node in graph.nodes:
        if node.kind != kind:  # one default per kind keeps the node lines short
            kind = node.kind
            lines.append(f"    node [{_DOT_STYLES[kind]}];")
        extra = f", {_DOT_STYLES['redflag']}" if node.red_flag else ""
        lines.append(f'    {ids[node.key]} [label="{_dot_text(node.label)}"{extra}];')
    for edge in graph.edges:
        attrs = []
        if edge.label:
            attrs.append(f'label="{_dot_text(edge.label)}"')
        if edge.negated:
            attrs.append("style=dashed")
        tail = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"    {ids[edge.source]} -> {ids[edge.target]}{tail};")
    lines.append("}")
    return "\n".join(lines)


def graph_dict(graph: Graph) -> dict[str, Any]:
    return {
        "rule": graph.focus,
        "nodes": [
            {
                "id": node.key,
                "kind": node.kind,
                "name": node.name,
                "label": node.label,
                **({"red_flag": True} if node.red_flag else {}),
            }
            for node in graph.nodes
        ],
        "edges": [
            {
                "from": edge.source,
                "to": edge.target,
                "label": edge.label,
                "negated": edge.negated,
            }
            for edge in graph.edges
        ],
    }


def graph_json(graph: Graph) -> str:
    return json.dumps(graph_dict(graph), indent=2, ensure_ascii=False)
