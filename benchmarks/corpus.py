"""A seeded generator of realistic case files, for the benchmark and for trying things by hand.

"Realistic" means shaped like what trainers write: most questions answered, some left unknown,
red flags rare, numbers in the ranges lifters report rather than anywhere in the catalogue's
bounds, and an `expect` block on most cases (taken from the engine-free reference, so the
corpus passes, as a regression suite does). Nothing here is specific to one rule base: it reads
the question catalogue.

    uv run python benchmarks/corpus.py OUT_DIR [COUNT] [--seed N]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

from triage.evaluate.reference import ReferenceEvaluator
from triage.files.casefile import dump_case
from triage.files.loader import load_knowledge
from triage.model.knowledge import KnowledgeBase, Question

ANSWERED = {"red_flag": 0.85, "bool": 0.7, "enum": 0.8, "number": 0.7}
TRUE = {"red_flag": 0.03, "bool": 0.3}
TYPICAL_SPAN = 60  # wide numeric ranges (days, percent) are mostly used near their low end
WITH_EXPECT = 0.85


def realistic_value(question: Question, rng: random.Random) -> Any:
    """One plausible answer to the question (always inside its domain)."""
    if question.type == "bool":
        return rng.random() < TRUE["red_flag" if question.group == "red_flag" else "bool"]
    if question.type == "enum":
        return rng.choice(question.values)
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else low + TYPICAL_SPAN
    if high - low > TYPICAL_SPAN:
        high = low + rng.triangular(0, TYPICAL_SPAN, TYPICAL_SPAN / 6)
    value = rng.uniform(low, high)
    return round(value) if question.type == "integer" else round(value * 2) / 2


def realistic_answers(kb: KnowledgeBase, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in kb.questions.values():
        kind = question.type if question.type in ("bool", "enum") else "number"
        if question.group == "red_flag" and kind == "bool":
            kind = "red_flag"
        if rng.random() < ANSWERED[kind]:
            answers[question.id] = realistic_value(question, rng)
    return answers


def case_texts(kb: KnowledgeBase, count: int, seed: int = 0) -> list[str]:
    """`count` case file texts, the same for the same seed and rule base."""
    rng = random.Random(seed)
    reference = ReferenceEvaluator(kb)
    texts = []
    for number in range(count):
        answers = realistic_answers(kb, rng)
        expect = None
        if rng.random() < WITH_EXPECT:
            result = reference.evaluate(answers)
            given = {r.category for r in result.recommendations}
            missing = sorted({r.category for r in kb.recommendations.values()} - given)
            expect = {
                "urgency": result.urgency,
                "includes": [r.id for r in result.recommendations[:2]],
                "excludes": missing[:1],
            }
        texts.append(dump_case(answers, f"Generated check-in {number}", expect))
    return texts


def write_corpus(kb: KnowledgeBase, folder: Path, count: int, seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, text in enumerate(case_texts(kb, count, seed)):
        path = folder / f"case-{number:06d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rules", type=Path, default=None)
    args = parser.parse_args()
    kb = load_knowledge(args.rules)
    paths = write_corpus(kb, args.out, args.count, args.seed)
    print(f"{len(paths)} case files in {args.out}")


if __name__ == "__main__":
    main()
