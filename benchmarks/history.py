"""How long the history takes: one save, reading a long history, and `triage history`.

    uv run python benchmarks/history.py [--checkins N]

Prints each figure; nothing is asserted (the suite has no timed tests).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from triage.files.history import History, NewCheckIn

ROOT = Path(__file__).resolve().parent.parent


def checkin(on: date, n: int) -> NewCheckIn:
    return NewCheckIn(
        on=on,
        answers={
            "severity_0_10": n % 11,
            "pain_trend": "stable",
            "age": 30,
            "experience": "beginner",
        },
        asked=tuple(f"q{i}" for i in range(18)),
        urgency="doctor_if_not_better",
        recommendations=tuple(f"rec{i}" for i in range(15)),
        fired=tuple(f"rule{i}" for i in range(12)),
        findings=("strain_pattern",),
        kb_version="sha256:0123456789abcdef",
        recheck_on=on + timedelta(days=7),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkins", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite3"
        start = date(2020, 1, 1)
        times = []
        episode = None
        for n in range(args.checkins):
            began = time.perf_counter()
            with History.open(path) as store:  # as `triage ask` does: open, save, close
                if n % 4 == 0:
                    episode = None
                episode, _ = store.save(
                    checkin(start + timedelta(days=n), n), episode_id=episode, onset=(start, True)
                )
            times.append(time.perf_counter() - began)
        times.sort()
        print(f"save one check-in (open, migrate check, transaction, close), {len(times)} saves:")
        print(
            f"  median {statistics.median(times) * 1000:.2f} ms, "
            f"95th percentile {times[int(len(times) * 0.95)] * 1000:.2f} ms"
        )
        print(f"  file size {path.stat().st_size / 1024:.0f} KiB for {args.checkins} check-ins")
        began = time.perf_counter()
        with History.open(path) as store:
            episodes = store.episodes()
        print(f"read all {len(episodes)} episodes: {(time.perf_counter() - began) * 1000:.1f} ms")
        env = dict(os.environ, TRIAGE_HISTORY=str(path))
        for fmt in ("text", "json"):
            began = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "triage", "history", "--format", fmt],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                check=True,
            )
            print(
                f"triage history --format {fmt} (a new process): "
                f"{time.perf_counter() - began:.2f} s"
            )


if __name__ == "__main__":
    main()
