"""Ctrl-C and SIGTERM at random moments of a real batch run: the exit code says which, and
nothing is left behind (no temporary file beside --output, no worker process)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_run_parallel import MINI, write_corpus

pytestmark = pytest.mark.acceptance  # the CLI in real processes

CASES = 5_000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("signals") / "cases"
    write_corpus(folder, CASES)
    return folder


def _session_members(session: int) -> list[int]:
    """Processes still in the run's session (workers inherit it, even when orphaned)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _assert_whole(report: str, fmt: str) -> None:
    """A report of every case of the corpus, ended as its format ends."""
    if fmt == "text":
        assert f"{CASES} case(s):" in report
    elif fmt == "junit":
        assert report.rstrip().endswith("</testsuites>")
    elif fmt == "json":
        json.loads(report)
    else:
        assert len([json.loads(line) for line in report.splitlines()]) == CASES


def _interrupt_run(corpus: Path, tmp_path: Path, signum: int, delay: float, fmt: str) -> None:
    out_dir = tmp_path / f"out-{signum}-{delay:.2f}"
    out_dir.mkdir()
    previous = out_dir / "report.txt"
    previous.write_text("the previous report\n")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "triage",
            "run",
            str(corpus),
            "--rules",
            str(MINI),
            "--jobs",
            "2",
            "--format",
            fmt,
            "--output",
            str(previous),
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    # The moment is random within the run itself: from when the report's temporary file
    # exists (the interpreter's own start-up, before any code of ours, is no part of it).
    deadline = time.monotonic() + 60
    while len(list(out_dir.iterdir())) < 2 and process.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(delay)
    if signum == signal.SIGINT:
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
    else:
        process.send_signal(signal.SIGTERM)  # as `kill PID`: the parent alone
    _, err = process.communicate(timeout=60)
    text = err.decode()
    assert "Traceback" not in text
    if process.returncode in (1, 2, -signal.SIGTERM, -signal.SIGINT):
        # The run was complete before the signal came; a signal in the very last moments,
        # once the interpreter has put back the default handlers on its way out, meets the
        # default action. Either way the report is the new one, whole.
        assert previous.read_text() != "the previous report\n"
        _assert_whole(previous.read_text(), fmt)
    else:
        assert process.returncode == (130 if signum == signal.SIGINT else 143), text
        # Interrupted before the report replaced the previous one, that one is untouched; a
        # signal held while the new report was renamed into place, or landing after it, finds
        # the new one whole. Never a mix, never a part.
        if previous.read_text() != "the previous report\n":
            _assert_whole(previous.read_text(), fmt)
    assert sorted(p.name for p in out_dir.iterdir()) == ["report.txt"]
    deadline = time.monotonic() + 30  # a hang guard: the run joins its workers before it ends
    while _session_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_members(process.pid) == []


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "seed"),
    [(signal.SIGINT, 1), (signal.SIGTERM, 2), (signal.SIGTERM, 3)],
)
def test_an_interrupted_batch_leaves_nothing_behind(corpus, tmp_path, signum, seed) -> None:
    delay = random.Random(seed).uniform(0.0, 2.0)
    _interrupt_run(corpus, tmp_path, signum, delay, "text")


@pytest.mark.fuzz
@pytest.mark.parametrize("trial", range(16))
def test_many_interrupts_at_random_moments(corpus, tmp_path, trial) -> None:
    rng = random.Random(100 + trial)
    signum = signal.SIGINT if trial % 2 else signal.SIGTERM
    fmt = rng.choice(["text", "junit", "jsonl", "json"])
    _interrupt_run(corpus, tmp_path, signum, rng.uniform(0.0, 3.0), fmt)


