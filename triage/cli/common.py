"""Options and error handling shared by every command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
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


TODAY_VAR = "TRIAGE_TODAY"


def today() -> date:
    """The date of a consultation: `TRIAGE_TODAY` (YYYY-MM-DD) if set, for tests and demos."""
    import os

    text = os.environ.get(TODAY_VAR, "").strip()
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.UsageError(
            f"{TODAY_VAR}={text!r} is not a date; expected YYYY-MM-DD, for example 2026-12-15"
        ) from None


def history_option(func: F) -> F:
    return click.option(
        "--history",
        "history_file",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="The history file (default: $TRIAGE_HISTORY, else in your data folder).",
    )(func)


def history_path(given: Path | None) -> Path:
    import os

    from triage.files.history import default_path

    return given if given is not None else default_path(os.environ)
