"""Screens answered per interview: the case corpus and the benchmark's generated cases.

A screen is one question or one checklist. Each case is replayed as `triage ask --answers`
replays it; the figures are the ones the README quotes.

    uv run python benchmarks/screens.py [--generated N] [--seed S]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import realistic_answers

from triage.files.cases import read_case
from triage.files.loader import load_knowledge
from triage.interview import replay

ROOT = Path(__file__).resolve().parent.parent
ORDINARY = ("training_soreness", "strain_pattern")


def figures(counts: list[int]) -> str:
    ordered = sorted(counts)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return (
        f"{len(counts):6} interviews  median {statistics.median(counts):4g}  "
        f"p90 {p90:3}  max {ordered[-1]:3}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    kb = load_knowledge()
    import random

    stories: dict[str, list[tuple[int, bool]]] = {"case corpus": [], "generated": []}
    for path in sorted((ROOT / "cases").rglob("*.yaml")):
        interview = replay(kb, read_case(str(path), kb).answers)
        ordinary = interview.result().urgency in ("self_care", "doctor_if_not_better") and any(
            name in interview.result().findings for name in ORDINARY
        )
        stories["case corpus"].append((interview.screens, ordinary))
    rng = random.Random(args.seed)
    for _ in range(args.generated):
        interview = replay(kb, realistic_answers(kb, rng))
        result = interview.result()
        ordinary = result.urgency in ("self_care", "doctor_if_not_better") and any(
            name in result.findings for name in ORDINARY
        )
        stories["generated"].append((interview.screens, ordinary))
    print(f"Screens answered per interview ({len(kb.questions)} questions in the catalogue)")
    for name, rows in stories.items():
        print(f"{name:12} all       {figures([n for n, _ in rows])}")
        print(f"{name:12} ordinary  {figures([n for n, o in rows if o])}")


if __name__ == "__main__":
    main()