@pytest.mark.slow
@pytest.mark.parametrize("command", [["check"], ["graph"], ["coverage", "cases"], ["ask"]])
def test_ctrl_c_exits_130_without_a_traceback(command, tmp_path) -> None:
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "triage", *command],
        cwd=root if command[0] == "coverage" else tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    # From 80 ms: in its first 20 to 30 ms (more on a loaded machine) the interpreter itself
    # is starting (site, .pth files) and no code of ours can catch the signal.
    time.sleep(random.Random(command[0]).uniform(0.08, 0.3))
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert b"Traceback" not in err
    if process.returncode == -signal.SIGINT:
        # On a busy machine the signal can still come before the interpreter has set its
        # handler: the default action ends it, as it would any program not yet running.
        # Later, an uncaught interrupt ends it the same way but after a traceback.
        assert err == b""
    else:
        assert process.returncode in (0, 130), err.decode()


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["check", "tests/fixtures/check/clean"],  # a small base: the write is what is tested
        ["graph"],
        ["explain", "cases/doms-first-heavy-week.yaml"],
        ["coverage", "cases"],
        ["diff", "rules", "rules", "cases"],
        ["ask", "--answers", "cases/doms-first-heavy-week.yaml"],
        ["run", "cases", "--jobs", "1"],
    ],
)
def test_a_full_disk_is_a_message_not_a_traceback(command) -> None:
    root = Path(__file__).resolve().parent.parent
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "triage", *command],
            cwd=root,
            stdout=full,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
    assert b"Traceback" not in done.stderr
    assert done.returncode == 2
    assert b"No space left on device" in done.stderr


def test_a_closed_pipe_ends_quietly_without_a_traceback() -> None:
    """As `| head` does to Unix tools: exit 141 (128 + SIGPIPE), nothing on stderr."""
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "triage", "graph", "--format", "dot"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader went away before the first line
    err = process.stderr.read()
    assert process.wait(timeout=60) == 141
    assert b"Traceback" not in err


def test_counterexamples_into_a_path_that_is_a_file_is_a_message(tmp_path) -> None:
    root = Path(__file__).resolve().parent.parent
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "triage", "check", "--counterexamples", str(blocker / "x")],
        cwd=root,
        capture_output=True,
        timeout=120,
    )
    assert b"Traceback" not in done.stderr
    assert done.returncode == 2
    assert b"cannot create the counterexamples folder" in done.stderr


# A command group with one command whose finalizer meets the signal handler, as it does when
# a signal lands while a finalizer or weakref callback runs; {signal} and {after} vary.
FINALIZER_SCRIPT = """
import signal, time
import click
from triage.cli.common import TriageGroup, _on_signal

@click.group(cls=TriageGroup)
def group():
    pass

@group.command()
def work():
    class Finalized:
        def __del__(self):
            _on_signal(signal.{signal}, None)

    Finalized()
{after}
"""
BUSY_AFTER = """    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pass
    click.echo("finished")

group(["work"])"""
RETURN_AT_ONCE = """
code = group(["work"], standalone_mode=False)
print("command ended with", code, flush=True)
time.sleep(0.2)  # past the moment the signal would have been sent again
print("host done", flush=True)"""


def _finalizer_run(signal_name: str, after: str) -> subprocess.CompletedProcess:
    script = FINALIZER_SCRIPT.replace("{signal}", signal_name).replace("{after}", after)
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        timeout=30,
        cwd=Path(__file__).resolve().parent.parent,
    )


@pytest.mark.parametrize(
    ("name", "code", "words"), [("SIGINT", 130, b"Interrupted."), ("SIGTERM", 143, b"Terminated.")]
)
def test_a_signal_that_lands_in_a_finalizer_still_stops_the_command(name, code, words) -> None:
    """An exception raised inside a finalizer or weakref callback cannot propagate; the
    interrupt is sent again so that the command stops, quietly, with the signal's code."""
    done = _finalizer_run(name, BUSY_AFTER)
    assert done.returncode == code, done.stderr.decode()
    assert b"finished" not in done.stdout
    assert words in done.stderr
    assert b"Exception ignored" not in done.stderr and b"Traceback" not in done.stderr


def test_a_signal_lost_in_the_last_moments_ends_the_command_not_its_host() -> None:
    """Sent again only while the command runs: one lost as it returns is raised by the
    command group itself, and whatever runs the command afterwards is left alone."""
    done = _finalizer_run("SIGTERM", RETURN_AT_ONCE)
    assert done.returncode == 0, done.stderr.decode()
    assert b"command ended with 143" in done.stdout
    assert b"host done" in done.stdout
    assert b"Terminated." in done.stderr and b"Traceback" not in done.stderr
