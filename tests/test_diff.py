"""`triage diff`: the cases whose outcome moves between two rule bases, side by side."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from triage.cli import main
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.cases import read_case
from triage.files.loader import load_knowledge
from triage.model.knowledge import KnowledgeBase

from .conftest import CASES, RULES
from .test_explain import RULES_YAML, write_base, write_case


def weaken_red_flags(kb: KnowledgeBase, folder: Path, fact: str) -> KnowledgeBase:
    """Lower every emergency red-flag rule of `kb` that reads `fact` to doctor_soon, editing
    the YAML text of its copy in `folder`; returns the weakened base.

    Works on whatever the shipped rules look like: each rule's block runs from its `- id:`
    line to the next one at the same indentation.
    """
    targets = [
        rule.id
        for rule in kb.rules
        if rule.is_red_flag and rule.urgency == "emergency" and fact in set(rule.when.facts())
    ]
    assert targets, f"no emergency red-flag rule reads {fact}"
    for path in sorted(folder.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        starts = [
            (i, m.group(1), m.group(2))
            for i, line in enumerate(lines)
            if (m := re.match(r"^(\s*)- id:\s*(\S+)\s*$", line))
        ]
        for n, (start, indent, rule_id) in enumerate(starts):
            if rule_id not in targets:
                continue
            end = next((s for s, ind, _ in starts[n + 1 :] if ind == indent), len(lines))
            for i in range(start, end):
                lines[i] = re.sub(r"urgency:(\s*)emergency\b", r"urgency:\1doctor_soon", lines[i])
        path.write_text("".join(lines), encoding="utf-8")
    weakened = load_knowledge(folder)
    assert all(weakened.rule_by_id[rule_id].urgency == "doctor_soon" for rule_id in targets)
    return weakened


@pytest.fixture
def shipped_corpus(tmp_path: Path) -> Path:
    """The shipped cases plus one that answers only the red flag, so a change must show."""
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    write_case(folder / "zz-saddle-only.yaml", {"saddle_numbness": True}, title="Saddle only")
    return folder


def outcome(evaluator: ReferenceEvaluator, case_path: str) -> tuple[str, set[str]]:
    result = evaluator.evaluate(read_case(case_path, evaluator.kb).answers)
    return result.urgency, {rec.id for rec in result.recommendations}


@pytest.mark.slow
def test_weakened_red_flag_lists_the_affected_cases_before_and_after(
    runner, kb: KnowledgeBase, tmp_path: Path, shipped_corpus: Path
) -> None:
    weak = tmp_path / "weak"
    shutil.copytree(RULES, weak)
    old = ReferenceEvaluator(kb)
    new = ReferenceEvaluator(weaken_red_flags(kb, weak, "saddle_numbness"))
    args = ["diff", str(RULES), str(weak), str(shipped_corpus)]

    result = runner.invoke(main, [*args, "--format", "json", "--fail-on-change"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    cases = sorted(str(p) for p in shipped_corpus.rglob("*.yaml"))
    expected = [c for c in cases if outcome(old, c) != outcome(new, c)]
    assert [entry["case"] for entry in data["changed"]] == expected
    saddle = next(e for e in data["changed"] if e["case"].endswith("zz-saddle-only.yaml"))
    assert saddle["before"]["urgency"] == "emergency"
    assert saddle["after"]["urgency"] == "doctor_soon"
    assert saddle["title"] == "Saddle only"
    for entry in data["changed"]:
        for side, evaluator in (("before", old), ("after", new)):
            urgency, recs = outcome(evaluator, entry["case"])
            assert entry[side]["urgency"] == urgency
            assert set(entry[side]["recommendations"]) == recs
    assert data["summary"] == {
        "cases": len(cases),
        "changed": len(expected),
        "unchanged": len(cases) - len(expected),
        "errors": 0,
    }

    text = runner.invoke(main, args)
    assert text.exit_code == 0, "without --fail-on-change a change is not a failure"
    assert f"CHANGED   {shipped_corpus / 'zz-saddle-only.yaml'}  (Saddle only)" in text.output
    assert re.search(r"urgency emergency\s+\| urgency doctor_soon", text.output)
    assert f"{len(cases)} case(s): {len(expected)} changed" in text.output


def test_an_unchanged_copy_reports_no_change_and_exits_0(
    runner, tmp_path: Path, shipped_corpus: Path
) -> None:
    same = tmp_path / "same"
    shutil.copytree(RULES, same)
    result = runner.invoke(
        main, ["diff", str(RULES), str(same), str(shipped_corpus), "--fail-on-change"]
    )
    assert result.exit_code == 0, result.output
    cases = len(list(shipped_corpus.rglob("*.yaml")))
    assert result.output.strip() == f"{cases} case(s): 0 changed, {cases} unchanged, 0 error(s)"


@pytest.fixture
def bases(tmp_path: Path) -> tuple[Path, Path]:
    old = write_base(tmp_path / "old")
    new = write_base(
        tmp_path / "new",
        RULES_YAML.replace("{fact: days_since_onset, gte: 5}", "{fact: days_since_onset, gte: 3}"),
    )
    return old, new


def test_two_column_view_marks_what_goes_and_what_comes(
    runner, bases: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = bases
    cases = tmp_path / "cases"
    cases.mkdir()
    changed = write_case(
        cases / "day-four.yaml", {"pain_location": "lower_back_both_sides", "days_since_onset": 4}
    )
    write_case(
        cases / "day-one.yaml", {"pain_location": "lower_back_both_sides", "days_since_onset": 1}
    )
    result = runner.invoke(main, ["diff", str(old), str(new), str(cases)])
    assert result.exit_code == 0, result.output
    left = f"before ({old})"
    width = len(left)
    assert result.output.splitlines() == [
        f"CHANGED   {changed}",
        f"    {left} | after ({new})",
        f"    {'urgency self_care':{width}} | urgency doctor_if_not_better",
        f"    {'- reassure':{width}} | + see_gp",
        "    rules: +slow-recovery",
        "2 case(s): 1 changed, 1 unchanged, 0 error(s)",
    ]
    data = json.loads(
        runner.invoke(main, ["diff", str(old), str(new), str(cases), "--format", "json"]).output
    )
    assert data["changed"] == [
        {
            "case": str(changed),
            "before": {
                "urgency": "self_care",
                "recommendations": ["reassure"],
                "fired": ["soreness", "reassure-doms"],
            },
            "after": {
                "urgency": "doctor_if_not_better",
                "recommendations": ["see_gp"],
                "fired": ["soreness", "slow-recovery", "reassure-doms"],
            },
        }
    ]


def test_a_case_invalid_under_either_base_is_reported_and_exits_2(runner, tmp_path: Path) -> None:
    old = write_base(tmp_path / "old")
    new = write_base(tmp_path / "new")
    questions = new / "questions.yaml"
    questions.write_text(
        questions.read_text(encoding="utf-8").replace(", upper_back]", ", upper_back_only]"),
        encoding="utf-8",
    )
    cases = tmp_path / "cases"
    cases.mkdir()
    upper = write_case(cases / "upper.yaml", {"pain_location": "upper_back"})
    broken = cases / "broken.yaml"
    broken.write_text("answers: [\n", encoding="utf-8")
    write_case(cases / "fine.yaml", {"saddle_numbness": True})

    result = runner.invoke(main, ["diff", str(old), str(new), str(cases), "--fail-on-change"])
    assert result.exit_code == 2
    out = result.output
    assert f"ERROR     {upper}" in out
    assert f"{upper}:2:18: `upper_back` is outside the domain of `pain_location`" in out
    assert f"(under {new})" in out
    assert f"ERROR     {broken}" in out
    assert "(under both)" in out
    assert "3 case(s): 0 changed, 1 unchanged, 2 error(s)" in out
    assert "Traceback" not in out

    data = json.loads(
        runner.invoke(main, ["diff", str(old), str(new), str(cases), "--format", "json"]).output
    )
    by_case = {e["case"]: e["errors"] for e in data["errors"]}
    assert [err["rules"] for err in by_case[str(upper)]] == ["new"]
    assert {err["rules"] for err in by_case[str(broken)]} == {"both"}


def test_a_malformed_rule_base_exits_2(runner, tmp_path: Path) -> None:
    old = write_base(tmp_path / "old")
    new = write_base(tmp_path / "new", RULES_YAML.replace("fact: saddle_numbness", "fact: sadle"))
    result = runner.invoke(main, ["diff", str(old), str(new), str(CASES)])
    assert result.exit_code == 2
    assert "unknown fact `sadle`" in result.output
