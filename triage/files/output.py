"""Where a report goes: stdout, or a file that is either complete or not there at all."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def open_output(path: Path | str | None) -> Iterator[IO[str]]:
    """Yield a text stream for the report.

    With a path, the report streams into a temporary file in the same folder, which replaces
    the target only once it is complete (`os.replace` is atomic within a file system). An
    exception or Ctrl-C before that removes the temporary file and leaves any earlier report
    untouched. Opening fails with OSError (missing folder, no permission) before anything runs.
    A path that is not a regular file (a device, a pipe) is written directly.
    """
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if target.exists() and not target.is_file():
        # A device or a pipe (`-o /dev/null`): there is nothing to replace, and replacing it
        # would put a regular file where the device was.
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            yield handle
        return
    tmp: str | None = None
    try:
        with signals_deferred():  # the name is known before an interrupt can leave it behind
            fd, tmp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or "."
            )
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; a report is an ordinary file
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with signals_deferred():
            os.replace(tmp, target)
            tmp = None
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


class _Deferred:
    depth = 0
    pending: BaseException | type[BaseException] | None = None


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """A step that an interrupt must not split (create-and-remember, rename-and-forget).

    The command line's SIGINT and SIGTERM handlers call `interrupt`, which raises at once
    outside such a step and, inside one, keeps the exception until the step is over.
    """
    _Deferred.depth += 1
    try:
        yield
    finally:
        _Deferred.depth -= 1
        if _Deferred.depth == 0 and _Deferred.pending is not None:
            pending, _Deferred.pending = _Deferred.pending, None
            raise pending


def raise_pending() -> None:
    """Raise a deferred interrupt now: a long step under `signals_deferred` calls this at the
    points where stopping is safe (between tasks, never inside a lock or a fork)."""
    if _Deferred.pending is not None:
        pending, _Deferred.pending = _Deferred.pending, None
        raise pending


def interrupt(error: BaseException | type[BaseException]) -> None:
    """Raise `error` now, or when the step in progress under `signals_deferred` ends."""
    if _Deferred.depth:
        _Deferred.pending = _Deferred.pending or error
        return
    raise error
