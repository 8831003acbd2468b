"""The condition language: a small tree of tests over answers and findings.

Conditions come from YAML and are turned into this tree, then into plain Python closures for
speed; nothing is ever evaluated as Python source. Besides ordinary two-valued evaluation there
is a three-valued one (true / false / maybe) over partial answers, which the interview uses to
ask only what can still change the result and `triage check` uses to prove invariants.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from triage.model.values import show_value

Answers = Mapping[str, Any]
Test = Callable[[Answers, Container[str]], bool]

# Three-valued logic: True, False, or MAYBE (depends on answers not yet given).
MAYBE = None
Tri = bool | None


def t_or(values: Iterable[Tri]) -> Tri:
    result: Tri = False
    for value in values:
        if value is True:
            return True
        if value is MAYBE:
            result = MAYBE
    return result


def t_and(values: Iterable[Tri]) -> Tri:
    result: Tri = True
    for value in values:
        if value is False:
            return False
        if value is MAYBE:
            result = MAYBE
    return result


def t_not(value: Tri) -> Tri:
    return MAYBE if value is MAYBE else not value


class Condition:
    """Base of the condition tree."""

    def facts(self) -> Iterator[str]:
        """Every fact id the condition reads, in reading order (may repeat)."""
        for child in self.children():
            yield from child.facts()

    def findings(self) -> Iterator[str]:
        for child in self.children():
            yield from child.findings()

    def children(self) -> tuple[Condition, ...]:
        return ()

    def compile(self) -> Test:
        raise NotImplementedError

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        """Three-valued value: facts in `pending` may still take any value or stay unknown."""
        raise NotImplementedError

    def pending_facts(
        self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]
    ) -> Iterator[str]:
        """Pending facts that could still decide this condition, most decisive first."""
        if self.tri(answers, pending, found) is not MAYBE:
            return
        for child in self.children():
            yield from child.pending_facts(answers, pending, found)


@dataclass(frozen=True)
class All(Condition):
    items: tuple[Condition, ...]

    def children(self) -> tuple[Condition, ...]:
        return self.items

    def compile(self) -> Test:
        tests = tuple(item.compile() for item in self.items)
        return lambda a, f: all(t(a, f) for t in tests)

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        result: Tri = True
        for item in self.items:
            value = item.tri(answers, pending, found)
            if value is False:
                return False
            if value is MAYBE:
                result = MAYBE
        return result


@dataclass(frozen=True)
class AnyOf(Condition):
    items: tuple[Condition, ...]

    def children(self) -> tuple[Condition, ...]:
        return self.items

    def compile(self) -> Test:
        tests = tuple(item.compile() for item in self.items)
        return lambda a, f: any(t(a, f) for t in tests)

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        result: Tri = False
        for item in self.items:
            value = item.tri(answers, pending, found)
            if value is True:
                return True
            if value is MAYBE:
                result = MAYBE
        return result


@dataclass(frozen=True)
class Not(Condition):
    item: Condition

    def children(self) -> tuple[Condition, ...]:
        return (self.item,)

    def compile(self) -> Test:
        test = self.item.compile()
        return lambda a, f: not test(a, f)

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        value = self.item.tri(answers, pending, found)
        return MAYBE if value is MAYBE else not value


@dataclass(frozen=True)
class AtLeast(Condition):
    count: int
    items: tuple[Condition, ...]

    def children(self) -> tuple[Condition, ...]:
        return self.items

    def compile(self) -> Test:
        tests = tuple(item.compile() for item in self.items)
        count = self.count
        return lambda a, f: sum(1 for t in tests if t(a, f)) >= count

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        sure = maybe = 0
        for item in self.items:
            value = item.tri(answers, pending, found)
            if value is True:
                sure += 1
            elif value is MAYBE:
                maybe += 1
        if sure >= self.count:
            return True
        if sure + maybe < self.count:
            return False
        return MAYBE


@dataclass(frozen=True)
class FactTest(Condition):
    """A test of one answer. `op` is one of is, in, gt, gte, lt, lte, unknown, known."""

    fact: str
    op: str
    value: Any = None

    def facts(self) -> Iterator[str]:
        yield self.fact

    def holds(self, value: Any) -> bool:
        """The test on a known answer (an unknown answer fails every test but `unknown`)."""
        op, ref = self.op, self.value
        if op == "is":
            if isinstance(ref, bool):
                return value is ref
            return not isinstance(value, bool) and value == ref
        if op == "in":
            return value in ref
        if op == "gt":
            return value > ref
        if op == "gte":
            return value >= ref
        if op == "lt":
            return value < ref
        if op == "lte":
            return value <= ref
        return op == "known"

    def compile(self) -> Test:
        fact, op, ref = self.fact, self.op, self.value
        if op == "unknown":
            return lambda a, f: fact not in a
        if op == "known":
            return lambda a, f: fact in a
        if op == "is":
            if isinstance(ref, bool):
                return lambda a, f: a.get(fact) is ref
            return lambda a, f: fact in a and a[fact] == ref and not isinstance(a[fact], bool)
        if op == "in":
            return lambda a, f: a.get(fact) in ref
        holds = self.holds
        return lambda a, f: fact in a and holds(a[fact])

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        if self.fact in answers:
            return self.holds(answers[self.fact]) if self.op != "unknown" else False
        if self.fact in pending:
            return MAYBE
        return self.op == "unknown"

    def pending_facts(
        self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]
    ) -> Iterator[str]:
        if self.fact not in answers and self.fact in pending:
            yield self.fact


@dataclass(frozen=True)
class FindingRef(Condition):
    name: str

    def findings(self) -> Iterator[str]:
        yield self.name

    def compile(self) -> Test:
        name = self.name
        return lambda a, f: name in f

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        return found.get(self.name, False)


@dataclass(frozen=True)
class Constant(Condition):
    """What a condition becomes once everything it reads is settled."""

    value: bool

    def compile(self) -> Test:
        value = self.value
        return lambda a, f: value

    def tri(self, answers: Answers, pending: Container[str], found: Mapping[str, Tri]) -> Tri:
        return self.value


def with_findings(cond: Condition, settled: Mapping[str, bool]) -> Condition:
    """The condition with the given findings replaced by constants, simplified.

    The engine uses this to split a rule whose test mixes answers and findings into one
    sub-rule per combination of findings, each an answer test plus plain finding patterns.
    """
    if isinstance(cond, FindingRef):
        return Constant(settled[cond.name]) if cond.name in settled else cond
    if isinstance(cond, Not):
        inner = with_findings(cond.item, settled)
        return Constant(not inner.value) if isinstance(inner, Constant) else Not(inner)
    if isinstance(cond, All | AnyOf):
        short = isinstance(cond, AnyOf)  # the value that decides the whole
        kept: list[Condition] = []
        for item in cond.items:
            inner = with_findings(item, settled)
            if isinstance(inner, Constant):
                if inner.value is short:
                    return Constant(short)
                continue
            kept.append(inner)
        if not kept:
            return Constant(not short)
        return kept[0] if len(kept) == 1 else type(cond)(tuple(kept))
    if isinstance(cond, AtLeast):
        need = cond.count
        kept = []
        for item in cond.items:
            inner = with_findings(item, settled)
            if isinstance(inner, Constant):
                need -= 1 if inner.value else 0
            else:
                kept.append(inner)
        if need <= 0:
            return Constant(True)
        if need > len(kept):
            return Constant(False)
        return AtLeast(need, tuple(kept))
    return cond


def render(cond: Condition) -> str:
    """A one-line human reading of a condition, for explanations and graphs."""
    if isinstance(cond, All):
        return "(" + " and ".join(render(i) for i in cond.items) + ")"
    if isinstance(cond, AnyOf):
        return "(" + " or ".join(render(i) for i in cond.items) + ")"
    if isinstance(cond, Not):
        return "not " + render(cond.item)
    if isinstance(cond, AtLeast):
        return f"at least {cond.count} of [" + ", ".join(render(i) for i in cond.items) + "]"
    if isinstance(cond, FindingRef):
        return f"finding {cond.name}"
    if isinstance(cond, Constant):
        return "always" if cond.value else "never"
    assert isinstance(cond, FactTest)
    if cond.op in ("unknown", "known"):
        return f"{cond.fact} is {cond.op}"
    symbols = {"is": "=", "in": "in", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    return f"{cond.fact} {symbols[cond.op]} {show_value(cond.value)}"
