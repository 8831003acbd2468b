"""The finite answer space the checker searches: a few representative values per fact.

A numeric fact matters only through the thresholds that conditions compare it with, so its
domain splits into intervals that every condition treats alike; one value per interval (the
smallest) stands for all of them. Adding "unknown" gives each fact a short list of values,
and proofs over those lists cover the whole real answer space.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from triage.model.conditions import Condition, FactTest
from triage.model.knowledge import KnowledgeBase, Question
from triage.model.values import UNKNOWN

__all__ = ["UNKNOWN"]


def fact_tests(cond: Condition) -> Iterator[FactTest]:
    if isinstance(cond, FactTest):
        yield cond
    for child in cond.children():
        yield from fact_tests(child)


def all_fact_tests(kb: KnowledgeBase) -> dict[str, list[FactTest]]:
    """Every test each fact is put to, across rules and invariants."""
    tests: dict[str, list[FactTest]] = {}
    conditions = [rule.when for rule in kb.rules]
    conditions += [inv.when for inv in kb.invariants if inv.when is not None]
    for cond in conditions:
        for test in fact_tests(cond):
            tests.setdefault(test.fact, []).append(test)
    return tests


def representatives(question: Question, tests: list[FactTest]) -> list[Any]:
    """One value per class of answers that every test treats alike, then UNKNOWN."""
    if question.type == "bool":
        return [True, False, UNKNOWN]
    if question.type == "enum":
        return [*question.values, UNKNOWN]
    step = 1 if question.type == "integer" else 0.5
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else low + 1000
    candidates = {low, high}
    for test in tests:
        refs = test.value if test.op == "in" else [test.value]
        for ref in refs:
            if isinstance(ref, int | float) and not isinstance(ref, bool):
                candidates.update((ref - step, ref, ref + step))
    chosen: dict[tuple[bool, ...], Any] = {}
    for value in sorted(c for c in candidates if low <= c <= high):
        if question.type == "integer":
            value = int(value)
        signature = tuple(
            test.holds(value) for test in tests if test.op not in ("unknown", "known")
        )
        chosen.setdefault(signature, value)
    return [*sorted(chosen.values()), UNKNOWN]


def answer_space(kb: KnowledgeBase) -> dict[str, list[Any]]:
    """Representative values for every fact in the catalogue, in catalogue order."""
    tests = all_fact_tests(kb)
    return {qid: representatives(q, tests.get(qid, [])) for qid, q in kb.questions.items()}


def _signature(value: Any, tests: list[FactTest]) -> tuple[bool, ...]:
    return tuple(test.holds(value) for test in tests)


def known_classes(question: Question, tests: list[FactTest]) -> list[Any]:
    """One answer per class that some test tells apart from "unknown" and from the others.

    Every condition reads a fact only through its tests, so two answers that pass the same
    tests give the same result everywhere; an answer that fails every test (and the fact has
    no `unknown` test) behaves exactly like leaving it unanswered. The proofs therefore try
    "unknown" plus these values and nothing else, which shrinks a bool tested only with
    `is: true` to two cases and keeps counterexamples free of answers that change nothing.
    """
    if any(test.op in ("unknown", "known") for test in tests):
        unknown_alike: tuple[bool, ...] | None = None
    else:
        unknown_alike = (False,) * len(tests)
    values = [v for v in representatives(question, tests) if v is not UNKNOWN]
    if question.type == "bool":
        values = [True, False]
    seen: set[tuple[bool, ...]] = set()
    chosen: list[Any] = []
    for value in values:
        signature = _signature(value, tests)
        if signature == unknown_alike or signature in seen:
            continue
        seen.add(signature)
        chosen.append(value)
    return chosen


def value_classes(kb: KnowledgeBase) -> dict[str, list[Any]]:
    """For each fact, the known answers worth trying besides "unknown" (maybe none)."""
    tests = all_fact_tests(kb)
    return {qid: known_classes(q, tests.get(qid, [])) for qid, q in kb.questions.items()}
