"""The proofs behind `triage check` are exhaustive, not sampled.

On the small fixture bases every combination of answers can be tried one by one (with the
plain reference evaluator), so whatever `check` proves or refutes there must agree with that
enumeration: which rules can fire, which recommendations appear, the gaps, the conflicts and
the invariants, down to the size of the smallest counterexample. On the shipped base, the
two shortcuts the search relies on are checked against random answers instead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.evaluate.answer_space import UNKNOWN, all_fact_tests, answer_space, value_classes
from triage.evaluate.partial import Conclusions, partial_outcome, rule_statuses
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.loader import load_knowledge
from triage.model.knowledge import KnowledgeBase, Outcome, Question
from triage.model.result import Result
from triage.model.vocabulary import INCOMPATIBLE_CATEGORIES, URGENCY_RANK
from triage.tools.verify import check_knowledge

FIXTURES = Path(__file__).parent / "fixtures" / "check"
REJECTED_BY_LOADER = {"undefined-finding", "circular-findings"}
LOADABLE = sorted(p.name for p in FIXTURES.iterdir() if p.name not in REJECTED_BY_LOADER)


def every_answer_set(kb: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """All combinations over the plain representatives (every enum value, every bool)."""
    space = answer_space(kb)
    facts = list(space)
    for combo in itertools.product(*(space[f] for f in facts)):
        yield {f: v for f, v in zip(facts, combo, strict=True) if v is not UNKNOWN}


def meets(result: Result, outcome: Outcome) -> bool:
    rank = URGENCY_RANK[result.urgency]
    names = result.names()
    return (
        (not outcome.urgency or result.urgency == outcome.urgency)
        and (not outcome.urgency_at_least or rank >= URGENCY_RANK[outcome.urgency_at_least])
        and (not outcome.urgency_at_most or rank <= URGENCY_RANK[outcome.urgency_at_most])
        and all(name in names for name in outcome.includes)
        and not any(name in names for name in outcome.excludes)
    )


def violated(kb: KnowledgeBase, inv_id: str, answers: Mapping[str, Any], result: Result) -> bool:
    inv = next(i for i in kb.invariants if i.id == inv_id)
    if inv.when is not None and not inv.when.compile()(answers, set(result.findings)):
        return False
    if inv.when_result is not None and not meets(result, inv.when_result):
        return False
    return not meets(result, inv.require)


def named(items: list[dict[str, Any]], code: str, kind: str) -> set[str]:
    found = set()
    for item in items:
        if item["code"] == code:
            found.add(re.search(rf"{kind} `([^`]+)`", item["message"]).group(1))
    return found


@pytest.fixture(scope="module", params=LOADABLE)
def enumerated(request) -> tuple[KnowledgeBase, dict[str, Any], list]:
    kb = load_knowledge(FIXTURES / request.param)
    reference = ReferenceEvaluator(kb)
    runs = [(answers, reference.evaluate(answers)) for answers in every_answer_set(kb)]
    return kb, check_knowledge(kb).as_dict(), runs


def test_rules_that_never_fire_or_always_fire_match_the_enumeration(enumerated) -> None:
    kb, report, runs = enumerated
    items = report["errors"] + report["warnings"]
    fired = [set(result.fired) for _, result in runs]
    never = {r.id for r in kb.rules if not any(r.id in f for f in fired)}
    always = {r.id for r in kb.rules if all(r.id in f for f in fired)}
    assert named(items, "E101", "rule") == never
    assert named(items, "W201", "rule") == always


def test_recommendations_never_given_match_the_enumeration(enumerated) -> None:
    kb, report, runs = enumerated
    given_ = {rec.id for _, result in runs for rec in result.recommendations}
    never = set(kb.recommendations) - given_
    assert named(report["warnings"], "W205", "recommendation") == never


def test_gaps_and_their_smallest_example_match_the_enumeration(enumerated) -> None:
    kb, report, runs = enumerated
    sizes = [len(answers) for answers, result in runs if not result.recommendations]
    gaps = [w for w in report["warnings"] if w["code"] == "W207"]
    if not sizes:
        assert gaps == []
        return
    (gap,) = gaps
    assert len(gap["example"]) == min(sizes)
    assert ReferenceEvaluator(kb).evaluate(gap["example"]).recommendations == ()


def test_conflicts_match_the_enumeration(enumerated) -> None:
    kb, report, runs = enumerated
    pairs = set()
    for _, result in runs:
        ids = {r.category: r.id for r in result.recommendations}
        cats = {r.category for r in result.recommendations}
        for first, second in INCOMPATIBLE_CATEGORIES:
            if first in cats and second in cats:
                pairs.add((ids[first], ids[second]))
    reported = set()
    for error in report["errors"]:
        if error["code"] == "E102":
            x, y = re.findall(r"give[s]? `([^`]+)` \(\w+\) next to `([^`]+)`", error["message"])[0]
            reported.add((x, y))
            result = ReferenceEvaluator(kb).evaluate(error["example"])
            assert {x, y} <= {r.id for r in result.recommendations}
    assert reported == pairs


def test_invariants_and_smallest_counterexamples_match_the_enumeration(enumerated) -> None:
    kb, report, runs = enumerated
    found = {
        re.search(r"invariant `([^`]+)`", e["message"]).group(1): e["counterexample"]
        for e in report["errors"]
        if e["code"] == "E104"
    }
    reference = ReferenceEvaluator(kb)
    for inv in kb.invariants:
        sizes = [len(a) for a, result in runs if violated(kb, inv.id, a, result)]
        if not sizes:
            assert inv.id in report["proved"] and inv.id not in found
            continue
        example = found[inv.id]
        assert len(example) == min(sizes)
        assert violated(kb, inv.id, example, reference.evaluate(example))


# -- the shortcuts the search takes, checked on the shipped base --------------------------


def _answer(question: Question) -> st.SearchStrategy[Any]:
    if question.type == "bool":
        return st.booleans()
    if question.type == "enum":
        return st.sampled_from(question.values)
    low = int(question.min if question.min is not None else 0)
    high = int(question.max if question.max is not None else low + 1000)
    if question.type == "integer":
        return st.integers(low, high)
    return st.integers(2 * low, 2 * high).map(lambda n: n / 2)


@st.composite
def answers_for(draw, kb: KnowledgeBase) -> dict[str, Any]:
    chosen = {}
    for qid, question in kb.questions.items():
        if draw(st.booleans()):
            chosen[qid] = draw(_answer(question))
    return chosen


SHIPPED = load_knowledge()


@pytest.mark.acceptance
@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(answers_for(SHIPPED))
def test_each_answer_acts_like_the_value_the_search_tries_for_it(answers) -> None:
    """The search tries one value per class of answers; any answer behaves like its class's."""
    tests = all_fact_tests(SHIPPED)
    classes = value_classes(SHIPPED)
    standing: dict[str, Any] = {}
    for fact, value in answers.items():
        plain = [t for t in tests.get(fact, []) if t.op not in ("unknown", "known")]
        signature = [t.holds(value) for t in plain]
        same = [v for v in classes[fact] if [t.holds(v) for t in plain] == signature]
        if same:
            standing[fact] = same[0]
        else:  # no test tells this answer from "unknown"
            assert not any(signature)
            assert not any(t.op in ("unknown", "known") for t in tests.get(fact, []))
    reference = ReferenceEvaluator(SHIPPED)
    real, stand_in = reference.evaluate(answers), reference.evaluate(standing)
    assert real.urgency == stand_in.urgency
    assert [r.id for r in real.recommendations] == [r.id for r in stand_in.recommendations]
    assert real.fired == stand_in.fired


