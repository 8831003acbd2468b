"""`triage check` flags each kind of anomaly where it is, and leaves a clean base alone.

Each folder under fixtures/check/ is a small complete rule base built from the same clean
base plus one defect; the test names the code it must get and the item it must point at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from triage.cli import main

from .conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "check"
CLEAN = FIXTURES / "clean"


def position(path: Path, item_id: str) -> str:
    """`file:line:column` of the list item with this id, read from the file itself."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(rf"\s*- \{{?id: {re.escape(item_id)}\b", line):
            return f"{path.parent.name}/{path.name}:{number}:{line.index('-') + 3}"
    raise AssertionError(f"{item_id} not in {path}")


def check_json(runner, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(main, ["check", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


# kind -> (every code expected, the code under test, file and id of the item it points at)
ANOMALIES = {
    "contradiction": (["E101"], "E101", "rules.yaml", "impossible-window"),
    "always-fires": (["W201"], "W201", "rules.yaml", "everyone-warms-up"),
    "duplicate": (["W202"], "W202", "rules.yaml", "core-again"),
    "redundant": (["W203"], "W203", "rules.yaml", "central-pain-without-core"),
    "conflict": (["E102", "E102"], "E102", "rules.yaml", "central-is-fine"),
    "unused-finding": (["W204"], "W204", "rules.yaml", "core"),
    "finding-never-concluded": (
        ["E101", "E101", "E103"],
        "E103",
        "rules.yaml",
        "odd-pattern-advice",
    ),
    "unreachable-recommendation": (["W205", "W205"], "W205", "recommendations.yaml", "never_named"),
    "unused-question": (["W206"], "W206", "questions.yaml", "heels_lift"),
    "invariant-violated": (["E104", "E104"], "E104", "invariants.yaml", "saddle-is-emergency"),
    "vacuous-invariant": (["W208"], "W208", "invariants.yaml", "impossible-window-is-urgent"),
}


def test_the_clean_base_has_nothing_to_report_even_when_strict(runner) -> None:
    result = runner.invoke(main, ["check", "--format", "json", "--strict", str(CLEAN)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["errors"] == [] and data["warnings"] == []
    assert data["counts"] == {"questions": 5, "rules": 6, "recommendations": 5, "invariants": 4}
    assert sorted(data["proved"]) == sorted(
        [
            "saddle-is-emergency",
            "fever-needs-doctor",
            "no-training-in-emergency",
            "no-reassurance-with-doctor",
        ]
    )


@pytest.mark.parametrize("kind", sorted(ANOMALIES))
def test_each_anomaly_is_flagged_with_its_code_at_its_item(runner, kind: str) -> None:
    codes, code, filename, item = ANOMALIES[kind]
    folder = FIXTURES / kind
    exit_code, data = check_json(runner, str(folder))
    items = data["errors"] + data["warnings"]
    assert Counter(i["code"] for i in items) == Counter(codes), items
    assert exit_code == (1 if any(c.startswith("E") for c in codes) else 0)
    assert all(i["code"].startswith("E") for i in data["errors"])
    assert all(i["code"].startswith("W") for i in data["warnings"])
    where = position(folder / filename, item)
    flagged = [i for i in items if i["code"] == code and i["location"].endswith(where)]
    assert flagged, f"no {code} at {where}: {items}"
    assert all(i["message"] for i in items)


def test_a_finding_that_picks_the_result_pattern_is_in_use(runner, tmp_path: Path) -> None:
    """A finding read only by a notice pattern still changes what the lifter is told."""
    folder = tmp_path / "rules"
    shutil.copytree(FIXTURES / "unused-finding", folder)
    notices = folder / "notices.yaml"
    pattern = "patterns:\n  - {finding: no_core_work, text: It looks like a weak core.}\n"
    notices.write_text(notices.read_text(encoding="utf-8") + pattern, encoding="utf-8")
    _, data = check_json(runner, str(folder))
    assert [i["code"] for i in data["errors"] + data["warnings"]] == []


def test_a_conflict_names_both_rules_and_shows_answers_where_they_meet(runner) -> None:
    _, data = check_json(runner, str(FIXTURES / "conflict"))
    messages = {e["message"]: e for e in data["errors"]}
    doctor = next(m for m in messages if "`fever`" in m)
    assert "`central-is-fine`" in doctor and "`see_doctor_soon`" in doctor
    assert messages[doctor]["example"] == {
        "fever_or_unwell": True,
        "pain_location": "lower_back_central",
    }
    assert any("`saddle`" in m and "`call_emergency`" in m for m in messages)


def test_unreachable_recommendations_say_why(runner) -> None:
    _, data = check_json(runner, str(FIXTURES / "unreachable-recommendation"))
    text = " | ".join(w["message"] for w in data["warnings"])
    assert "`never_named` is never given: no rule recommends it" in text
    assert "`light_week` is never given: whenever a rule recommends it, it is held back" in text


def test_a_gap_comes_with_the_smallest_answers_that_get_no_advice(runner) -> None:
    _, data = check_json(runner, str(FIXTURES / "gap"))
    (gap,) = data["warnings"]
    assert gap["code"] == "W207"
    assert gap["example"] == {"trains_core": True}
    assert gap["location"].endswith("gap")


def test_a_violated_invariant_gives_a_smallest_counterexample(runner) -> None:
    _, data = check_json(runner, str(FIXTURES / "invariant-violated"))
    found = {e["location"].split("/")[-1]: e["counterexample"] for e in data["errors"]}
    folder = FIXTURES / "invariant-violated"
    saddle = position(folder / "invariants.yaml", "saddle-is-emergency").split("/")[-1]
    fever = position(folder / "invariants.yaml", "fever-needs-doctor").split("/")[-1]
    assert found == {saddle: {"saddle_numbness": True}, fever: {"fever_or_unwell": True}}
    assert sorted(data["proved"]) == ["no-reassurance-with-doctor", "no-training-in-emergency"]


def test_counterexample_files_fail_on_the_broken_rules_and_pass_on_fixed_ones(
    runner, tmp_path: Path
) -> None:
    broken = FIXTURES / "invariant-violated"
    out = tmp_path / "found"
    result = runner.invoke(main, ["check", str(broken), "--counterexamples", str(out)])
    assert result.exit_code == 1
    files = sorted(p.name for p in out.iterdir())
    assert files == ["fever-needs-doctor.yaml", "saddle-is-emergency.yaml"]
    text = (out / "saddle-is-emergency.yaml").read_text(encoding="utf-8")
    assert "saddle-is-emergency" in text.splitlines()[1]  # the title names the invariant
    assert "urgency: emergency" in text
    assert "urgency: doctor_soon" in (out / "fever-needs-doctor.yaml").read_text(encoding="utf-8")
    on_broken = runner.invoke(main, ["run", "--rules", str(broken), str(out)])
    assert on_broken.exit_code == 1
    assert on_broken.output.count("FAIL") == 2
    on_fixed = runner.invoke(main, ["run", "--rules", str(CLEAN), str(out)])
    assert on_fixed.exit_code == 0, on_fixed.output


def test_text_output_is_one_line_per_item_then_a_summary(runner) -> None:
    folder = FIXTURES / "invariant-violated"
    result = runner.invoke(main, ["check", str(folder)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    where = position(folder / "invariants.yaml", "saddle-is-emergency")
    first = next(i for i, line in enumerate(lines) if where in line)
    assert re.match(rf".*{re.escape(where)}: E104 invariant `saddle-is-emergency` ", lines[first])
    assert lines[first + 1] == "    counterexample:"
    assert lines[first + 2] == "      saddle_numbness: true"
    assert lines[-1] == (
        "2 errors, 0 warnings; 5 questions, 6 rules, 5 recommendations; 2 of 4 invariants proved"
    )


def test_warnings_fail_only_when_strict(runner) -> None:
    folder = str(FIXTURES / "unused-question")
    assert runner.invoke(main, ["check", folder]).exit_code == 0
    strict = runner.invoke(main, ["check", "--strict", folder])
    assert strict.exit_code == 1
    assert "W206 question `heels_lift`" in strict.output


@pytest.mark.parametrize(
    ("kind", "rule", "words"),
    [
        ("undefined-finding", "ghost-advice", "uses finding `ghost`, which no rule concludes"),
        ("circular-findings", "chicken", "circular findings: chicken -> egg -> chicken"),
    ],
)
def test_findings_the_loader_rejects_exit_2_with_the_rule_location(
    runner, kind: str, rule: str, words: str
) -> None:
    folder = FIXTURES / kind
    result = runner.invoke(main, ["check", str(folder)])
    assert result.exit_code == 2
    assert position(folder / "rules.yaml", rule) in result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_rules_folder_as_argument_or_option_but_not_two_different_ones(runner) -> None:
    folder = str(FIXTURES / "contradiction")
    positional = runner.invoke(main, ["check", "--format", "json", folder])
    option = runner.invoke(main, ["check", "--format", "json", "--rules", folder])
    assert positional.exit_code == option.exit_code == 1
    assert positional.output == option.output
    both = runner.invoke(main, ["check", folder, "--rules", str(CLEAN)])
    assert both.exit_code == 2
    assert "Traceback" not in both.output


@pytest.mark.acceptance
@pytest.mark.slow
def test_the_report_is_byte_identical_under_any_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "triage",
                "check",
                "--format",
                "json",
                str(FIXTURES / "conflict"),
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_a_step_numbered_by_hand_is_a_warning(runner, tmp_path) -> None:
    from .test_interview import write_tiny_rules

    rules = write_tiny_rules(tmp_path / "rules")
    recs = rules / "recommendations.yaml"
    recs.write_text(recs.read_text().replace("[Keep moving., Sleep well.]", '["1. Keep moving."]'))
    result = runner.invoke(main, ["check", str(rules)])
    assert "W209 step 1 of recommendation `reassure` starts with the number `1`" in result.output
    clean = runner.invoke(main, ["check", str(write_tiny_rules(tmp_path / "clean"))])
    assert "W209" not in clean.output
