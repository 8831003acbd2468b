"""The compiled Experta engine: chaining, urgency maximum, displacement, determinism, and the
alpha nodes it puts in place of Experta's."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import experta
import pytest
from experta.matchers.rete.check import FactCapture, FeatureCheck, TypeCheck
from experta.matchers.rete.nodes import FeatureTesterNode
from experta.matchers.rete.token import Token
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.evaluate.engine import Engine, compile_engine
from triage.evaluate.experta_patches import QuietTester, quiet_test
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.loader import load_knowledge

from .conftest import ROOT

MINI = Path(__file__).parent / "fixtures" / "mini_rules"


@pytest.fixture(scope="module")
def mini():
    kb = load_knowledge(MINI)
    return kb, Engine(kb), ReferenceEvaluator(kb)


def test_findings_chain_into_later_rules(mini) -> None:
    _, engine, _ = mini
    result = engine.evaluate(
        {"pain_location": "lower_back_both_sides", "days_since_onset": 2, "trains_core": True}
    )
    assert result.fired == ("soreness", "reassure-doms")
    assert result.findings == ("doms",)
    assert [r.id for r in result.recommendations] == ["reassure"]
    assert result.urgency == "self_care"


def test_a_negated_finding_waits_for_its_producers(mini) -> None:
    """The red flag concludes `flagged` before the reassurance rule can see it is absent."""
    _, engine, _ = mini
    result = engine.evaluate(
        {
            "pain_location": "lower_back_both_sides",
            "days_since_onset": 2,
            "trains_core": True,
            "fever_or_unwell": True,
        }
    )
    assert "reassure-doms" not in result.fired
    assert result.fired[0] == "fever"


def test_urgency_is_the_maximum_of_fired_rules(mini) -> None:
    _, engine, _ = mini
    answers = {"load_jump_percent": 20, "age": 15, "days_since_onset": 30, "trains_core": True}
    result = engine.evaluate(answers)
    assert set(result.fired) == {"jump", "lingering"}
    assert result.urgency == "doctor_soon"
    assert engine.evaluate({}).urgency == "self_care"


def test_red_flag_fires_first_and_caps_other_advice(mini) -> None:
    _, engine, _ = mini
    result = engine.evaluate({"saddle_numbness": True, "trains_core": False})
    assert result.fired[0] == "saddle"
    assert result.urgency == "emergency"
    assert [r.id for r in result.recommendations] == ["call_emergency"]
    assert {r.id for r in result.withheld} == {"plank"}


def test_reassurance_is_displaced_by_a_doctor_now(mini) -> None:
    _, engine, _ = mini
    sore = {"pain_location": "lower_back_both_sides", "days_since_onset": 2, "trains_core": True}
    assert [r.id for r in engine.evaluate(sore).recommendations] == ["reassure"]
    result = engine.evaluate({**sore, "age": 95})
    assert {"reassure-doms", "lingering"} <= set(result.fired)
    assert [r.id for r in result.recommendations] == ["see_gp"]
    assert [r.id for r in result.withheld] == ["reassure"]


def test_trace_records_the_answers_each_rule_matched(mini) -> None:
    _, engine, _ = mini
    result = engine.evaluate({"age": 60, "trains_core": True})
    (firing,) = result.trace
    assert firing.rule.id == "lingering"
    assert firing.matched == (("age", 60),)


def test_safety_net_and_notice_are_on_every_result(mini) -> None:
    _, engine, _ = mini
    calm, urgent = engine.evaluate({}), engine.evaluate({"saddle_numbness": True})
    assert calm.notice == urgent.notice == "Not a diagnosis."
    assert [i.id for i in calm.safety_net] == ["always", "low_only"]
    assert [i.id for i in urgent.safety_net] == ["always"]


def test_one_engine_is_reused_across_cases(mini) -> None:
    _, engine, _ = mini
    first = engine.evaluate({"saddle_numbness": True})
    engine.evaluate({"trains_core": False})
    again = engine.evaluate({"saddle_numbness": True})
    assert first == again


def test_engines_compiled_from_two_bases_keep_their_own_rules(mini, tmp_path: Path) -> None:
    """Each base gets its own engine class: compiling a second base, and running both in
    turn, leaves the first one's rules as they were."""
    kb, engine, _ = mini
    milder = tmp_path / "milder"
    shutil.copytree(MINI, milder)
    rules = milder / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    saddle = "then: {urgency: emergency, recommend: [call_emergency], findings: [flagged]}"
    assert text.count(saddle) == 1
    milder_saddle = "then: {urgency: doctor_soon, recommend: [see_gp], findings: [flagged]}"
    rules.write_text(text.replace(saddle, milder_saddle), encoding="utf-8")
    other_kb = load_knowledge(milder)
    other = Engine(other_kb)
    numb = {"saddle_numbness": True}
    for _ in range(2):
        assert engine.evaluate(numb).urgency == "emergency"
        assert [r.id for r in engine.evaluate(numb).recommendations] == ["call_emergency"]
        milder_result = other.evaluate(numb)
        assert milder_result.urgency == "doctor_soon"
        assert "call_emergency" not in [r.id for r in milder_result.recommendations]
        assert milder_result == ReferenceEvaluator(other_kb).evaluate(numb)
    assert Engine(kb).evaluate(numb) == engine.evaluate(numb)
    assert compile_engine(kb)().evaluate(numb).urgency == "emergency"


