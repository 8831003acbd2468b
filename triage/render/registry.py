"""Which renderer each reporting command uses for each `--format`: the one table.

The command line offers exactly the formats listed here (`formats`), and renders with exactly
the renderer listed (`reporter`), so a choice without a renderer, or a renderer no choice
reaches, cannot happen; `tests/test_docs.py` resolves every entry. The first format of a
command is its default. Entries name `module:attribute` and are imported only when used, so
`triage --help` stays fast (this module imports nothing from the package).

Within a command every renderer takes the same arguments: the tool's result (plus, for some,
the command's options) and returns the finished text; `run`'s are stream writers
(`triage.render.batch.Writer`), since a batch is written case by case. `report` also serves
`triage ask --report`, whose format comes from the file's extension. `triage ask` itself is
a conversation, not a report: its screens are `triage.render.screen`.
"""

from __future__ import annotations

import importlib
from typing import Any

REPORTERS: dict[str, dict[str, str]] = {
    "run": {
        "text": "triage.render.batch:TextWriter",
        "json": "triage.render.batch:JsonWriter",
        "jsonl": "triage.render.batch:JsonLinesWriter",
        "csv": "triage.render.batch:CsvWriter",
        "junit": "triage.render.batch:JUnitWriter",
    },
    "check": {
        "text": "triage.render.check:check_text",
        "json": "triage.render.check:check_json",
    },
    "explain": {
        "text": "triage.render.explain:explanation_text",
        "json": "triage.render.explain:explanation_json",
    },
    "coverage": {
        "text": "triage.render.coverage:coverage_text",
        "json": "triage.render.coverage:coverage_json",
    },
    "diff": {
        "text": "triage.render.diff:diff_text",
        "json": "triage.render.diff:diff_json",
    },
    "graph": {
        "mermaid": "triage.render.graph:to_mermaid",
        "dot": "triage.render.graph:to_dot",
        "json": "triage.render.graph:graph_json",
    },
    "history": {
        "text": "triage.render.history:render_text",
        "json": "triage.render.history:render_json",
        "csv": "triage.render.history:render_csv",
    },
    # `triage report` and `triage ask --report`: the consultation to share.
    "report": {
        "markdown": "triage.render.report:markdown",
        "html": "triage.render.report:page",
    },
}


def formats(command: str) -> tuple[str, ...]:
    """The `--format` choices of a command, its default first."""
    return tuple(REPORTERS[command])


def reporter(command: str, fmt: str) -> Any:
    """The renderer of `command` for `fmt`."""
    module, _, name = REPORTERS[command][fmt].partition(":")
    return getattr(importlib.import_module(module), name)
