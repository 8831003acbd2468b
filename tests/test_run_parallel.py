"""`triage run --jobs N`: worker processes change the speed, never the report."""

from __future__ import annotations

import dataclasses
import faulthandler
import io
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from triage.batch.pool import MIN_PER_WORKER, worker_count, write_report
from triage.files.loader import load_knowledge
from triage.model.errors import WorkerError

from .conftest import ROOT

MINI = Path(__file__).parent / "fixtures" / "mini_rules"
FORMATS = ("text", "json", "jsonl", "csv", "junit")
LOCATIONS = ["lower_back_central", "lower_back_both_sides", "upper_back"]


def case_text(rng: random.Random, number: int) -> str:
    answers = {
        "saddle_numbness": rng.random() < 0.1,
        "fever_or_unwell": rng.random() < 0.1,
        "age": rng.randint(10, 100),
        "pain_location": rng.choice(LOCATIONS),
        "days_since_onset": rng.randint(0, 30),
        "trains_core": rng.random() < 0.5,
    }
    body = "".join(
        f"  {k}: {str(v).lower() if isinstance(v, bool) else v}\n" for k, v in answers.items()
    )
    expect = "expect: {urgency: self_care}\n" if number % 3 else ""
    return f"title: Check-in {number}\nanswers:\n{body}{expect}"


def write_corpus(folder: Path, count: int, bad: tuple[int, ...] = ()) -> list[str]:
    rng = random.Random(count)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"case-{number:04d}.yaml"
        text = "answers:\n  sadle_numbness: true\n" if number in bad else case_text(rng, number)
        path.write_text(text)
        paths.append(str(path))
    return paths


@pytest.fixture(scope="module")
def mini():
    return load_knowledge(MINI)


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[str]:
    return write_corpus(tmp_path_factory.mktemp("corpus"), 60, bad=(7, 41))


def report(kb, sources, fmt: str, jobs: int, stdin: bytes | None = None, **options) -> str:
    out = io.StringIO()
    write_report(
        out,
        fmt,
        sources,
        kb,
        jobs=jobs,
        stdin=io.BytesIO(stdin) if stdin is not None else None,
        **options,
    )
    return out.getvalue()


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_workers_write_the_same_report_as_one_process(mini, sources, fmt) -> None:
    alone = report(mini, sources, fmt, jobs=1)
    together = report(mini, sources, fmt, jobs=2, min_per_worker=1)  # forces the pool
    assert together == alone
    assert alone.count("case-0041.yaml") >= 1


def test_a_case_on_stdin_keeps_its_place_among_files(mini, sources) -> None:
    mixed = [*sources[:30], "-", *sources[30:]]
    stdin = b"answers: {saddle_numbness: true}\n"
    alone = report(mini, mixed, "jsonl", jobs=1, stdin=stdin)
    together = report(mini, mixed, "jsonl", jobs=2, stdin=stdin, min_per_worker=1)
    assert together == alone
    lines = together.splitlines()
    assert '"case": "<stdin>"' in lines[30] and '"urgency": "emergency"' in lines[30]


def test_malformed_cases_are_counted_and_the_others_still_run(mini, sources) -> None:
    out = io.StringIO()
    summary = write_report(out, "text", sources, mini, jobs=2, min_per_worker=1)
    assert (summary.total, summary.errors, summary.exit_code) == (60, 2, 2)
    tags = [line.split()[0] for line in out.getvalue().splitlines()[:-1] if line[0] != " "]
    problems = tags.count("FAIL") + tags.count("ERROR")
    assert set(tags[:problems]) == {"FAIL", "ERROR"}
    assert [line for line in out.getvalue().splitlines() if line.startswith("ERROR")] == [
        f"ERROR     {sources[n]}:2:3: unknown fact `sadle_numbness` (did you mean "
        "`saddle_numbness`?)"
        for n in (7, 41)
    ]


