"""The loader rejects every kind of malformed knowledge file with a located, helpful message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from triage.files.loader import load_knowledge
from triage.model.errors import InputError

from .bounded import run_capped

MINI = Path(__file__).parent / "fixtures" / "mini_rules"


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(MINI, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(rules: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_knowledge(rules)
    return [str(p) for p in info.value.problems]


def test_the_mini_base_loads_with_locations(rules: Path) -> None:
    kb = load_knowledge(rules)
    saddle = kb.rule_by_id["saddle"]
    assert saddle.location.file.endswith("rules.yaml")
    assert (saddle.location.line, saddle.location.column) == (2, 5)
    assert kb.questions["age"].location.line == 5


def test_rules_are_ordered_red_flags_first_then_by_finding_strata(rules: Path) -> None:
    order = [rule.id for rule in load_knowledge(rules).rules]
    assert order[:2] == ["saddle", "fever"]
    assert order.index("reassure-doms") > order.index("soreness")


def test_unknown_fact_in_a_condition_suggests_the_closest(rules: Path) -> None:
    edit(rules / "rules.yaml", "fact: saddle_numbness", "fact: sadle_numbness")
    (message,) = problems_of(rules)
    assert "rules.yaml:5:18: unknown fact `sadle_numbness`" in message
    assert "did you mean `saddle_numbness`?" in message


def test_value_outside_the_domain_lists_the_allowed_values(rules: Path) -> None:
    edit(rules / "rules.yaml", "in: [lower_back_both_sides]", "in: [lower_back_both_side]")
    (message,) = problems_of(rules)
    assert "rules.yaml:19:" in message
    assert "`lower_back_both_side` is outside the domain of `pain_location`" in message
    assert "lower_back_central, lower_back_both_sides, upper_back" in message
    assert "did you mean `lower_back_both_sides`?" in message


def test_numeric_comparison_on_a_yes_no_fact_is_rejected(rules: Path) -> None:
    edit(rules / "rules.yaml", "{fact: age, lt: 20}", "{fact: trains_core, lt: 20}")
    (message,) = problems_of(rules)
    assert "`lt` needs a numeric fact; `trains_core` is bool" in message


def test_wrong_type_names_what_was_expected(rules: Path) -> None:
    edit(rules / "questions.yaml", "min: 10, max: 100", "min: ten, max: 100")
    (message,) = problems_of(rules)
    assert "questions.yaml:5:" in message
    assert "expected a number, got `ten`" in message


def test_unknown_recommendation_and_key(rules: Path) -> None:
    edit(rules / "rules.yaml", "recommend: [plank]", "recommend: [plnk]")
    edit(rules / "rules.yaml", "    source: s\n", "    sourse: s\n")
    messages = "\n".join(problems_of(rules))
    assert "unknown key `sourse`" in messages and "did you mean `source`?" in messages
    assert "missing required key `source`" in messages


def test_unknown_recommendation_id(rules: Path) -> None:
    edit(rules / "rules.yaml", "recommend: [plank]", "recommend: [plnk]")
    (message,) = problems_of(rules)
    assert "unknown recommendation id `plnk` (did you mean `plank`?)" in message


def test_duplicate_ids_point_at_the_first_definition(rules: Path) -> None:
    edit(rules / "rules.yaml", "  - id: fever\n", "  - id: saddle\n")
    (message,) = problems_of(rules)
    assert "rule `saddle` is defined twice (first at" in message
    assert "rules.yaml:2:5" in message


def test_duplicate_yaml_keys_are_errors(rules: Path) -> None:
    edit(rules / "rules.yaml", "    title: Fever\n", "    title: Fever\n    title: Again\n")
    (message,) = problems_of(rules)
    assert "duplicate key `title` (first given at line 10)" in message
    assert "rules.yaml:11:5" in message


def test_a_finding_nobody_concludes(rules: Path) -> None:
    edit(rules / "rules.yaml", "- {finding: doms}", "- {finding: domz}")
    (message,) = problems_of(rules)
    assert "uses finding `domz`, which no rule concludes (did you mean `doms`?)" in message


def test_circular_findings_are_rejected(rules: Path) -> None:
    edit(rules / "rules.yaml", "then: {findings: [doms]}", "then: {findings: [doms, x]}")
    edit(
        rules / "rules.yaml",
        "        - {fact: days_since_onset, gte: 1, lte: 7}",
        "        - {fact: days_since_onset, gte: 1, lte: 7}\n        - not: {finding: y}",
    )
    edit(
        rules / "rules.yaml",
        "then: {urgency: self_care, recommend: [reassure]}",
        "then: {urgency: self_care, recommend: [reassure], findings: [y]}",
    )
    messages = "\n".join(problems_of(rules))
    assert "circular findings: " in messages
    assert "soreness -> reassure-doms -> soreness" in messages or (
        "reassure-doms -> soreness -> reassure-doms" in messages
    )


def test_every_problem_of_an_edit_is_reported_at_once(rules: Path) -> None:
    edit(rules / "rules.yaml", "fact: saddle_numbness", "fact: sadle_numbness")
    edit(rules / "rules.yaml", "recommend: [plank]", "recommend: [plnk]")
    assert len(problems_of(rules)) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"rules: [\n", "YAML syntax error"),
        (b"", "file is empty; expected a YAML mapping"),
        (b"# only a comment\n", "file is empty"),
        (b"rules:\n  - title: caf\xe9\n", "not UTF-8 text (byte 0xe9)"),
        (b"rules: !!python/object/apply:os.system [ls]\n", "YAML tag `!!python/object"),
        (b"- a list\n", "expected a mapping at the top of the file"),
        (b"rulez: []\n", "did you mean `rules`?"),
    ],
)
def test_malformed_files_name_file_and_line(rules: Path, content: bytes, expected: str) -> None:
    (rules / "broken.yaml").write_bytes(content)
    messages = problems_of(rules)
    assert any(expected in m and "broken.yaml:" in m for m in messages), messages


def test_an_alias_bomb_fails_fast(rules: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append("rules: *i")
    (rules / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Expanded, the bomb is a billion values: a fresh process with a CPU cap shows it is not.
    done = run_capped(["check", str(rules)])
    assert done.returncode == 2
    assert "bomb.yaml:" in done.stderr
    assert any("bomb.yaml:" in m for m in problems_of(rules))


def test_missing_rules_directory(tmp_path: Path) -> None:
    (message,) = problems_of(tmp_path / "nowhere")
    assert "rules directory not found" in message
