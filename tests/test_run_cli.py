"""`triage run` as a trainer uses it: formats, exit codes, stdin, folders with a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triage.cli import main

MINI = str(Path(__file__).parent / "fixtures" / "mini_rules")

PASSING = """\
title: Sore both sides on day two
answers:
  pain_location: lower_back_both_sides
  days_since_onset: 2
  trains_core: true
expect:
  urgency: self_care
  includes: [normal_soreness_reassurance]
  excludes: [see_doctor]
"""
FAILING = """\
answers:
  saddle_numbness: true
expect:
  urgency: self_care
  includes: [plank]
"""
UNCHECKED = "answers:\n  fever_or_unwell: true\n"
BAD = "answers:\n  sadle_numbness: true\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    (folder / "nested").mkdir(parents=True)
    (folder / "a-pass.yaml").write_text(PASSING)
    (folder / "nested" / "b-unchecked.yaml").write_text(UNCHECKED)
    (folder / "notes.txt").write_text("not a case")
    return folder


def run(runner, *args: str, stdin: str | None = None):
    return runner.invoke(main, ["run", "--rules", MINI, *args], input=stdin)


def test_passing_folder_exits_0_with_a_line_per_case(runner, corpus: Path) -> None:
    result = run(runner, str(corpus))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("PASS") and "a-pass.yaml  self_care  [reassure]" in lines[0]
    assert lines[1].startswith("UNCHECKED") and "b-unchecked.yaml" in lines[1]
    assert lines[-1] == "2 case(s): 1 passed, 0 failed, 0 error(s), 1 unchecked"


def test_a_failing_case_comes_first_with_expected_versus_got(runner, corpus: Path) -> None:
    (corpus / "z-fail.yaml").write_text(FAILING)
    result = run(runner, str(corpus))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("FAIL") and "z-fail.yaml  emergency" in lines[0]
    assert "urgency: expected self_care, got emergency" in result.output
    assert "missing: plank" in result.output


def test_a_malformed_case_is_located_and_the_others_still_run(runner, corpus: Path) -> None:
    (corpus / "m-bad.yaml").write_text(BAD)
    result = run(runner, str(corpus))
    assert result.exit_code == 2
    assert "m-bad.yaml:2:3: unknown fact `sadle_numbness` (did you mean `saddle_numbness`?)" in (
        result.output
    )
    assert "PASS" in result.output and "3 case(s): 1 passed, 0 failed, 1 error(s)" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_json_has_the_contract_keys(runner, corpus: Path) -> None:
    (corpus / "m-bad.yaml").write_text(BAD)
    result = run(runner, str(corpus), "--format", "json")
    data = json.loads(result.output)
    matrix = data["summary"].pop("urgency_matrix")
    assert data["summary"] == {"total": 3, "passed": 1, "failed": 0, "errors": 1, "unchecked": 1}
    assert (matrix["checked"], matrix["under_triaged"]["count"]) == (1, 0)
    first = data["results"][0]
    assert {"case", "urgency", "recommendations", "fired", "status"} <= set(first)
    assert first["recommendations"][0].keys() >= {"id", "category", "text", "source"}
    assert first["fired"] == ["soreness", "reassure-doms"]
    bad = data["results"][1]
    assert bad["status"] == "error" and bad["errors"][0]["location"].endswith("m-bad.yaml:2:3")
    assert data["results"][2]["status"] == "unchecked"


def test_stdin_is_one_case(runner) -> None:
    result = run(runner, "-", "--format", "json", stdin=PASSING)
    assert result.exit_code == 0
    (only,) = json.loads(result.output)["results"]
    assert only["case"] == "<stdin>" and only["status"] == "pass"


def test_bad_stdin_is_reported_as_stdin(runner) -> None:
    result = run(runner, "-", stdin="answers: [\n")
    assert result.exit_code == 2
    assert "<stdin>:" in result.output and "YAML syntax error" in result.output


def test_a_missing_path_is_a_usage_error(runner, corpus: Path) -> None:
    result = run(runner, str(corpus), "no/such/folder")
    assert result.exit_code == 2
    assert "error: no/such/folder: I404 no such file or folder" in result.output


def test_broken_rules_exit_2_with_location(runner, tmp_path: Path, corpus: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for path in Path(MINI).iterdir():
        (rules / path.name).write_text(path.read_text())
    (rules / "rules.yaml").write_text((rules / "rules.yaml").read_text() + "  - id: [\n")
    result = runner.invoke(main, ["run", "--rules", str(rules), str(corpus)])
    assert result.exit_code == 2
    assert "rules.yaml:" in result.output and "YAML syntax error" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_expectation_name_is_an_error(runner, tmp_path: Path) -> None:
    case = tmp_path / "typo.yaml"
    case.write_text(PASSING.replace("[normal_soreness_reassurance]", "[normal_soreness]"))
    result = run(runner, str(case))
    assert result.exit_code == 2
    assert "typo.yaml:8:14: unknown recommendation id or category `normal_soreness`" in (
        result.output
    )


def test_reference_engine_gives_the_same_verdicts(runner, corpus: Path) -> None:
    by_engine = run(runner, str(corpus), "--format", "json")
    by_reference = run(runner, str(corpus), "--format", "json", "--engine", "reference")
    assert by_engine.output == by_reference.output