answer_sets = st.fixed_dictionaries(
    {},
    optional={
        "saddle_numbness": st.booleans(),
        "fever_or_unwell": st.booleans(),
        "age": st.integers(10, 100),
        "pain_location": st.sampled_from(
            ["lower_back_central", "lower_back_both_sides", "upper_back"]
        ),
        "days_since_onset": st.integers(0, 40),
        "load_jump_percent": st.floats(0, 500, allow_nan=False),
        "trains_core": st.booleans(),
    },
)


@settings(max_examples=300, deadline=None)
@given(answers=answer_sets)
def test_engine_agrees_with_the_reference(mini, answers) -> None:
    _, engine, reference = mini
    got, want = engine.evaluate(answers), reference.evaluate(answers)
    assert got.fired == want.fired
    assert got.urgency == want.urgency
    assert got.recommendations == want.recommendations


@pytest.mark.acceptance
@pytest.mark.slow
def test_json_output_is_byte_identical_under_any_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "1", "2", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "triage", "run", "cases/", "--format", "json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr.decode()
        json.loads(done.stdout)
        outputs.add(done.stdout)
    assert len(outputs) == 1


QUIET_CHECKS = [
    TypeCheck(experta.Fact),
    TypeCheck(experta.InitialFact),
    FactCapture("captured"),
    FeatureCheck("a", experta.L(1)),
    FeatureCheck("a", experta.L(2)),
    FeatureCheck("b", experta.P(lambda value: value > 1)),
    FeatureCheck("case", experta.W("case")),
    FeatureCheck("case", ~experta.W("case")),
    FeatureCheck("missing", experta.L(1)),
]
QUIET_CONTEXTS = [{}, {"case": 3}, {"case": 4}, {(False, "case"): 3}, {(False, "case"): 5}]


# Ids without memory addresses (a lambda's repr has one), so every run collects the same tests.
@pytest.mark.parametrize(
    "check", QUIET_CHECKS, ids=lambda c: re.sub(r" at 0x[0-9a-f]+", "", str(c))
)
@pytest.mark.parametrize("context", QUIET_CONTEXTS, ids=str)
def test_quiet_alpha_nodes_pass_on_what_experta_passes_on(check, context) -> None:
    """The faster alpha node lets the same tokens through, with the same bindings, as Experta's
    own, and leaves the token it received as it was."""
    fact = experta.Fact(a=1, b=2, case=3)

    def passed(node_class: type) -> list[tuple[Any, ...]]:
        node = node_class(check)
        if node_class is QuietTester:
            node.quiet_test = quiet_test(check)
        seen: list[tuple[Any, ...]] = []
        node.add_child("sink", lambda token: seen.append((token.tag, token.data, token.context)))
        token = Token.valid(fact, dict(context))
        node.activate(token)
        assert token.context == context
        return seen

    assert passed(QuietTester) == passed(FeatureTesterNode)
