"""`triage coverage`: what a case corpus exercises, with exact figures on a small corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.cli import main

from .conftest import CASES
from .test_explain import write_base, write_case

# Over the small base of test_explain (8 rules, 7 questions, 5 recommendations):
# a-sore fires soreness, core, reassure-doms and gets plank and reassure;
# b-saddle fires saddle and gets call_emergency; c-quiet fires nothing.
SORE = {"pain_location": "lower_back_both_sides", "days_since_onset": 2, "trains_core": False}
SADDLE = {"saddle_numbness": True}
QUIET = {"trains_core": True, "fever_or_unwell": False}


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_base(tmp_path / "rules")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    (folder / "more").mkdir(parents=True)
    write_case(folder / "a-sore.yaml", SORE)
    write_case(folder / "more" / "b-saddle.yaml", SADDLE)
    write_case(folder / "c-quiet.yaml", QUIET)
    return folder


def coverage(runner, base: Path, *args: str):
    return runner.invoke(main, ["coverage", "--rules", str(base), *args])


def test_counts_and_percentages_are_exact(runner, base: Path, corpus: Path) -> None:
    result = coverage(runner, base, str(corpus), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["cases"] == {"evaluated": 3, "errors": 0}
    per_rule = {row["rule"]: row["cases"] for row in data["rules"]["cases_per_rule"]}
    assert per_rule == {
        "saddle": 1,
        "fever": 0,
        "soreness": 1,
        "slow-recovery": 0,
        "core": 1,
        "screen": 0,
        "reassure-doms": 1,
        "refer": 0,
    }
    sore = next(r for r in data["rules"]["cases_per_rule"] if r["rule"] == "soreness")
    assert sore["case_files"] == [str(corpus / "a-sore.yaml")]
    rules = data["rules"]
    assert (rules["covered"], rules["total"], rules["percent"]) == (4, 8, 50.0)
    assert rules["missed"] == ["fever", "slow-recovery", "screen", "refer"]
    questions = data["questions"]
    assert (questions["covered"], questions["total"], questions["percent"]) == (5, 7, 71.4)
    assert questions["missed"] == ["sbst_a", "sbst_b"]
    assert questions["cases_per_question"]["trains_core"] == 2
    recs = data["recommendations"]
    assert (recs["covered"], recs["total"], recs["percent"]) == (3, 5, 60.0)
    assert recs["missed"] == ["see_gp", "physio"]
    assert data["urgencies"] == {
        "self_care": 2,
        "doctor_if_not_better": 0,
        "doctor_soon": 0,
        "emergency": 1,
    }


def test_text_report_shows_the_figures_and_what_is_missed(runner, base: Path, corpus: Path) -> None:
    result = coverage(runner, base, str(corpus))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Rules             50.0%  (4 of 8 fired by at least one case)" in out
    assert "Questions         71.4%  (5 of 7 answered in at least one case)" in out
    assert "Recommendations   60.0%  (3 of 5 given in at least one case)" in out
    assert "  1  saddle\n  0  fever\n" in out
    missed_rules = out.split("Rules no case fires (4):\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[0] for line in missed_rules] == [
        "fever",
        "slow-recovery",
        "screen",
        "refer",
    ]
    assert "rules.yaml:" in missed_rules[0]
    assert "Questions no case answers (2):\n  sbst_a\n  sbst_b" in out
    assert "Recommendations no case is given (2):\n  see_gp\n  physio" in out


def test_a_withheld_recommendation_does_not_count_as_given(runner, base: Path, tmp_path: Path):
    folder = tmp_path / "cases"
    folder.mkdir()
    # Fever produces see_gp; saddle makes the result an emergency, so see_gp is held back.
    write_case(folder / "x.yaml", {"saddle_numbness": True, "fever_or_unwell": True})
    data = json.loads(coverage(runner, base, str(folder), "--format", "json").output)
    assert data["recommendations"]["cases_per_recommendation"]["see_gp"] == 0
    assert data["recommendations"]["cases_per_recommendation"]["call_emergency"] == 1


@pytest.mark.parametrize(
    ("threshold", "code"), [("50", 0), ("49.9", 0), ("50.1", 1), ("100", 1), ("0", 0)]
)
def test_fail_under_compares_rule_coverage(
    runner, base: Path, corpus: Path, threshold: str, code: int
) -> None:
    result = coverage(runner, base, str(corpus), "--fail-under", threshold)
    assert result.exit_code == code, result.output
    if code:
        assert f"below --fail-under {float(threshold):g}%" in result.output


def test_fail_under_rejects_a_percentage_out_of_range(runner, base: Path, corpus: Path) -> None:
    result = coverage(runner, base, str(corpus), "--fail-under", "150")
    assert result.exit_code == 2


def test_a_malformed_case_is_reported_and_the_others_still_count(
    runner, base: Path, corpus: Path
) -> None:
    bad = corpus / "d-bad.yaml"
    bad.write_text("answers:\n  saddle_numbness: maybe\n", encoding="utf-8")
    result = coverage(runner, base, str(corpus), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["cases"] == {"evaluated": 3, "errors": 1}
    assert data["rules"]["covered"] == 4
    (error,) = data["errors"]
    assert error["case"] == str(bad)
    assert error["errors"][0]["location"].startswith(f"{bad}:2:")

    text = coverage(runner, base, str(corpus), "--fail-under", "90")
    assert text.exit_code == 2, "a malformed case outranks low coverage"
    assert f"ERROR     {bad}:2:" in text.output
    assert "3 case(s) evaluated, 1 malformed" in text.output


def test_missing_path_exits_2(runner, base: Path, tmp_path: Path) -> None:
    result = coverage(runner, base, str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_shipped_corpus_fires_its_rules_and_reports_consistent_figures(runner, kb) -> None:
    result = runner.invoke(main, ["coverage", str(CASES), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    case_count = len(list(CASES.rglob("*.yaml")))
    assert data["cases"]["evaluated"] == case_count
    per_rule = data["rules"]["cases_per_rule"]
    assert [row["rule"] for row in per_rule] == [rule.id for rule in kb.rules]
    assert all(0 <= row["cases"] <= case_count for row in per_rule)
    fired = sum(1 for row in per_rule if row["cases"])
    assert data["rules"]["covered"] == fired
    assert data["rules"]["percent"] == round(100 * fired / len(kb.rules), 1)
    assert sum(data["urgencies"].values()) == case_count
