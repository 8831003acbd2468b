"""Every urgency the rules set is protected by a proof.

For each rule that sets an urgency above `self_care`, two mutants of the shipped rules are
made by editing the YAML of a copy: the rule deleted, and its urgency lowered by one level.
Each mutant must load and must break at least one invariant, so `triage check` fails on it:
an urgency that no invariant notices could be lost by a careless edit without anyone knowing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from triage.files.loader import load_knowledge
from triage.model.vocabulary import URGENCY_LEVELS, URGENCY_RANK
from triage.tools.verify.anomalies import Context
from triage.tools.verify.invariants import violation

from .conftest import RULES

BLOCK = re.compile(r"(?m)^(?=  - id: )")


def _blocks(text: str) -> list[str]:
    return BLOCK.split(text)


def _rule_block(text: str, rule_id: str) -> int:
    blocks = _blocks(text)
    found = [i for i, b in enumerate(blocks) if b.startswith(f"  - id: {rule_id}\n")]
    assert len(found) == 1, f"rule {rule_id} not found exactly once"
    return found[0]


def _delete(text: str, rule_id: str) -> str:
    blocks = _blocks(text)
    del blocks[_rule_block(text, rule_id)]
    return "".join(blocks)


def _lower(text: str, rule_id: str, urgency: str) -> str:
    blocks = _blocks(text)
    index = _rule_block(text, rule_id)
    lower = URGENCY_LEVELS[URGENCY_RANK[urgency] - 1]
    changed = re.sub(rf"(?m)^      urgency: {urgency}$", f"      urgency: {lower}", blocks[index])
    assert changed != blocks[index], f"urgency of {rule_id} not found"
    blocks[index] = changed
    return "".join(blocks)


def mutants() -> list[tuple[str, str, str]]:
    """(name, file, mutated text) for every delete and lower-by-one edit of an urgency rule."""
    kb = load_knowledge(RULES)
    out = []
    for rule in kb.rules:
        if not rule.urgency or URGENCY_RANK[rule.urgency] == 0:
            continue
        file = Path(rule.location.file).name
        text = (RULES / file).read_text(encoding="utf-8")
        out.append((f"delete {rule.id}", file, _delete(text, rule.id)))
        out.append((f"lower {rule.id}", file, _lower(text, rule.id, rule.urgency)))
    return out


def caught(rules: Path) -> str | None:
    """The first invariant the mutated base breaks (urgency invariants tried first), or None."""
    kb = load_knowledge(rules)
    ctx = Context(kb)
    first = [inv for inv in kb.invariants if inv.require.urgency or inv.require.urgency_at_least]
    rest = [inv for inv in kb.invariants if inv not in first]
    for inv in [*first, *rest]:
        if ctx.solver.witness(violation(inv)) is not None:
            return inv.id
    return None


@pytest.mark.slow  # proves every invariant once per mutant: about 15 s
def test_every_urgency_rule_is_protected_by_an_invariant(tmp_path: Path, capsys) -> None:
    made = mutants()
    kb = load_knowledge(RULES)
    urgent = [r for r in kb.rules if r.urgency and URGENCY_RANK[r.urgency] > 0]
    assert len(made) == 2 * len(urgent)
    survivors = []
    for name, file, text in made:
        copy = tmp_path / name.replace(" ", "-")
        shutil.copytree(RULES, copy)
        (copy / file).write_text(text, encoding="utf-8")
        if caught(copy) is None:
            survivors.append(name)
        shutil.rmtree(copy)
    with capsys.disabled():
        print(f"\nmutants of urgency rules: {len(made)} made, {len(made) - len(survivors)} caught")
    assert survivors == []


@pytest.mark.parametrize("urgency", ["emergency", "doctor_soon", "doctor_if_not_better"])
def test_the_shipped_rules_have_urgency_rules_at_each_level(urgency) -> None:
    kb = load_knowledge(RULES)
    assert any(rule.urgency == urgency for rule in kb.rules)


def test_a_mutant_that_no_invariant_notices_is_reported(tmp_path: Path) -> None:
    """The harness itself can fail: with only an unrelated invariant, a deletion goes unnoticed."""
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    only = (
        "invariants:\n"
        "  - id: no-front-squat-for-beginners\n"
        "    description: A beginner is never sent to the front squat.\n"
        "    when: {fact: experience, is: beginner}\n"
        "    require: {excludes: [front_squat]}\n"
    )
    (copy / "invariants.yaml").write_text(only, encoding="utf-8")
    text = (copy / "red_flags.yaml").read_text(encoding="utf-8")
    (copy / "red_flags.yaml").write_text(_delete(text, "serious-accident"), encoding="utf-8")
    assert caught(copy) is None
