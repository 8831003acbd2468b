"""Evaluating many case files in worker processes: in order, in bounded memory.

The parent sends file paths, never parsed data; each worker receives the parent's knowledge
base and compiles the engine once (the pool initializer), then reads, evaluates and renders a
task of `TASK` files and sends back finished text (`render.batch.Record`), so the parent only
writes. Tasks
are submitted through a window of `WINDOW` per worker and collected in submission order, so
the output is the same whatever `--jobs` is, and neither the queue of pending results nor
memory grows with the number of cases.

Starting a worker (import, receive the rules, compile the engine) costs a few tenths of a second,
so a batch with fewer than `MIN_PER_WORKER` cases per worker uses fewer workers, down to
evaluating in this process; the output does not depend on that choice.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import IO, Any

from triage.evaluate.evaluator import make_evaluator
from triage.files.cases import STDIN, STDIN_NAME
from triage.files.output import raise_pending, signals_deferred
from triage.files.yamlio import stream_bytes
from triage.model.errors import InputError, Location, Problem, WorkerError
from triage.model.knowledge import KnowledgeBase
from triage.render.batch import Record
from triage.render.registry import reporter
from triage.tools.outcomes import CaseOutcome, RunSummary, Status, run_cases

TASK = 64
WINDOW = 4
MIN_PER_WORKER = 200
_JOIN_SECONDS = 5  # a killed process or the pool's thread ends in milliseconds


class _Worker:
    """Reads, evaluates and renders tasks of case files with one evaluator."""

    def __init__(self, kb: KnowledgeBase, engine: str, fmt: str) -> None:
        self.kb = kb
        self.evaluator = make_evaluator(kb, engine)
        self.render = reporter("run", fmt).render

    def run(self, sources: Sequence[str], stdin: bytes | None) -> list[Record]:
        stream = io.BytesIO(stdin) if stdin is not None else None
        return [
            Record.of(outcome, self.render(outcome))
            for outcome in run_cases(sources, self.kb, self.evaluator, stream)
        ]


_worker: _Worker | None = None
_setup_error: str | None = None


def _start(kb: KnowledgeBase, engine: str, fmt: str) -> None:
    """Pool initializer: signals are the parent's to handle; set up once per process.

    The worker gets the parent's knowledge base itself, not the folder it came from, so every
    `--jobs` evaluates the very rules the parent loaded and checked.
    """
    global _worker, _setup_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's cleanup handler
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
                # At most one byte past the limit: the worker reading it reports the size.
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
    # Ctrl-C and SIGTERM are held while the pool runs and raised between tasks: raised at a
    # random point, they can land inside a lock or a fork of the pool's own machinery and
    # leave it hanging instead of stopping.
    with signals_deferred():
        pool = _Pool(workers, (kb, engine, fmt))
    try:
        with signals_deferred():
            pending: deque[tuple[tuple[list[str], bytes | None], Future]] = deque()
            for task in tasks:
                pending.append((task, pool.submit(task)))
                if len(pending) >= workers * WINDOW:
                    yield pool.collect(pending, fmt)
            while pending:
                yield pool.collect(pending, fmt)
    finally:
        with signals_deferred():
            pool.stop()


class _Pool:
    """Worker processes that may die: a dead worker costs its case, never the batch.

    A process pool whose worker is killed (a crash in a C extension, the out-of-memory
    killer, a signal) breaks every pending task. The task at the head of the queue is then
    run again file by file in a single fresh worker, so the file that kills it is found and
    reported as an error of that case; the pool is restarted and the other tasks resubmitted.
    """

    def __init__(self, workers: int, setup: tuple[KnowledgeBase, str, str]) -> None:
        self.workers, self.setup = workers, setup
        self.executor = self._new(workers)

    def _new(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(),
            initializer=_start,
            initargs=self.setup,
        )

    def submit(self, task: tuple[list[str], bytes | None]) -> Future:
        return self.executor.submit(_task, *task)

    def collect(self, pending: deque, fmt: str) -> list[Record]:
        task, future = pending[0]
        try:
            while True:
                raise_pending()
                try:
                    done = future.result(timeout=0.05)
                    break
                except TimeoutError:
                    continue
        except BrokenProcessPool:
            _kill(self.executor)
            done = self._one_by_one(task, fmt)
            self.executor = self._new(self.workers)
            for index in range(1, len(pending)):
                later = pending[index][0]
                pending[index] = (later, self.submit(later))
        pending.popleft()
        return done

    def _one_by_one(self, task: tuple[list[str], bytes | None], fmt: str) -> list[Record]:
        paths, data = task
        done: list[Record] = []
        executor = self._new(1)
        try:
            for path in paths:
                given = data if path == STDIN else None
                processes: list[Any] = []
                try:
                    future = executor.submit(_task, [path], given)
                    # The worker exists once submit returns (it is started on demand); read
                    # now, since a pool that breaks forgets its processes, and with them the
                    # signal that ended the worker.
                    processes = list((getattr(executor, "_processes", None) or {}).values())
                    done.extend(future.result())
                except BrokenProcessPool:
                    processes += list((getattr(executor, "_processes", None) or {}).values())
                    done.append(_died(path, fmt, processes))
                    _kill(executor)
                    executor = self._new(1)
        finally:
            _kill(executor)
        return done

    def stop(self) -> None:
        _kill(self.executor)


def _died(source: str, fmt: str, processes: list[Any]) -> Record:
    """The error record of a case whose worker died while evaluating it."""
    how = "stopped"
    for process in processes:
        process.join(_JOIN_SECONDS)  # dead already; on a busy machine the reaping can lag
        code = process.exitcode
        # The pool's own thread reaps the same process at the same moment; the loser of that
        # race reads "no status" once, while the winner records the real one a moment later.
        deadline = time.monotonic() + _JOIN_SECONDS
        while code is None and time.monotonic() < deadline:
            time.sleep(0.01)
            code = process.exitcode
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                how = f"was killed by {signal.Signals(-code).name}"
        elif code:
            how = f"exited with code {code}"
    name = STDIN_NAME if source == STDIN else source
    problem = Problem(
        Location(name),
        f"the worker process evaluating this case {how}; the case was not evaluated "
        "(the other cases were)",
        code="P102",
    )
    outcome = CaseOutcome(name, Status.ERROR, error=InputError(problem))
    return Record.of(outcome, reporter("run", fmt).render(outcome))


def _kill(executor: ProcessPoolExecutor) -> None:
    """Stop a pool now: its workers are killed, not asked, so nothing outlives the run.

    A worker killed while sending its result leaves half a message in the result pipe, and
    the pool's own thread then waits for the rest; that pipe's last writer is this process,
    so it would wait forever, and so would `shutdown` and the interpreter's exit, which join
    that thread. Once the workers are gone this process closes its end too: the thread reads
    end-of-file, declares the pool broken and ends. Every wait here is bounded.
    """
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError):
            process.kill()
    for process in processes:
        process.join(_JOIN_SECONDS)
    results = getattr(executor, "_result_queue", None)
    writer = getattr(results, "_writer", None)
    if writer is not None:
        with contextlib.suppress(OSError):
            writer.close()
    executor.shutdown(wait=False, cancel_futures=True)
    thread = getattr(executor, "_executor_manager_thread", None)
    if thread is not None:
        thread.join(_JOIN_SECONDS)


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
    writer = reporter("run", fmt)(out)
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
