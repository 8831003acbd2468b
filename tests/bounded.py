"""Hostile inputs are tested for the work they cost, never for the seconds they take.

A wall-clock bound fails on a busy machine and passes on a fast one; the figures belong to
`benchmarks/hostile.py`. A test here either counts the lines of Python executed (the same
on every machine, so a quadratic path shows as a ratio between two sizes), or runs the
command in a fresh process whose CPU time is capped far above what the input needs and far
below what the old unbounded paths took (minutes), so it stops a runaway instead of timing it.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

CPU_SECONDS = 30  # a hang guard: every input below needs well under a second of CPU
HANG_SECONDS = 300  # for a process that waits instead of computing


def lines_executed(action: Callable[[], Any]) -> int:
    """Lines of Python run by `action()`: a measure of work that no machine's load changes."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def start(frame: FrameType, event: str, arg: Any) -> Any:
        return local

    previous = sys.gettrace()
    sys.settrace(start)
    try:
        action()
    finally:
        sys.settrace(previous)
    return count


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))


def run_capped(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`triage ARGS` in a fresh process with at most `CPU_SECONDS` of CPU time."""
    done = subprocess.run(
        [sys.executable, "-m", "triage", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        preexec_fn=_cap,
        timeout=HANG_SECONDS,
    )
    assert done.returncode not in (-signal.SIGXCPU, -signal.SIGKILL), (
        f"`triage {' '.join(args)}` used more than {CPU_SECONDS} s of CPU"
    )
    return done
