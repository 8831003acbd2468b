"""`check` never proves what is false, however close the thresholds of the rules lie.

The proofs try one value per piece of a fact's domain cut by the rules' constants. Here the
verdicts are compared with brute force over a grid of values chosen independently of that
cut (every multiple of 0.05 for a number, every whole number for an integer), on small
generated rule bases whose thresholds are multiples of 0.1 (days: of 0.5), often adjacent. Every
interval between two such thresholds holds a grid value, so the grid sees every behaviour.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.cli import main
from triage.evaluate.answer_space import representatives
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.loader import load_knowledge
from triage.model.conditions import FactTest
from triage.model.knowledge import Question
from triage.model.vocabulary import URGENCY_RANK
from triage.tools.verify import check_knowledge

ROOT = Path(__file__).resolve().parent.parent
URGENCIES = list(URGENCY_RANK)
HEAD = """\
questions:
  - {id: effort, group: lifter, type: number, min: 0, max: 10, prompt: p, help: h, why: w}
  - {id: days, group: pain, type: integer, min: 0, max: 20, prompt: p, help: h, why: w}
"""
RECS = """\
recommendations:
  - {id: rest, category: manage_pain, title: Rest, text: t, source: s}
"""
NOTICE = "notice: n\nsafety_net:\n  - {id: always, text: t}\n"

# Thresholds cluster, as real ones do around a clinical cut-off: most intervals between them
# are narrower than any fixed step a search could take.
thresholds = st.one_of(
    st.sampled_from([0.0, 6.9, 7.0, 7.1, 7.2, 7.3, 10.0]),
    st.integers(0, 100).map(lambda tenth: round(tenth / 10, 1)),
)
day_bounds = st.one_of(
    st.sampled_from([0, 3, 3.5, 4, 7, 7.5, 8, 20]), st.integers(0, 40).map(lambda h: h / 2)
)
tests_ = st.one_of(
    st.tuples(st.just("effort"), st.sampled_from(["gt", "gte", "lt", "lte"]), thresholds),
    st.tuples(st.just("days"), st.sampled_from(["gt", "gte", "lt", "lte"]), day_bounds),
)


@st.composite
def bands(draw) -> list[tuple[str, str, float]]:
    """Two tests on one fact a step or two of the grid apart: the narrow band."""
    fact = draw(st.sampled_from(["effort", "days"]))
    unit = 0.1 if fact == "effort" else 0.5
    low = draw(st.integers(0, 90 if fact == "effort" else 36)) * unit
    high = low + draw(st.integers(1, 4)) * unit
    return [
        (fact, draw(st.sampled_from(["gt", "gte"])), round(low, 1)),
        (fact, draw(st.sampled_from(["lt", "lte"])), round(high, 1)),
    ]


conditions_ = st.lists(st.one_of(tests_.map(lambda t: [t]), bands()), min_size=1, max_size=2).map(
    lambda parts: [test for part in parts for test in part]
)
rules_ = st.lists(
    st.tuples(conditions_, st.sampled_from(URGENCIES)),
    min_size=1,
    max_size=4,
)
invariants_ = st.lists(
    st.tuples(
        tests_, st.sampled_from(["urgency_at_most", "urgency_at_least"]), st.sampled_from(URGENCIES)
    ),
    min_size=1,
    max_size=3,
)


def _test_yaml(test: tuple[str, str, float]) -> str:
    fact, op, value = test
    return f"{{fact: {fact}, {op}: {value}}}"


def write_base(folder: Path, rules: list, invariants: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "questions.yaml").write_text(HEAD)
    (folder / "recommendations.yaml").write_text(RECS)
    (folder / "notices.yaml").write_text(NOTICE)
    lines = ["rules:"]
    for number, (tests, urgency) in enumerate(rules):
        conditions = ", ".join(_test_yaml(t) for t in tests)
        lines += [
            f"  - id: r{number}",
            "    area: symptoms",
            "    title: t",
            f"    when: {{all: [{conditions}]}}",
            f"    then: {{urgency: {urgency}, recommend: [rest]}}",
            "    source: s",
        ]
    (folder / "rules.yaml").write_text("\n".join(lines) + "\n")
    lines = ["invariants:"]
    for number, (test, kind, urgency) in enumerate(invariants):
        lines += [
            f"  - id: i{number}",
            "    description: d",
            f"    when: {_test_yaml(test)}",
            f"    require: {{{kind}: {urgency}}}",
        ]
    (folder / "invariants.yaml").write_text("\n".join(lines) + "\n")


GRID: list[dict[str, Any]] = [
    {name: value for name, value in (("effort", effort), ("days", days)) if value is not None}
    for effort in [None, *(round(i * 0.05, 2) for i in range(201))]
    for days in [None, *range(21)]
]


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rules=rules_, invariants=invariants_)
def test_check_agrees_with_brute_force_on_a_fine_grid(tmp_path_factory, rules, invariants) -> None:
    folder = tmp_path_factory.mktemp("base")
    write_base(folder, rules, invariants)
    kb = load_knowledge(folder)
    report = check_knowledge(kb).as_dict()
    reference = ReferenceEvaluator(kb)
    results = [(answers, reference.evaluate(answers)) for answers in GRID]
    fired = set().union(*(set(result.fired) for _, result in results))
    never = {rule.id for rule in kb.rules} - fired
    reported_never = {e["message"].split("`")[1] for e in report["errors"] if e["code"] == "E101"}
    assert reported_never == never
    broken = set()
    for inv in kb.invariants:
        for answers, result in results:
            if not inv.when.compile()(answers, set(result.findings)):
                continue
            rank, bound = (
                URGENCY_RANK[result.urgency],
                URGENCY_RANK[inv.require.urgency_at_most or inv.require.urgency_at_least],
            )
            ok = rank <= bound if inv.require.urgency_at_most else rank >= bound
            if not ok:
                broken.add(inv.id)
                break
    assert set(report["proved"]) == {inv.id for inv in kb.invariants} - broken


def test_a_value_inside_every_interval_however_narrow() -> None:
    question = Question(
        id="rpe", prompt="p", type="number", group="g", help="h", why="w", location=None,
        min=1, max=10,
    )  # fmt: skip
    tests = [FactTest("rpe", "gt", 7.0), FactTest("rpe", "lt", 7.2), FactTest("rpe", "gt", 7.2)]
    values = representatives(question, tests)[:-1]
    assert any(7.0 < v < 7.2 for v in values)
    close = [FactTest("rpe", "gt", 7.0), FactTest("rpe", "lt", 7.0000001)]
    assert any(7.0 < v < 7.0000001 for v in representatives(question, close)[:-1])


def test_the_number_of_values_depends_on_the_thresholds_not_their_spacing() -> None:
    question = Question(
        id="n", prompt="p", type="integer", group="g", help="h", why="w", location=None,
        min=0, max=10**9,
    )  # fmt: skip
    for spacing in (1, 3, 1000, 10**6):
        tests = [FactTest("n", "gte", k * spacing) for k in range(1, 6)]
        assert len(representatives(question, tests)) <= 2 * 5 + 3


@pytest.mark.slow
@pytest.mark.acceptance
def test_the_narrow_band_rule_fires_and_breaks_the_invariant_it_should(tmp_path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with (rules / "load.yaml").open("a") as handle:
        handle.write(
            "  - id: narrow-band\n    area: load\n    title: A narrow band of effort\n"
            "    when: {all: [{fact: rpe_top_set, gt: 7.0}, {fact: rpe_top_set, lt: 7.2}]}\n"
            "    then: {urgency: doctor_soon}\n    source: s\n"
        )
    result = CliRunner().invoke(main, ["check", str(rules)])
    assert result.exit_code == 1
    assert "narrow-band` can never fire" not in result.output
    assert "E104" in result.output and "rpe_top_set: 7.1" in result.output


@pytest.mark.parametrize("bound", [".nan", ".inf", "-.inf", "1e999"])
@pytest.mark.acceptance
def test_nan_or_infinite_bounds_in_rules_are_errors(tmp_path, bound) -> None:
    rules = tmp_path / "rules"
    write_base(
        rules,
        [([("effort", "gt", 1.0)], "self_care")],
        [(("days", "gt", 1), "urgency_at_most", "emergency")],
    )
    text = (rules / "rules.yaml").read_text().replace("gt: 1.0", f"gt: {bound}")
    (rules / "rules.yaml").write_text(text)
    result = CliRunner().invoke(main, ["check", str(rules)])
    assert result.exit_code == 2
    assert "rules.yaml:5:" in result.output and "finite" in result.output


@pytest.mark.acceptance
def test_max_seconds_reports_what_was_proved_and_what_was_not(tmp_path, kb) -> None:
    result = CliRunner().invoke(main, ["check", "--max-seconds", "0.001", "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["unfinished"]
    proved_or_not = len(data["proved"]) + sum(u.startswith("invariant") for u in data["unfinished"])
    assert proved_or_not == len(kb.invariants)
    clean = str(ROOT / "tests" / "fixtures" / "check" / "clean")
    full = CliRunner().invoke(main, ["check", clean, "--max-seconds", "600"])
    assert full.exit_code == 0 and "not finished" not in full.output


def test_enumerated_grid_is_what_the_docstring_says() -> None:
    assert len(GRID) == 202 * 22
    assert all(set(a) <= {"effort", "days"} for a in itertools.islice(GRID, 50))
