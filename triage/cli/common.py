"""Options and error handling shared by every command."""

from __future__ import annotations

import _thread
import contextlib
import errno
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

import triage
from triage.files.output import interrupt
from triage.render.registry import REPORTERS, formats

if TYPE_CHECKING:
    from triage.model.errors import TriageError
    from triage.model.knowledge import KnowledgeBase

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERRUPT = 130  # 128 + SIGINT, as a shell reports it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so every `finally` cleans up on the way out."""


class Quit(Exception):
    """The lifter typed `quit` at any prompt of `triage ask`: the answers so far are saved."""


def _on_signal(signum: int, frame: object) -> None:
    interrupt(KeyboardInterrupt if signum == signal.SIGINT else Terminated)


def _redeliver_signals(
    fallback: Callable[[Any], object],
) -> Callable[[Any], object]:
    """An unraisable-exception hook that sends a lost interrupt again.

    A signal handler runs wherever the interpreter happens to be, including inside a weakref
    callback, a finalizer or an import lock's clean-up. An exception raised there cannot
    propagate: the interpreter prints it as "Exception ignored in ..." with a traceback and
    carries on, so the command would neither stop nor clean up. The signal is sent again
    from another thread, so that the handler runs a moment later, once the callback has
    returned to the command's own code (raised from here, it would run inside this hook).
    """

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            signum = signal.SIGINT
        elif isinstance(unraisable.exc_value, Terminated):
            signum = signal.SIGTERM
        else:
            fallback(unraisable)
            return
        with _Lost.lock:
            if not _Lost.running:
                return
            _Lost.signum = signum
        # The low-level start: `threading.Thread.start` waits for the thread, and the signal
        # could land in that wait, inside this hook.
        _thread.start_new_thread(_send_later, (signum,))

    return hook


class _Lost:
    """An interrupt lost in a callback, not yet sent again, and whether a command runs.

    The signal is sent again only while the command that lost it runs; one lost in its
    last moments is raised by `TriageGroup.invoke` itself when the command returns, so it
    never reaches whatever runs after the command (an embedding program, a test runner).
    """

    lock = threading.RLock()  # re-entered when a finalizer runs inside a `with lock`
    running = False
    signum: int | None = None


def _send_later(signum: int) -> None:
    time.sleep(0.005)  # for the hook and the callback it serves to return first
    with _Lost.lock:
        if not _Lost.running or _Lost.signum != signum:
            return
        _Lost.signum = None
        os.kill(os.getpid(), signum)


def _lost_interrupt() -> None:
    """End the command's run; raise an interrupt lost in its last moments, if one was."""
    with _Lost.lock:
        lost, _Lost.signum, _Lost.running = _Lost.signum, None, False
    if lost is not None:
        raise KeyboardInterrupt if lost == signal.SIGINT else Terminated


# Writing failures every command can meet: a full disk, a read-only or vanished folder.
_WRITE_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EIO}


