"""The Experta engine decides exactly what the engine-free reference decides.

Same urgency, same fired rules in the same order, same recommendations in the same order: on
every shipped case file, and on a few thousand answer sets drawn from the question catalogue
(boundary values of every threshold, values anywhere in a domain, and unknowns), evaluated one
at a time and many per engine run.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import experta
import pytest

from triage.evaluate.answer_space import UNKNOWN, answer_space
from triage.evaluate.engine import CASES_PER_RUN, Engine, compile_engine
from triage.evaluate.reference import ReferenceEvaluator
from triage.files import yamlio
from triage.files.loader import load_knowledge
from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result

from .conftest import CASES

MINI = Path(__file__).parent / "fixtures" / "mini_rules"
GENERATED = 2000


def verdict(result: Result) -> tuple[Any, ...]:
    return result.urgency, result.fired, tuple(r.id for r in result.recommendations)


def shipped_answers(kb: KnowledgeBase) -> list[tuple[str, dict[str, Any]]]:
    """The answers of every shipped case file, whatever state its `expect` block is in."""
    found = []
    for path in sorted(CASES.rglob("*.yaml")):
        data, _ = yamlio.read(path)
        raw = (data.get("answers") or {}) if isinstance(data, dict) else {}
        answers = {
            fact: value
            for fact, value in raw.items()
            if fact in kb.questions and kb.questions[fact].accepts(value)
        }
        found.append((path.name, answers))
    return found


def generated_answers(kb: KnowledgeBase, count: int, seed: int) -> list[dict[str, Any]]:
    """Seeded answer sets: mostly threshold representatives, some free in-domain values.

    Two cases in three have no red flag (each red-flag question false or unknown), or the
    rules that only apply without one would hardly ever be reached.
    """
    rng = random.Random(seed)
    space = answer_space(kb)
    sets = []
    for _ in range(count):
        answers: dict[str, Any] = {}
        calm = rng.random() < 2 / 3
        for qid, question in kb.questions.items():
            if calm and question.group == "red_flag":
                if question.type == "bool" and rng.random() < 0.8:
                    answers[qid] = False
                continue
            if rng.random() < 0.3 and question.type in ("integer", "number"):
                low = question.min if question.min is not None else 0
                high = question.max if question.max is not None else low + 100
                value: Any = rng.uniform(low, high)
                answers[qid] = round(value) if question.type == "integer" else value
                continue
            value = rng.choice(space[qid])
            if value is not UNKNOWN:
                answers[qid] = value
        sets.append(answers)
    return sets


@pytest.fixture(scope="module")
def generated(kb: KnowledgeBase) -> list[dict[str, Any]]:
    return generated_answers(kb, GENERATED, seed=6)


@pytest.fixture(scope="module")
def oracle(kb: KnowledgeBase, generated, reference) -> list[tuple[Any, ...]]:
    return [verdict(reference.evaluate(answers)) for answers in generated]


def test_engine_agrees_with_the_reference_on_every_case_file(kb, engine, reference) -> None:
    cases = shipped_answers(kb)
    assert cases, "the shipped corpus has case files"
    for name, answers in cases:
        assert verdict(engine.evaluate(answers)) == verdict(reference.evaluate(answers)), name


@pytest.mark.slow
def test_engine_agrees_with_the_reference_on_generated_answers(engine, generated, oracle) -> None:
    got = [verdict(result) for result in engine.evaluate_many(generated)]
    mismatches = [i for i, (a, b) in enumerate(zip(got, oracle, strict=True)) if a != b]
    assert not mismatches, (generated[mismatches[0]], got[mismatches[0]], oracle[mismatches[0]])


def test_one_case_per_run_equals_many_per_run(engine, generated) -> None:
    sample = generated[: 4 * CASES_PER_RUN + 3]
    assert engine.evaluate_many(sample) == [engine.evaluate(answers) for answers in sample]


def test_the_generated_answers_reach_most_rules(kb, oracle) -> None:
    """Guards the oracle test itself: agreement on answers that fire nothing proves little."""
    fired = {rule for _, rules, _ in oracle for rule in rules}
    assert len(fired) >= 0.6 * len(kb.rules)


def test_red_flags_fire_first_and_rules_follow_the_evaluation_order(kb, engine, generated):
    position = {rule.id: i for i, rule in enumerate(kb.rules)}
    red = {rule.id for rule in kb.rules if rule.is_red_flag}
    for result in engine.evaluate_many(generated[:500]):
        order = [position[rule] for rule in result.fired]
        assert order == sorted(order)
        flags = [rule in red for rule in result.fired]
        assert flags == sorted(flags, reverse=True)


def test_every_compiled_rule_has_its_own_salience(kb) -> None:
    cls = compile_engine(kb)
    saliences = [value.salience for value in vars(cls).values() if isinstance(value, experta.Rule)]
    assert len(saliences) >= len(kb.rules)
    assert len(set(saliences)) == len(saliences)


@pytest.fixture
def flag_kb(tmp_path: Path) -> KnowledgeBase:
    """The mini base plus a rule that needs an answer and the absence of a red flag."""
    rules = tmp_path / "rules"
    shutil.copytree(MINI, rules)
    (rules / "more.yaml").write_text(
        "rules:\n"
        "  - id: plank-unless-flagged\n"
        "    area: core\n"
        "    title: Core work when nothing is alarming\n"
        "    when:\n"
        "      all:\n"
        "        - {fact: trains_core, is: false}\n"
        "        - not: {finding: flagged}\n"
        "    then: {recommend: [plank]}\n"
        "    source: s\n"
    )
    return load_knowledge(rules)


def test_a_red_flag_found_later_withdraws_an_activation_already_on_the_agenda(flag_kb) -> None:
    """The activation exists from the start (no finding yet); the red flag must remove it."""
    engine = Engine(flag_kb)
    flagged = {"saddle_numbness": True, "trains_core": False}
    calm = {"saddle_numbness": False, "trains_core": False}
    assert "plank-unless-flagged" not in engine.evaluate(flagged).fired
    assert "plank-unless-flagged" in engine.evaluate(calm).fired
    together = engine.evaluate_many([flagged, calm, flagged])
    assert ["plank-unless-flagged" in r.fired for r in together] == [False, True, False]
    reference = ReferenceEvaluator(flag_kb)
    assert [verdict(r) for r in together] == [
        verdict(reference.evaluate(a)) for a in (flagged, calm, flagged)
    ]


def test_cases_in_one_run_never_see_each_others_findings(flag_kb) -> None:
    engine = Engine(flag_kb)
    sore = {"pain_location": "lower_back_both_sides", "days_since_onset": 3, "trains_core": True}
    fever = {"fever_or_unwell": True, "trains_core": True}
    alone = [engine.evaluate(sore), engine.evaluate(fever)]
    assert engine.evaluate_many([fever, sore, fever, sore]) == [alone[1], alone[0]] * 2
    assert alone[0].fired == ("soreness", "reassure-doms")
