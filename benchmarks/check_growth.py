"""How long `triage check` takes as a knowledge base grows in rules and in questions.

Synthetic bases are built in the shape of the shipped one: red-flag rules (any of a few
warning signs: emergency or doctor_soon), symptom patterns that conclude findings and the
rules that read them, screening scores, and many training rules, with the shipped kinds of
invariants. The same seed gives the same bases, so figures are comparable run to run.

    uv run python benchmarks/check_growth.py            # both series
    uv run python benchmarks/check_growth.py --quick    # smaller sizes
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage.loader import load_knowledge  # noqa: E402
from triage.verify import check_knowledge  # noqa: E402
from triage.verify.anomalies import Context  # noqa: E402
from triage.verify.invariants import prove  # noqa: E402

TRAINING = [
    ("plank", "core_work"),
    ("side_plank", "core_work"),
    ("hip_mobility", "mobility_stretching"),
    ("ankle_mobility", "mobility_stretching"),
    ("neutral_spine", "fix_technique"),
    ("brace_cue", "fix_technique"),
    ("box_depth", "reduce_depth"),
    ("goblet_squat", "variant_swap"),
    ("front_squat", "variant_swap"),
    ("reduce_load", "lower_load"),
    ("deload_week", "lower_load"),
    ("return_plan", "gradual_return"),
]


def build(n_rules: int, n_facts: int, seed: int = 7) -> dict[str, Any]:
    """The YAML documents of one synthetic base, as Python data."""
    rnd = random.Random(seed)
    n_flags = max(3, n_facts // 6)
    n_enums = max(2, n_facts // 8)
    n_ints = max(2, n_facts // 10)
    n_bools = max(2, n_facts - n_flags - n_enums - n_ints)
    questions: list[dict[str, Any]] = []
    flags = [f"flag_{i}" for i in range(n_flags)]
    enums = [f"choice_{i}" for i in range(n_enums)]
    ints = [f"number_{i}" for i in range(n_ints)]
    bools = [f"sign_{i}" for i in range(n_bools)]
    base = {"help": "h", "why": "w"}
    questions += [
        {"id": f, "group": "red_flag", "type": "bool", "prompt": f, **base} for f in flags
    ]
    enum_values = {f: [f"v{j}" for j in range(rnd.randint(3, 6))] for f in enums}
    questions += [
        {"id": f, "group": "pain", "type": "enum", "values": enum_values[f], "prompt": f, **base}
        for f in enums
    ]
    questions += [
        {"id": f, "group": "pain", "type": "integer", "min": 0, "max": 100, "prompt": f, **base}
        for f in ints
    ]
    questions += [
        {"id": f, "group": "form", "type": "bool", "prompt": f, **base} for f in bools
    ]

    recs: list[dict[str, Any]] = [
        {"id": "call_emergency", "category": "emergency_care"},
        {"id": "see_doctor_soon", "category": "see_doctor", "max_urgency": "doctor_soon"},
        {
            "id": "reassure",
            "category": "normal_soreness_reassurance",
            "max_urgency": "doctor_soon",
            "displaced_by": ["see_doctor", "emergency_care"],
        },
        {"id": "ease_pain", "category": "manage_pain", "max_urgency": "doctor_soon"},
        {"id": "pause", "category": "stop_squatting_for_now", "max_urgency": "doctor_soon"},
        {"id": "see_physio", "category": "see_professional", "max_urgency": "doctor_soon"},
    ]
    recs += [{"id": rid, "category": cat, "max_urgency": "doctor_soon"} for rid, cat in TRAINING]
    for rec in recs:
        rec.update(title=rec["id"], text="t", source="s")

    def test(fact: str) -> dict[str, Any]:
        if fact in enum_values:
            values = enum_values[fact]
            if rnd.random() < 0.5:
                return {"fact": fact, "is": rnd.choice(values)}
            return {"fact": fact, "in": rnd.sample(values, 2)}
        if fact in ints:
            bound = rnd.choice([3, 7, 14, 30, 65])
            return {"fact": fact, rnd.choice(["gte", "lte", "gt", "lt"]): bound}
        if rnd.random() < 0.15:
            return {"not": {"fact": fact, "is": True}}
        return {"fact": fact, "is": True}

    rules: list[dict[str, Any]] = []
    n_red = max(2, n_rules // 8)
    n_patterns = max(1, n_rules // 10)
    n_readers = max(1, n_rules // 8)
    n_screen = 1
    n_training = max(1, n_rules - n_red - n_patterns - n_readers - n_screen)
    flag_rules: dict[str, str] = {}
    for i in range(n_red):
        chosen = rnd.sample(flags, rnd.randint(1, min(3, len(flags))))
        emergency = i % 2 == 0
        when: dict[str, Any] = {"any": [{"fact": f, "is": True} for f in chosen]}
        if rnd.random() < 0.3:
            when = {"all": [when, test(rnd.choice(ints + enums))]}
        else:
            for f in chosen:
                flag_rules.setdefault(f, "emergency" if emergency else "doctor_soon")
        rules.append(
            {
                "id": f"red-{i}",
                "area": "red_flag",
                "when": when,
                "then": {
                    "urgency": "emergency" if emergency else "doctor_soon",
                    "recommend": ["call_emergency" if emergency else "see_doctor_soon"],
                    "findings": ["red_flag_present"],
                },
            }
        )
    for i in range(n_patterns):
        facts = rnd.sample(enums + ints + bools, 3)
        rules.append(
            {
                "id": f"pattern-{i}",
                "area": "symptoms",
                "when": {"all": [test(f) for f in facts]},
                "then": {"findings": [f"pattern_{i}"]},
            }
        )
    for i in range(n_readers):
        parts: list[dict[str, Any]] = [
            {"finding": f"pattern_{i % n_patterns}"},
            {"not": {"finding": "red_flag_present"}},
            test(rnd.choice(enums + ints)),
        ]
        reassure = i % 2 == 0
        rules.append(
            {
                "id": f"reader-{i}",
                "area": "symptoms",
                "when": {"all": parts},
                "then": {
                    "urgency": "self_care" if reassure else "doctor_if_not_better",
                    "recommend": ["reassure", "ease_pain"] if reassure else ["pause"],
                },
            }
        )
    screen = rnd.sample(bools, min(6, len(bools)))
    rules.append(
        {
            "id": "screen",
            "area": "screening",
            "when": {"at_least": max(1, len(screen) // 2), "of": [test(f) for f in screen]},
            "then": {"recommend": ["see_physio"]},
        }
    )
    for i in range(n_training):
        facts = rnd.sample(enums + ints + bools, rnd.randint(1, 3))
        items = [test(f) for f in facts]
        when = items[0] if len(items) == 1 else {rnd.choice(["all", "any"]): items}
        rules.append(
            {
                "id": f"train-{i}",
                "area": rnd.choice(["form", "depth", "load", "variant", "core"]),
                "when": when,
                "then": {"recommend": [rnd.choice(TRAINING)[0]]},
            }
        )
    for rule in rules:
        rule.update(title=rule["id"], source="s")

    invariants: list[dict[str, Any]] = [
        {
            "id": f"flag-{f.replace('_', '-')}",
            "description": f"{f} sets the urgency of its red-flag rule",
            "when": {"fact": f, "is": True},
            "require": {"urgency_at_least": level},
        }
        for f, level in sorted(flag_rules.items())
    ]
    invariants += [
        {
            "id": "no-training-in-emergency",
            "description": "no training advice in an emergency",
            "when_result": {"urgency": "emergency"},
            "require": {"excludes": ["core_work", "mobility_stretching", "gradual_return"]},
        },
        {
            "id": "no-reassurance-with-doctor",
            "description": "no reassurance next to see a doctor",
            "when_result": {"includes": ["see_doctor"]},
            "require": {"excludes": ["normal_soreness_reassurance"]},
        },
    ]
    notice = {"notice": "Not a diagnosis.", "safety_net": [{"id": "always", "text": "Watch."}]}
    return {
        "questions": {"questions": questions},
        "recommendations": {"recommendations": recs},
        "rules": {"rules": rules},
        "invariants": {"invariants": invariants},
        "notices": notice,
    }


def write(folder: Path, docs: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in docs.items():
        text = yaml.safe_dump(data, sort_keys=False, width=100)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def measure(folder: Path, repeat: int = 3) -> tuple[float, float, int, int, int, int]:
    """Best-of-`repeat` seconds for the whole check and for the invariant proofs alone."""
    kb = load_knowledge(folder)
    best_all = best_inv = float("inf")
    nodes = 0
    for _ in range(repeat):
        start = time.perf_counter()
        report = check_knowledge(kb)
        best_all = min(best_all, time.perf_counter() - start)
        nodes = report.evaluations
        start = time.perf_counter()
        prove(Context(kb))
        best_inv = min(best_inv, time.perf_counter() - start)
    return best_all, best_inv, nodes, len(kb.rules), len(kb.questions), len(kb.invariants)


def series(title: str, sizes: list[tuple[int, int]], tmp: Path) -> None:
    print(title)
    print(f"{'rules':>6} {'facts':>6} {'invs':>5} {'check s':>9} {'proofs s':>9} {'nodes':>8}")
    for n_rules, n_facts in sizes:
        folder = tmp / f"r{n_rules}-f{n_facts}"
        write(folder, build(n_rules, n_facts))
        total, proofs, nodes, rules, facts, invs = measure(folder)
        print(f"{rules:>6} {facts:>6} {invs:>5} {total:>9.3f} {proofs:>9.3f} {nodes:>8}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes only")
    args = parser.parse_args()
    shipped = measure(ROOT / "rules")
    print(
        f"shipped rules: {shipped[3]} rules, {shipped[4]} questions, {shipped[5]} invariants: "
        f"check {shipped[0]:.3f} s, proofs {shipped[1]:.3f} s, {shipped[2]} search nodes\n"
    )
    rule_sizes = [20, 50, 100, 200] if args.quick else [25, 50, 100, 200, 400, 800]
    fact_sizes = [20, 43, 86] if args.quick else [22, 43, 86, 172, 344]
    with tempfile.TemporaryDirectory() as tmp:
        series("growing the rules (43 facts):", [(n, 43) for n in rule_sizes], Path(tmp))
        series("growing the facts (100 rules):", [(100, n) for n in fact_sizes], Path(tmp))


if __name__ == "__main__":
    main()