def test_workers_that_cannot_start_fail_the_run_instead_of_hanging(mini, sources) -> None:
    with pytest.raises(WorkerError, match="unknown evaluator `clips`") as caught:
        write_report(io.StringIO(), "json", sources, mini, engine="clips", jobs=2, min_per_worker=1)
    assert caught.value.code == "P101"


def test_workers_evaluate_the_knowledge_base_they_are_given_not_its_folder(mini, sources) -> None:
    """A base changed after loading (here in memory; in life, a file edited mid-run) is
    what every job count evaluates: workers never read the rules folder again."""
    rules = tuple(
        dataclasses.replace(rule, urgency="emergency") if rule.id == "fever" else rule
        for rule in mini.rules
    )
    changed = dataclasses.replace(mini, rules=rules)
    one = report(changed, sources, "jsonl", jobs=1)
    assert report(changed, sources, "jsonl", jobs=2, min_per_worker=1) == one
    assert one != report(mini, sources, "jsonl", jobs=1)


def test_small_batches_stay_in_process_and_large_ones_use_every_job() -> None:
    assert worker_count(jobs=2, cases=MIN_PER_WORKER) == 1
    assert worker_count(jobs=2, cases=2 * MIN_PER_WORKER) == 2
    assert worker_count(jobs=8, cases=3 * MIN_PER_WORKER) == 3
    assert worker_count(jobs=1, cases=10**6) == 1


@pytest.mark.acceptance
@pytest.mark.slow
def test_the_cli_report_is_byte_identical_across_hash_seeds_and_jobs(tmp_path: Path) -> None:
    """Large enough for two real workers; hash seeds and --jobs change nothing."""
    folder = tmp_path / "many"
    write_corpus(folder, 2 * MIN_PER_WORKER + 10, bad=(3,))
    runs = []
    for seed, jobs in (("0", "2"), ("1", "2"), ("2", "1")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "triage", "run", "--rules", str(MINI), str(folder)]
        command += ["--format", "json", "--jobs", jobs]
        runs.append(
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [2, 2, 2], outputs[0][1].decode()
    assert outputs[0][0] == outputs[1][0] == outputs[2][0]
    assert outputs[0][1] == b""  # no progress bar when stderr is not a terminal


def test_a_worker_that_dies_costs_its_case_not_the_batch(mini, sources, monkeypatch) -> None:
    """Workers are forked, so they inherit this patch: the one given case-0013 crashes."""
    from triage.batch import pool

    real = pool._Worker.run

    def crash_on_13(self, paths, stdin):
        if any(path.endswith("case-0013.yaml") for path in paths):
            faulthandler.disable()  # the crash is the point; pytest's stack dump is noise
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(self, paths, stdin)

    monkeypatch.setattr(pool._Worker, "run", crash_on_13)
    text = report(mini, sources, "jsonl", jobs=2, min_per_worker=1)
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["case"] for line in lines] == sources
    crashed = lines[13]
    assert crashed["status"] == "error"
    assert "killed by SIGSEGV" in crashed["errors"][0]["message"]
    assert crashed["errors"][0]["location"] == sources[13]
    others = [line for i, line in enumerate(lines) if i not in (7, 13, 41)]
    assert all(line["status"] != "error" for line in others)


@pytest.mark.slow
@pytest.mark.acceptance
def test_a_folder_run_with_the_nesting_bomb_finishes_and_reports_it(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    write_corpus(folder, 420)
    bomb = folder / "case-0200-bomb.yaml"
    bomb.write_text("title: " + "[" * 40_000 + "]" * 40_000 + "\n")
    out = tmp_path / "report.txt"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage",
            "run",
            str(folder),
            "--rules",
            str(MINI),
            "--jobs",
            "2",
            "--output",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    text = out.read_text()
    assert f"{bomb}:1:" in text and "nested more than 64 deep" in text
    assert "421 case(s)" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases", "report.txt"]
