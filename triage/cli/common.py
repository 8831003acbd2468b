"""Options and error handling shared by every command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from triage.model.errors import InputError
    from triage.model.knowledge import KnowledgeBase

F = TypeVar("F", bound=Callable[..., Any])


class BadInput(click.ClickException):
    """Invalid input: printed as located problems, exit code 2, never a traceback."""

    exit_code = 2

    def __init__(self, error: InputError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: Any = None) -> None:
        for problem in self.error.problems:
            click.echo(f"error: {problem}", err=True)


def rules_option(func: F) -> F:
    return click.option(
        "--rules",
        "rules_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Knowledge base folder (default: the rules shipped with triage).",
    )(func)


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def load_kb(rules_dir: Path | None) -> KnowledgeBase:
    """Load the knowledge base, turning its problems into exit code 2."""
    from triage.files.loader import load_knowledge
    from triage.model.errors import InputError

    try:
        return load_knowledge(rules_dir)
    except InputError as err:
        raise BadInput(err) from None
