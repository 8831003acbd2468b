"""`triage check` on the shipped rules, and on copies weakened the way a careless edit would.

The anomaly kinds are covered rule base by rule base elsewhere; these tests hold the promise a
trainer relies on: the shipped base proves every invariant, and any edit that lets a red flag
through fails with a counterexample that names the flag and replays as a failing case.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from triage.cli import main

from .conftest import RULES

pytestmark = pytest.mark.acceptance  # the shipped rules, cases or questionnaire


@pytest.fixture
def weakened(tmp_path: Path):
    """A copy of the shipped rules with one edit applied to the rule that mentions a fact."""

    def make(fact: str, edit) -> Path:
        copy = tmp_path / "rules"
        shutil.copytree(RULES, copy)
        path = copy / "red_flags.yaml"
        text = path.read_text(encoding="utf-8")
        changed = edit(text, fact)
        assert changed != text, f"the edit did not change the rule reading {fact}"
        path.write_text(changed, encoding="utf-8")
        return copy

    return make


def drop_single_sign_rule(text: str, fact: str) -> str:
    """Remove the red-flag rule whose whole condition is `fact is true`."""
    blocks = re.split(r"(?m)^(?=  - id: )", text)
    kept = [b for b in blocks if f"when: {{fact: {fact}, is: true}}" not in b]
    return "".join(kept)


def lower_urgency(text: str, fact: str) -> str:
    """Keep the rule but let it conclude `doctor_if_not_better` instead of its urgency."""
    blocks = re.split(r"(?m)^(?=  - id: )", text)
    out = []
    for block in blocks:
        if f"when: {{fact: {fact}, is: true}}" in block:
            block = re.sub(r"urgency: \w+", "urgency: doctor_if_not_better", block)
        out.append(block)
    return "".join(out)


@pytest.mark.slow
def test_the_shipped_rules_prove_every_invariant(runner) -> None:
    result = runner.invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["errors"] == []
    assert set(data["counts"]) == {"questions", "rules", "recommendations", "invariants"}
    assert data["counts"]["invariants"] >= 5
    assert len(data["proved"]) == data["counts"]["invariants"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fact", "edit"),
    # One flag per kind of edit, end to end through the CLI. That deleting or lowering any
    # urgency rule at all is caught is tests/test_mutants.py's work (68 mutants).
    [
        ("saddle_numbness", drop_single_sign_rule),
        ("bladder_or_bowel_change", lower_urgency),
    ],
)
def test_a_weakened_red_flag_fails_with_a_counterexample_naming_it(
    runner, kb, weakened, tmp_path: Path, fact: str, edit
) -> None:
    rules = weakened(fact, edit)
    out = tmp_path / "counterexamples"
    out.mkdir()
    result = runner.invoke(
        main, ["check", "--rules", str(rules), "--format", "json", "--counterexamples", str(out)]
    )
    assert result.exit_code == 1, result.output
    errors = json.loads(result.output)["errors"]
    broken = [e for e in errors if e.get("counterexample")]
    assert broken, errors
    assert any(e["counterexample"].get(fact) is True for e in broken)
    assert all(e["location"] and e["code"] and e["message"] for e in errors)

    written = sorted(out.glob("*.yaml"))
    assert written, "each counterexample is written as a case file"
    weak_run = runner.invoke(main, ["run", "--rules", str(rules), *map(str, written)])
    assert weak_run.exit_code == 1, "the counterexample fails until the rules are fixed"
    # A counterexample to an unconditional invariant states plainly what the answers must
    # give, so the shipped rules pass it; one whose invariant depends on the result itself
    # ("if see_doctor then ...") cannot say what a fixed base should give, so it is not run.
    conditional = {inv.id for inv in kb.invariants if inv.when_result is not None}
    plain = [str(p) for p in written if p.stem not in conditional]
    assert plain
    shipped_run = runner.invoke(main, ["run", *plain])
    assert shipped_run.exit_code == 0, shipped_run.output


def test_unreadable_rules_exit_2_without_a_traceback(runner, tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    (copy / "broken.yaml").write_text("rules: [\n", encoding="utf-8")
    result = runner.invoke(main, ["check", "--rules", str(copy)])
    assert result.exit_code == 2
    assert "broken.yaml:" in result.output and "YAML syntax error" in result.output
    assert "Traceback" not in result.output
