"""Where squat-triage stands on speed and memory, in one run, with the targets next to each figure.

    uv run python benchmarks/bench.py [--cases 10000] [--big 100000] [--rules DIR]

It writes a corpus of realistic case files (benchmarks/corpus.py) to a temporary folder, then
measures on those same files:

- `triage run` with 1 and 2 jobs: the function the command calls after loading the rules
  (`parallel.write_report` into `output.open_output`, json format, to a file), so the figure
  covers reading, validating, evaluating and writing, but not interpreter start-up;
- the engine and the engine-free reference on the already parsed answers (evaluation only,
  no YAML), and their ratio;
- reading the files with PyYAML alone: `yaml.load(bytes, Loader=yaml.CSafeLoader)`, the C
  loader the product's own `yamlio.StrictLoader` is built on; and the ratio of `triage run`
  (1 job) to that reading time;
- an interview step (record an answer and choose the next question) over replayed cases;
- start-up of `triage --help` and of `triage ask` up to its first question (subprocesses);
- peak memory (max RSS) of `triage run` in a subprocess, on the corpus and on a streamed
  run over `--big` cases (the corpus folder given repeatedly, jsonl to /dev/null).

Times are wall-clock; the machine may be shared, so each timed part is repeated where cheap
and the best (or the median) is shown as said on its line.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

from triage.batch.pool import write_report
from triage.evaluate.engine import Engine
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.cases import read_case
from triage.files.loader import load_knowledge
from triage.files.output import open_output

ROOT = Path(__file__).resolve().parent.parent
RSS_PROBE = """
import atexit, resource, sys
def _report():
    # VmHWM, not ru_maxrss: after fork and exec, ru_maxrss still counts the benchmark process
    # this one was forked from.
    with open("/proc/self/status") as status:
        own = next(int(row.split()[1]) for row in status if row.startswith("VmHWM"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stderr.write(f"\\nMAXRSS {own} {children}\\n")
atexit.register(_report)
from triage.cli import main
main(sys.argv[1:], prog_name="triage")
"""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def line(label: str, value: str, target: str = "", ok: bool | None = None) -> None:
    tail = f"   target {target}: {verdict(ok)}" if ok is not None else ""
    print(f"  {label:<44} {value:>16}{tail}")


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def machine() -> str:
    model = "unknown CPU"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                model = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def load() -> str:
    """The 1-minute load average: other work on a shared machine skews every figure."""
    return f"load average {os.getloadavg()[0]:.2f}"


def run_report(
    kb: Any, rules: Path | None, sources: list[str], jobs: int, out: Path, fmt: str = "text"
) -> float:
    start = time.perf_counter()
    with open_output(out) as handle:
        write_report(handle, fmt, sources, kb, jobs=jobs)
    return time.perf_counter() - start


def interview_steps(kb: Any, answer_sets: list[dict[str, Any]]) -> list[float]:
    """Seconds per step: record the answer (or "don't know"), then choose the next question."""
    from triage.interview import Interview

    steps = []
    for answers in answer_sets:
        interview = Interview(kb)
        question = interview.next_question()
        while question is not None:
            start = time.perf_counter()
            if question.id in answers:
                interview.answer(question.id, answers[question.id])
            else:
                interview.skip()
            question = interview.next_question()
            steps.append(time.perf_counter() - start)
    return steps


def first_question_seconds(kb: Any, rules: Path | None, runs: int) -> list[float]:
    import pexpect

    from triage.interview import Interview

    prompt = Interview(kb).next_question()
    assert prompt is not None
    words = prompt.prompt.split()[:3]
    pattern = r"\s+".join(map(re.escape, words))
    command = [sys.executable, "-m", "triage", "ask"] + (["--rules", str(rules)] if rules else [])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        child = pexpect.spawn(command[0], command[1:], cwd=str(ROOT), timeout=30)
        child.expect(pattern)
        times.append(time.perf_counter() - start)
        child.terminate(force=True)
    return times


def help_seconds(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "triage", "--help"],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return times


def peak_rss(args: list[str]) -> tuple[int, int, float]:
    """(peak RSS of the command's own process, of its largest worker) in KiB, and seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    seconds = time.perf_counter() - start
    last = done.stderr.decode().strip().splitlines()[-1].split()
    assert last[0] == "MAXRSS", done.stderr.decode()[-2000:]
    return int(last[1]), int(last[2]), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=100_000, help="0 skips the streamed run")
    parser.add_argument("--rules", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    kb = load_knowledge(args.rules)
    rules_args = ["--rules", str(args.rules)] if args.rules else []
    print(f"squat-triage benchmark: {machine()}, {load()}")
    print(
        f"knowledge base: {len(kb.rules)} rules, {len(kb.questions)} questions; "
        f"corpus: {args.cases} generated case files (seed {args.seed})"
    )
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        folder = Path(tmp) / "cases"
        start = time.perf_counter()
        paths = [str(p) for p in write_corpus(kb, folder, args.cases, args.seed)]
        print(f"  (corpus written in {time.perf_counter() - start:.1f} s)")
        out = Path(tmp) / "report.json"
        n = len(paths)

        print(
            "\nbatch evaluation (`triage run --output FILE` after loading the rules, best of 2; "
            f"{load()})"
        )
        timings: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(2):  # interleaved, so a passing burst of other work hits both alike
            for jobs in (1, 2):
                timings[jobs].append(run_report(kb, args.rules, paths, jobs, out))
        one, two = min(timings[1]), min(timings[2])
        one_json = run_report(kb, args.rules, paths, 1, out, "json")
        line("1 job, text (the default format)", f"{n / one:,.0f} cases/s")
        line("2 jobs, text", f"{n / two:,.0f} cases/s", ">= 1.6x 1 job", two * 1.6 <= one)
        line("  speed-up", f"{one / two:.2f}x")
        line("1 job, json (once)", f"{n / one_json:,.0f} cases/s")

        print("\nevaluation alone (answers already parsed, no YAML, same cases, best of 3)")
        answers = [read_case(p, kb).answers for p in paths]
        engine, reference = Engine(kb), ReferenceEvaluator(kb)
        engine_time = best_of(3, lambda: engine.evaluate_many(answers))
        single_time = best_of(1, lambda: [engine.evaluate(a) for a in answers])
        reference_time = best_of(3, lambda: [reference.evaluate(a) for a in answers])
        line("Experta engine, evaluate_many", f"{n / engine_time:,.0f} cases/s")
        line("Experta engine, one case per run", f"{n / single_time:,.0f} cases/s")
        line("reference evaluator", f"{n / reference_time:,.0f} cases/s")
        ratio = reference_time / engine_time
        line("engine / reference", f"1/{1 / ratio:.1f}", ">= 1/8", ratio >= 1 / 8)

        print("\nreading the same files with PyYAML (CSafeLoader, file read included, best of 3)")
        data = [Path(p) for p in paths]
        read_time = best_of(
            3, lambda: [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in data]
        )
        line("PyYAML read", f"{read_time:.2f} s")
        line(
            "triage run, 1 job / PyYAML read",
            f"{one / read_time:.2f}x",
            "<= 4x",
            one <= 4 * read_time,
        )
        line("triage run, 2 jobs / PyYAML read", f"{two / read_time:.2f}x")
        line("evaluation alone / PyYAML read", f"{engine_time / read_time:.2f}x")
        product_read = best_of(1, lambda: [read_case(p, kb) for p in paths])
        line("product reading (parse + validate) / PyYAML", f"{product_read / read_time:.2f}x")

        print("\ninteractive")
        steps = interview_steps(kb, answers[:200])
        median = statistics.median(steps)
        p95 = statistics.quantiles(steps, n=20)[-1]
        line(f"interview step, median ({len(steps)} steps)", f"{median * 1000:.2f} ms")
        line("interview step, 95th percentile", f"{p95 * 1000:.2f} ms", "< 20 ms", p95 < 0.020)
        helps = help_seconds(7)
        line(
            "`triage --help` start-up, median of 7",
            f"{statistics.median(helps):.3f} s",
            "< 0.2 s",
            statistics.median(helps) < 0.2,
        )
        firsts = first_question_seconds(kb, args.rules, 5)
        line("`triage ask` to first question, median of 5", f"{statistics.median(firsts):.3f} s")

        print(f"\npeak memory (max RSS of `triage run` in a subprocess; {load()})")
        for jobs in (1, 2):
            own, child, seconds = peak_rss(
                [
                    "run",
                    *rules_args,
                    str(folder),
                    "--format",
                    "json",
                    "--jobs",
                    str(jobs),
                    "--quiet",
                    "--output",
                    str(out),
                ]
            )
            worker = f", worker {child / 1024:.0f} MiB" if jobs > 1 else ""
            line(f"{n} cases, {jobs} job(s)", f"{own / 1024:.0f} MiB{worker}")
            line("  wall time incl. start-up", f"{seconds:.1f} s ({n / seconds:,.0f} cases/s)")
        if args.big:
            repeat = max(1, args.big // n)
            own, child, seconds = peak_rss(
                [
                    "run",
                    *rules_args,
                    *[str(folder)] * repeat,
                    "--format",
                    "jsonl",
                    "--jobs",
                    "2",
                    "--quiet",
                ]
            )
            line(
                f"{repeat * n} cases streamed, 2 jobs",
                f"{own / 1024:.0f} MiB, worker {child / 1024:.0f} MiB",
            )
            line(
                "  wall time incl. start-up",
                f"{seconds:.1f} s ({repeat * n / seconds:,.0f} cases/s)",
            )


if __name__ == "__main__":
    main()