class TriageGroup(click.Group):
    """The command group: Ctrl-C exits 130, SIGTERM 143, a failed write is a message.

    Both signals raise an exception (deferred while a temporary file is being created or
    renamed), so the `finally` blocks that remove temporary files and stop worker processes
    run before the exit.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, **kwargs)
        except SystemExit as leaving:
            if leaving.code in (EXIT_INTERRUPT, EXIT_TERMINATED) and triage.RUNNING_AS_PROGRAM:
                # The command has cleaned up and said why it stops. An interrupt that passed
                # through an extension module's initialisation (a lazy `import yaml`) is
                # remembered by CPython as unhandled, whatever caught it, and at exit the
                # interpreter would kill itself with SIGINT instead of exiting with this
                # code; leaving here keeps the code.
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(Exception):
                        stream.flush()
                os._exit(leaving.code)
            raise

    def invoke(self, ctx: click.Context) -> Any:
        handlers = threading.current_thread() is threading.main_thread()
        if handlers:
            old_hook = sys.unraisablehook
            sys.unraisablehook = _redeliver_signals(old_hook)
            old_int = signal.signal(signal.SIGINT, _on_signal)
            old_term = signal.signal(signal.SIGTERM, _on_signal)
            with _Lost.lock:
                _Lost.running, _Lost.signum = True, None
        try:
            value = super().invoke(ctx)
            if handlers:
                _lost_interrupt()
            return value
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            ctx.exit(EXIT_INTERRUPT)
        except Terminated:
            click.echo("Terminated.", err=True)
            ctx.exit(EXIT_TERMINATED)
        except BrokenPipeError:
            # The reader stopped reading (`| head`): end quietly, as Unix tools do when SIGPIPE
            # stops them, with the code a shell reports for that.
            _silence_stdout()
            ctx.exit(EXIT_BROKEN_PIPE)
        except OSError as err:
            if err.errno not in _WRITE_ERRORS:
                raise
            where = f"{err.filename}: " if err.filename else ""
            click.echo(f"error: {where}cannot write the output: {err.strerror}", err=True)
            ctx.exit(2)
        finally:
            if handlers:
                with _Lost.lock:
                    _Lost.running, _Lost.signum = False, None
                signal.signal(signal.SIGINT, old_int)
                signal.signal(signal.SIGTERM, old_term)
                sys.unraisablehook = old_hook


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE


def command_hint() -> str:
    """`triage` as the user can run it: through `uv run` when that is how it was started."""
    return "uv run triage" if os.environ.get("UV_RUN_RECURSION_DEPTH") else "triage"


def _silence_stdout() -> None:
    """After a closed pipe, the interpreter's last flush of stdout must not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


class BadInput(click.ClickException):
    """Invalid input: printed with its code (and location, when it has one), exit code 2,
    never a traceback."""

    exit_code = 2

    def __init__(self, error: TriageError) -> None:
        super().__init__(str(error))
        self.error = error

    def show(self, file: Any = None) -> None:
        from triage.model.errors import InputError

        if isinstance(self.error, InputError):
            for problem in self.error.problems:
                click.echo(f"error: {problem.coded()}", err=True)
            return
        hint = f" ({self.error.suggestion})" if self.error.suggestion else ""
        click.echo(f"error: {self.error.code} {self.error}{hint}", err=True)


def rules_option(func: F) -> F:
    return click.option(
        "--rules",
        "rules_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Knowledge base folder (default: the rules shipped with triage).",
    )(func)


def format_option(*choices: str, default: str | None = None) -> Callable[[F], F]:
    """`--format`; a reporting command passes its name alone, and gets the choices of
    `triage.render.registry` (the first is the default)."""
    if len(choices) == 1 and choices[0] in REPORTERS:
        choices = formats(choices[0])
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default or choices[0],
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
REGION_VARIABLE = "TRIAGE_REGION"


def today(environ: Mapping[str, str] | None = None) -> date:
    """Today's date, or TRIAGE_TODAY=YYYY-MM-DD for tests and demos that need a fixed one."""
    env = os.environ if environ is None else environ
    text = env.get(TODAY_VAR, "").strip()
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.UsageError(
            f"{TODAY_VAR}={text!r} is not a date; expected YYYY-MM-DD, such as 2026-12-01"
        ) from None


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "squat-triage" / "config.toml"


def configured_region(environ: Mapping[str, str] | None = None) -> str | None:
    """The region in the user's config file (`region = "us"`), if there is one."""
    import tomllib

    path = config_path(environ)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise click.UsageError(f"{path}: cannot read the settings: {err}") from None
    region = data.get("region")
    if region is not None and not isinstance(region, str):
        raise click.UsageError(f'{path}: `region` must be a string such as "us"')
    return region


def region_option(func: F) -> F:
    return click.option(
        "--region",
        envvar=REGION_VARIABLE,
        metavar="REGION",
        default=None,
        help="Whose emergency number and services to name: uk, us, eu, au, nz (default: "
        f"${REGION_VARIABLE}, else `region` in ~/.config/squat-triage/config.toml, else uk).",
    )(func)


def load_kb_for(rules_dir: Path | None, region: str | None) -> KnowledgeBase:
    """The knowledge base with a region's words filled in (the option, the config, the default)."""
    from triage.files.loader import load_knowledge
    from triage.model.errors import InputError

    chosen = region if region is not None else configured_region()
    try:
        return load_knowledge(rules_dir, region=chosen.lower() if chosen else None)
    except InputError as err:
        raise BadInput(err) from None


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