@pytest.mark.acceptance
@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(answers_for(SHIPPED), st.sets(st.sampled_from(sorted(SHIPPED.questions))))
def test_three_valued_conclusions_bound_every_completion(answers, open_facts) -> None:
    """What the search and the interview treat as settled holds for the finished result.

    Leaving every open fact unknown is one completion of the partial answers; with nothing
    open, the three-valued conclusion must be the two-valued one of `result.conclude`.
    """
    pending = frozenset(open_facts - set(answers))
    statuses, _ = rule_statuses(SHIPPED, answers, pending)
    partial = Conclusions(SHIPPED).outcome(statuses)
    assert partial == partial_outcome(SHIPPED, answers, pending)
    result = ReferenceEvaluator(SHIPPED).evaluate(answers)
    rank = URGENCY_RANK[result.urgency]
    assert URGENCY_RANK[partial.urgency_low] <= rank <= URGENCY_RANK[partial.urgency_high]
    given_ids = {rec.id for rec in result.recommendations}
    assert {r for r, v in partial.recommendations.items() if v is True} <= given_ids
    assert not {r for r, v in partial.recommendations.items() if v is False} & given_ids
    settled = partial_outcome(SHIPPED, answers)
    assert settled.urgency_low == settled.urgency_high == result.urgency
    assert {r for r, v in settled.recommendations.items() if v} == given_ids
    assert all(v is not None for v in settled.recommendations.values())
    held = {rec.id for rec in result.withheld}
    assert {r for r, v in settled.recommendations.items() if v is False} == held
