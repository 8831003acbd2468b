"""Options and error handling shared by every command."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from triage.files.output import interrupt

if TYPE_CHECKING:
    from triage.model.errors import InputError
    from triage.model.knowledge import KnowledgeBase

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERRUPT = 130  # 128 + SIGINT, as a shell reports it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so every `finally` cleans up on the way out."""


def _on_signal(signum: int, frame: object) -> None:
    interrupt(KeyboardInterrupt if signum == signal.SIGINT else Terminated)


# Writing failures every command can meet: a full disk, a read-only or vanished folder.
_WRITE_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EIO}


class TriageGroup(click.Group):
    """The command group: Ctrl-C exits 130, SIGTERM 143, a failed write is a message.

    Both signals raise an exception (deferred while a temporary file is being created or
    renamed), so the `finally` blocks that remove temporary files and stop worker processes
    run before the exit.
    """

    def invoke(self, ctx: click.Context) -> Any:
        handlers = threading.current_thread() is threading.main_thread()
        if handlers:
            old_int = signal.signal(signal.SIGINT, _on_signal)
            old_term = signal.signal(signal.SIGTERM, _on_signal)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            ctx.exit(EXIT_INTERRUPT)
        except Terminated:
            click.echo("Terminated.", err=True)
            ctx.exit(EXIT_TERMINATED)
        except BrokenPipeError:
            _silence_stdout()
            with contextlib.suppress(OSError):
                click.echo("error: the output was closed before it was complete", err=True)
            ctx.exit(2)
        except OSError as err:
            if err.errno not in _WRITE_ERRORS:
                raise
            where = f"{err.filename}: " if err.filename else ""
            click.echo(f"error: {where}cannot write the output: {err.strerror}", err=True)
            ctx.exit(2)
        finally:
            if handlers:
                signal.signal(signal.SIGINT, old_int)
                signal.signal(signal.SIGTERM, old_term)


def _silence_stdout() -> None:
    """After a closed pipe, the interpreter's last flush of stdout must not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


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
