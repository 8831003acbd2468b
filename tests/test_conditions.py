"""Each operator of the condition language, in two- and three-valued evaluation."""

from __future__ import annotations

import pytest

from triage.model.conditions import (
    MAYBE,
    All,
    AnyOf,
    AtLeast,
    Constant,
    FactTest,
    FindingRef,
    Not,
    render,
    with_findings,
)

NONE: frozenset[str] = frozenset()


def holds(cond, answers, findings=NONE) -> bool:
    return cond.compile()(answers, findings)


@pytest.mark.parametrize(
    ("test", "answers", "expected"),
    [
        (FactTest("x", "is", True), {"x": True}, True),
        (FactTest("x", "is", True), {"x": False}, False),
        (FactTest("x", "is", True), {}, False),
        (FactTest("x", "is", False), {"x": 0}, False),  # a number never equals a yes/no
        (FactTest("x", "is", 1), {"x": True}, False),
        (FactTest("x", "is", "heavy"), {"x": "heavy"}, True),
        (FactTest("x", "in", frozenset({"a", "b"})), {"x": "b"}, True),
        (FactTest("x", "in", frozenset({"a", "b"})), {"x": "c"}, False),
        (FactTest("x", "in", frozenset({"a", "b"})), {}, False),
        (FactTest("n", "gt", 10), {"n": 10}, False),
        (FactTest("n", "gt", 10), {"n": 10.5}, True),
        (FactTest("n", "gte", 10), {"n": 10}, True),
        (FactTest("n", "lt", 10), {"n": 9}, True),
        (FactTest("n", "lte", 10), {"n": 11}, False),
        (FactTest("n", "lt", 10), {}, False),  # unknown fails every comparison
        (FactTest("n", "unknown"), {}, True),
        (FactTest("n", "unknown"), {"n": 3}, False),
        (FactTest("n", "known"), {"n": 3}, True),
    ],
)
def test_fact_tests(test, answers, expected) -> None:
    assert holds(test, answers) is expected
    assert test.tri(answers, (), {}) is expected


def test_all_any_not_and_at_least() -> None:
    a, b, c = (FactTest(x, "is", True) for x in "abc")
    answers = {"a": True, "b": False, "c": True}
    assert holds(All((a, c)), answers) and not holds(All((a, b)), answers)
    assert holds(AnyOf((b, c)), answers) and not holds(AnyOf((b,)), answers)
    assert holds(Not(b), answers) and not holds(Not(a), answers)
    assert holds(AtLeast(2, (a, b, c)), answers) and not holds(AtLeast(3, (a, b, c)), answers)


def test_not_of_an_unknown_answer_holds() -> None:
    """`not x = yes` is true when x is unknown: rules use it to treat unknown as not reassuring."""
    assert holds(Not(FactTest("x", "is", True)), {})


def test_findings_are_read_from_the_finding_set() -> None:
    assert holds(FindingRef("doms"), {}, frozenset({"doms"}))
    assert not holds(FindingRef("doms"), {})


def test_three_valued_evaluation_over_pending_facts() -> None:
    a, b = FactTest("a", "is", True), FactTest("b", "is", True)
    pending = {"b"}
    assert All((a, b)).tri({"a": True}, pending, {}) is MAYBE
    assert All((a, b)).tri({"a": False}, pending, {}) is False
    assert AnyOf((a, b)).tri({"a": True}, pending, {}) is True
    assert Not(b).tri({}, pending, {}) is MAYBE
    assert AtLeast(1, (a, b)).tri({"a": False}, pending, {}) is MAYBE
    assert AtLeast(2, (a, b)).tri({"a": False}, pending, {}) is False
    assert FindingRef("f").tri({}, (), {"f": MAYBE}) is MAYBE


def test_pending_facts_come_in_reading_order_and_skip_decided_parts() -> None:
    cond = All((FactTest("jump", "is", True), FactTest("percent", "gt", 10)))
    pending = {"jump", "percent"}
    assert list(cond.pending_facts({}, pending, {})) == ["jump", "percent"]
    assert list(cond.pending_facts({"jump": False}, pending - {"jump"}, {})) == []


def test_with_findings_specialises_and_simplifies() -> None:
    x = FactTest("x", "is", True)
    cond = All((FindingRef("f"), Not(FindingRef("g")), x))
    assert with_findings(cond, {"f": True, "g": False}) == x
    assert with_findings(cond, {"f": False, "g": False}) == Constant(False)
    assert with_findings(AtLeast(2, (FindingRef("f"), x)), {"f": True}) == AtLeast(1, (x,))


def test_render_reads_like_the_rule() -> None:
    cond = All((FactTest("age", "gte", 50), Not(FactTest("saddle_numbness", "is", True))))
    assert render(cond) == "(age >= 50 and not saddle_numbness = yes)"
