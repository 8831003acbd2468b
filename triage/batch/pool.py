"""Evaluating many case files in worker processes: in order, in bounded memory.

The parent sends file paths, never parsed data; each worker receives the parent's knowledge base
and compiles the engine once (the pool initializer), then reads, evaluates and renders a task
of `TASK` files and sends back finished text (`render.batch.Record`), so the parent only
writes. Tasks
are submitted through a window of `WINDOW` per worker and collected in submission order, so
the output is the same whatever `--jobs` is, and neither the queue of pending results nor
memory grows with the number of cases.

Starting a worker (import, load the rules, compile the engine) costs a few tenths of a second,
so a batch with fewer than `MIN_PER_WORKER` cases per worker uses fewer workers, down to
evaluating in this process; the output does not depend on that choice.
"""

from __future__ import annotations

import io
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from triage.evaluate.evaluator import make_evaluator
from triage.files.cases import STDIN
from triage.files.yamlio import stream_bytes
from triage.model.errors import WorkerError
from triage.model.knowledge import KnowledgeBase
from triage.render.batch import FORMATS, Record
from triage.tools.outcomes import RunSummary, run_cases

TASK = 64
WINDOW = 4
MIN_PER_WORKER = 200


class _Worker:
    """Reads, evaluates and renders tasks of case files with one evaluator."""

    def __init__(self, kb: KnowledgeBase, engine: str, fmt: str) -> None:
        self.kb = kb
        self.evaluator = make_evaluator(kb, engine)
        self.render = FORMATS[fmt].render

    def run(self, sources: Sequence[str], stdin: bytes | None) -> list[Record]:
        stream = io.BytesIO(stdin) if stdin is not None else None
        return [
            Record.of(outcome, self.render(outcome))
            for outcome in run_cases(sources, self.kb, self.evaluator, stream)
        ]


_worker: _Worker | None = None
_setup_error: str | None = None


def _start(kb: KnowledgeBase, engine: str, fmt: str) -> None:
    """Pool initializer: Ctrl-C is the parent's to handle; set up once per process.

    The worker gets the parent's knowledge base itself, not the folder it came from, so every
    `--jobs` evaluates the very rules the parent loaded and checked.
    """
    global _worker, _setup_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _worker = _Worker(kb, engine, fmt)
    except Exception as err:  # reported by every task rather than respawning forever
        _setup_error = str(err)


def _task(sources: Sequence[str], stdin: bytes | None) -> list[Record]:
    if _worker is None:
        raise WorkerError(_setup_error or "worker not started")
    return _worker.run(sources, stdin)


def _tasks(
    sources: Sequence[str], stdin: IO[bytes] | None, size: int
) -> Iterator[tuple[list[str], bytes | None]]:
    """Tasks of paths; the task holding `-` carries stdin's bytes (read once, here)."""
    data: bytes | None = None
    for start in range(0, len(sources), size):
        task = list(sources[start : start + size])
        given = None
        if STDIN in task:
            if data is None:
                data = given = stream_bytes(stdin)
            else:
                given = b""  # as from a stream already read to its end
        yield task, given


def worker_count(jobs: int, cases: int, min_per_worker: int = MIN_PER_WORKER) -> int:
    """Workers worth starting for this many cases (1 means: in this process)."""
    return max(1, min(jobs, cases // max(1, min_per_worker)))


def records(
    sources: Sequence[str],
    kb: KnowledgeBase,
    *,
    engine: str = "experta",
    fmt: str = "text",
    jobs: int = 1,
    stdin: IO[bytes] | None = None,
    min_per_worker: int = MIN_PER_WORKER,
) -> Iterator[list[Record]]:
    """Rendered records, one list per task, in the order of `sources`."""
    workers = worker_count(jobs, len(sources), min_per_worker)
    size = max(1, min(TASK, -(-len(sources) // (workers * WINDOW))))
    tasks = _tasks(sources, stdin, size)
    if workers == 1:
        local = _Worker(kb, engine, fmt)
        for paths, data in tasks:
            yield local.run(paths, data)
        return
    pool = multiprocessing.get_context().Pool(
        workers, initializer=_start, initargs=(kb, engine, fmt)
    )
    try:
        pending: deque[Any] = deque()
        for paths, data in tasks:
            pending.append(pool.apply_async(_task, (paths, data)))
            if len(pending) >= workers * WINDOW:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def write_report(
    out: IO[str],
    fmt: str,
    sources: Sequence[str],
    kb: KnowledgeBase,
    *,
    engine: str = "experta",
    jobs: int = 1,
    stdin: IO[bytes] | None = None,
    progress: Callable[[int], None] | None = None,
    min_per_worker: int = MIN_PER_WORKER,
) -> RunSummary:
    """Evaluate the cases and stream the report in `fmt` to `out`; `progress(n)` after each task."""
    writer = FORMATS[fmt](out)
    summary = RunSummary()
    try:
        for batch in records(
            sources,
            kb,
            engine=engine,
            fmt=fmt,
            jobs=jobs,
            stdin=stdin,
            min_per_worker=min_per_worker,
        ):
            for record in batch:
                summary.add(record)
                writer.add(record)
            if progress is not None:
                progress(len(batch))
        writer.finish(summary)
    finally:
        writer.close()
    return summary
