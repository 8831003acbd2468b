"""How long `triage check` takes as the knowledge base grows in rules and in questions.

The bases are grown from the shipped one, so they keep its structure (red flags, findings
chains, `max_urgency` and `displaced_by`, invariants over urgencies and categories):

* more rules over the same questions: every rule that is not a red flag is copied k - 1
  times, each copy with its numeric thresholds moved by 1, 2, ... (so copies differ where
  they can, and the rest are duplicates, which `check` also has to prove);
* more questions: k disjoint copies of the whole base (questions, rules, findings and
  invariants renamed per copy; the recommendations are shared), so questions, rules and
  invariants all grow k-fold and the copies interact only through the result.

    uv run python benchmarks/check_growth.py           # k = 1..4 and 1..3
    uv run python benchmarks/check_growth.py --quick   # k = 1..2

Times are the best of a few runs of `check_knowledge` (loading excluded), on this machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage.files.loader import load_knowledge  # noqa: E402
from triage.tools.verify import check_knowledge  # noqa: E402

NUMERIC = ("gt", "gte", "lt", "lte")


def _shift(node: Any, by: int) -> Any:
    if isinstance(node, dict):
        return {
            key: value + by if key in NUMERIC else _shift(value, by) for key, value in node.items()
        }
    if isinstance(node, list):
        return [_shift(item, by) for item in node]
    return node


def _rename(node: Any, suffix: str) -> Any:
    if isinstance(node, dict):
        return {
            key: f"{value}{suffix}" if key in ("fact", "finding") else _rename(value, suffix)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename(item, suffix) for item in node]
    return node


def more_rules(data: dict[str, Any], k: int) -> dict[str, Any]:
    """Each non-red-flag rule k times, thresholds shifted in the copies."""
    if "rules" not in data:
        return data
    rules = []
    for rule in data["rules"]:
        rules.append(rule)
        if rule["area"] != "red_flag":
            for i in range(1, k):
                rules.append({**rule, "id": f"{rule['id']}--{i}", "when": _shift(rule["when"], i)})
    return {**data, "rules": rules}


def more_questions(data: dict[str, Any], k: int) -> dict[str, Any]:
    """k disjoint copies of the questions, rules and invariants."""
    if "questions" in data:
        items = [{**q, "id": f"{q['id']}{_suffix(i)}"} for i in range(k) for q in data["questions"]]
        return {**data, "questions": items}
    if "rules" in data:
        rules = []
        for i in range(k):
            for rule in data["rules"]:
                then = dict(rule["then"])
                if "findings" in then:
                    then["findings"] = [f"{name}{_suffix(i)}" for name in then["findings"]]
                rules.append(
                    {
                        **rule,
                        "id": f"{rule['id']}{_suffix(i, '--')}",
                        "when": _rename(rule["when"], _suffix(i)),
                        "then": then,
                    }
                )
        return {**data, "rules": rules}
    if "invariants" in data:
        invariants = []
        for i in range(k):
            for inv in data["invariants"]:
                copy = {**inv, "id": f"{inv['id']}{_suffix(i, '-')}"}
                if "when" in inv:
                    copy["when"] = _rename(inv["when"], _suffix(i))
                invariants.append(copy)
        return {**data, "invariants": invariants}
    return data


def _suffix(i: int, sep: str = "__") -> str:
    return f"{sep}{i}" if i else ""


def grow(target: Path, how: Any, k: int) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "rules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = yaml.safe_dump(how(data, k), sort_keys=False, width=100, allow_unicode=True)
        (target / path.name).write_text(text, encoding="utf-8")
    return target


def measure(folder: Path, repeat: int) -> tuple[float, int, Any, int]:
    kb = load_knowledge(folder)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        report = check_knowledge(kb)
        best = min(best, time.perf_counter() - start)
    return best, report.evaluations, kb, len(report.errors)


def series(title: str, how: Any, sizes: range, tmp: Path, repeat: int) -> None:
    print(title)
    print(f"{'k':>3} {'rules':>6} {'questions':>9} {'invariants':>10} {'seconds':>8} {'nodes':>8}")
    for k in sizes:
        folder = grow(tmp / f"{how.__name__}-{k}", how, k)
        seconds, nodes, kb, _ = measure(folder, repeat if k == 1 else 1)
        print(
            f"{k:>3} {len(kb.rules):>6} {len(kb.questions):>9} {len(kb.invariants):>10} "
            f"{seconds:>8.2f} {nodes:>8}"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="k = 1 and 2 only")
    args = parser.parse_args()
    seconds, nodes, kb, errors = measure(ROOT / "rules", repeat=3)
    print(
        f"shipped rules: {len(kb.rules)} rules, {len(kb.questions)} questions, "
        f"{len(kb.invariants)} invariants: {seconds:.2f} s, {nodes} search nodes, "
        f"{errors} errors\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        top = 2 if args.quick else 4
        series("more rules, same questions:", more_rules, range(1, top + 1), Path(tmp), 3)
        top = 2 if args.quick else 3
        series("more questions (disjoint copies):", more_questions, range(1, top + 1), Path(tmp), 3)


if __name__ == "__main__":
    main()
