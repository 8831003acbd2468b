"""The finite answer space the checker searches: a few representative values per fact.

A numeric fact matters only through the thresholds that conditions compare it with, so its
domain splits into intervals that every condition treats alike; one value per interval (the
smallest) stands for all of them. Adding "unknown" gives each fact a short list of values,
and proofs over those lists cover the whole real answer space.
"""

from __future__ import annotations

import itertools
import math
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
    """One value per class of answers that every test treats alike, then UNKNOWN.

    The constants the tests compare a numeric fact with (and the question's own bounds) cut
    its domain into points and the open intervals between them; every test treats all the
    values of one piece alike. So each constant is tried, plus one value strictly inside
    each interval (for integers, the first whole number past its lower end, if the interval
    holds one), however narrow the interval is: the work depends on how many constants
    there are, never on how far apart they lie.
    """
    if question.type == "bool":
        return [True, False, UNKNOWN]
    if question.type == "enum":
        return [*question.values, UNKNOWN]
    integer = question.type == "integer"
    low = question.min if question.min is not None else -math.inf
    high = question.max if question.max is not None else math.inf
    cuts: set[float] = set()
    for test in tests:
        refs = test.value if test.op == "in" else [test.value]
        for ref in refs:
            if isinstance(ref, int | float) and not isinstance(ref, bool) and low <= ref <= high:
                cuts.add(ref)
    edges = sorted(cuts | {b for b in (low, high) if math.isfinite(b)})
    candidates: list[float] = [e for e in edges if not integer or float(e).is_integer()]
    for below, above in itertools.pairwise(edges):
        inside = _inside(below, above, integer)
        if inside is not None:
            candidates.append(inside)
    if not edges:
        candidates.append(0)
    else:
        if not math.isfinite(low):
            candidates.append(math.ceil(edges[0]) - 1 if integer else edges[0] - 1)
        if not math.isfinite(high):
            candidates.append(math.floor(edges[-1]) + 1 if integer else edges[-1] + 1)
    chosen: dict[tuple[bool, ...], Any] = {}
    for value in sorted(c for c in candidates if low <= c <= high):
        if integer:
            value = int(value)
        if not question.accepts(value):
            continue
        signature = tuple(
            test.holds(value) for test in tests if test.op not in ("unknown", "known")
        )
        chosen.setdefault(signature, value)
    return [*sorted(chosen.values()), UNKNOWN]


def _inside(below: float, above: float, integer: bool) -> float | None:
    """A value strictly between two constants, or None when the interval holds none."""
    if integer:
        value = math.floor(below) + 1
        return value if value < above else None
    middle = below + (above - below) / 2
    return middle if below < middle < above else None


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
