"""Writes the generated reference pages: docs/cli.md (every command's --help) and
docs/errors.md (every error code, and `triage check`'s codes).

    uv run python docs/generate.py           # rewrite the pages
    uv run python docs/generate.py --check   # exit 1 if a page differs from the code

The pages are never edited by hand: tests/test_docs.py runs the same comparison, so a command,
an option or an error code that changes without its page fails the suite, and the fix is to
run this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.cli import main
from triage.model.errors import CODES, FAMILIES
from triage.tools.verify.report import CODES as CHECK_CODES

DOCS = Path(__file__).resolve().parent
WIDTH = 100


def _context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    """A context as `triage ... --help` makes one, at a fixed width, whatever the terminal."""
    return click.Context(
        command,
        info_name=name,
        parent=parent,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        help_option_names=main.context_settings.get("help_option_names", ["--help"]),
    )


def cli_reference() -> str:
    """The --help of `triage` and of each command, in the order `triage --help` lists them."""
    root = _context(main, "triage", None)
    parts = [
        "# Command-line reference",
        "",
        "Generated from each command's `--help` by `docs/generate.py`; do not edit by hand.",
        "",
        "## triage",
        "",
        "```",
        main.get_help(root),
        "```",
    ]
    for name in main.list_commands(root):
        command = main.get_command(root, name)
        assert command is not None
        help_text = command.get_help(_context(command, name, root))
        parts += ["", f"## triage {name}", "", "```", help_text, "```"]
    return "\n".join(parts) + "\n"


def error_reference() -> str:
    """Every error code by family, then `triage check`'s findings."""
    parts = [
        "# Error codes",
        "",
        "Generated from `triage/model/errors.py` and `triage/tools/verify/report.py` by",
        "`docs/generate.py`; do not edit by hand. A code never changes meaning: match on it, not",
        "on the wording of a message. Input errors exit with code 2 and are printed as",
        "`error: FILE:LINE:COLUMN: CODE message`; in JSON reports each error has `code`,",
        "`location`, `message` and, where one helps, `suggestion`.",
    ]
    for family, title in FAMILIES.items():
        codes = [code for code in CODES if code.startswith(family)]
        parts += ["", f"## {family}xx: {title}", "", "| code | meaning |", "| --- | --- |"]
        parts += [f"| `{code}` | {CODES[code]} |" for code in codes]
    parts += [
        "",
        "## `triage check` findings",
        "",
        "`E1xx` are errors (exit 1), `W2xx` warnings (exit 1 with `--strict`).",
        "",
        "| code | meaning |",
        "| --- | --- |",
    ]
    parts += [f"| `{code}` | {meaning} |" for code, meaning in CHECK_CODES.items()]
    return "\n".join(parts) + "\n"


PAGES = {"cli.md": cli_reference, "errors.md": error_reference}


def stale() -> list[str]:
    """The pages whose text differs from what the code generates now."""
    return [
        name
        for name, make in PAGES.items()
        if not (DOCS / name).exists() or (DOCS / name).read_text(encoding="utf-8") != make()
    ]


def main_(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        for name in names:
            print(f"docs/{name} is out of date; run: uv run python docs/generate.py")
        return 1 if names else 0
    for name, make in PAGES.items():
        (DOCS / name).write_text(make(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_(sys.argv[1:]))
