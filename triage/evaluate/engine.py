"""Compiles a KnowledgeBase into one Experta `KnowledgeEngine` class, and runs cases on it.

Experta decides which rules fire: every rule is an Experta rule matched by its Rete network,
every activation goes through its agenda, every finding is a fact that other rules match. This
module decides how the rules are written for Experta:

- Facts: one `Answers` fact per case, its answers boxed (`Box`) under `a` and `g`; one
  `Finding` fact per concluded finding, carrying its case's answers too, so a rule gated by a
  finding tests the answers on the finding itself rather than through a join.
- A rule whose condition reads findings becomes disjoint sub-rules along a decision tree over
  those findings (`_split`): `NOT(Finding)` for a finding that must be absent, a `Finding`
  pattern for one that must be present, and the rest of the condition as a test on the box.
- A conjunction's most widely shared plain fact test becomes a separate guard field test
  (`_Compiler`), one predicate object per distinct test, so Rete shares that alpha node.
- Every sub-rule gets a unique salience from the knowledge base's evaluation order (red flags,
  then strata, then file order), so firing order is independent of PYTHONHASHSEED and of
  chunking, and a negated finding waits until all of its producers have fired. Sub-rules of a
  rule are disjoint, so a rule fires at most once per case.
- `evaluate_many` puts up to `CASES_PER_RUN` cases in one engine run; each fact carries its `case`
  number and every pattern binds it, so cases never see each other's findings.

What the fired rules mean (urgency, recommendations held back, trace) is `conclude`'s, shared
with the reference evaluator. Every use of Experta's internals, for speed and for one agenda
fix, is in `experta_patches`; the measurements behind the design are in
docs/engine-performance.md. `tests/test_engine_oracle.py` holds the engine to the reference on
every case file and thousands of generated answer sets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Experta comes through the module that prepares its import and checks its version.
from triage.evaluate.experta_patches import Box, FastResetEngine, experta
from triage.model.conditions import All, Condition, Constant, FactTest, with_findings
from triage.model.knowledge import KnowledgeBase, Rule
from triage.model.result import Result, conclude

CASES_PER_RUN = 16
"""Cases per engine run in `evaluate_many`; measured best between 8 and 32."""


class Answers(experta.Fact):
    """All answers of one case: `case` (its number in the run); `a` and `g` box the answers."""


class Finding(experta.Fact):
    """A conclusion such as `doms_pattern` about case `case`, carrying its answers as Answers."""


_NO_FINDINGS: frozenset[str] = frozenset()
_CASE = experta.MATCH.case


def _split(cond: Condition, settled: dict[str, bool]) -> list[tuple[Condition | None, dict]]:
    """Disjoint (answer condition or None, finding literals) pairs whose union is `cond`.

    A decision tree over the findings the condition reads, in reading order, that stops as
    soon as the rest no longer depends on a finding: `any` of three findings gives three
    sub-rules, not the seven a full truth table over them would.
    """
    if isinstance(cond, Constant):
        return [(None, settled)] if cond.value else []
    names = list(dict.fromkeys(cond.findings()))
    if not names:
        return [(cond, settled)]
    parts = []
    for value in (True, False):
        residual = with_findings(cond, {names[0]: value})
        parts.extend(_split(residual, {**settled, names[0]: value}))
    return parts


def _sub_rules(rule: Rule) -> list[tuple[Condition | None, dict[str, bool]]]:
    return _split(rule.when, {})


def _guard_candidates(cond: Condition) -> list[FactTest]:
    """Plain fact tests the whole condition needs (its top-level conjuncts)."""
    items = cond.items if isinstance(cond, All) else (cond,)
    return [c for c in items if isinstance(c, FactTest) and c.op != "unknown"]


def _box_test(cond: Condition) -> experta.P:
    """A field test on the boxed answers."""
    test = cond.compile()
    return experta.P(lambda box: test(box.data, _NO_FINDINGS))


class _Compiler:
    """Turns the rules into Experta patterns, with shared guard tests.

    Every fact carries the case's answers in a box under two keys: `g` (a guard) and `a` (the
    rest of the test). A sub-rule whose answer test is a conjunction puts one of its plain fact
    tests on `g` (the one the most sub-rules share), and one predicate object per distinct test
    is used everywhere, so Rete shares the alpha node and a failed guard skips every rule
    behind it.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self.subs = [(i, sub) for i, rule in enumerate(kb.rules) for sub in _sub_rules(rule)]
        shared: Counter[FactTest] = Counter()
        for _, (cond, _settled) in self.subs:
            if cond is not None:
                shared.update(set(_guard_candidates(cond)))
        self.guard: dict[int, FactTest] = {}
        for number, (_, (cond, _settled)) in enumerate(self.subs):
            candidates = _guard_candidates(cond) if cond is not None else []
            if candidates:
                self.guard[number] = max(candidates, key=lambda c: shared[c])  # first of most
        self.guard_test = {atom: _box_test(atom) for atom in self.guard.values()}

    def patterns(self, number: int, cond: Condition | None, settled: Mapping[str, bool]) -> list:
        present = [name for name, value in settled.items() if value]
        absent = [name for name, value in settled.items() if not value]
        patterns: list[Any] = []
        if present:
            patterns.append(Finding(case=_CASE, name=present[0], **self.tests(number, cond)))
            patterns.extend(Finding(case=_CASE, name=name) for name in present[1:])
        else:
            patterns.append(Answers(case=_CASE, **self.tests(number, cond)))
        patterns.extend(experta.NOT(Finding(case=_CASE, name=name)) for name in absent)
        return patterns

    def tests(self, number: int, cond: Condition | None) -> dict[str, Any]:
        if cond is None:
            return {}
        guard = self.guard.get(number)
        if guard is None:
            return {"a": _box_test(cond)}
        fields = {"g": self.guard_test[guard]}
        rest = [c for c in cond.items if c is not guard] if isinstance(cond, All) else []
        if rest:
            fields["a"] = _box_test(rest[0] if len(rest) == 1 else All(tuple(rest)))
        return fields


def _action(index: int) -> Any:
    def fire(self: CompiledEngine, case: int) -> None:
        self._fire(index, case)

    fire.__name__ = f"rule_{index}"
    return fire


class CompiledEngine(FastResetEngine):
    """Base of every compiled engine class; `compile_engine` adds the rules."""

    _kb: KnowledgeBase

    def _fire(self, index: int, case: int) -> None:
        rule = self._kb.rules[index]
        self._fired[case].append(rule)
        box = self._boxes[case]
        for name in rule.findings:
            self.declare(Finding(case=case, name=name, a=box, g=box))

    def run_chunk(self, chunk: Sequence[Mapping[str, Any]]) -> list[list[Rule]]:
        """Reset, declare one `Answers` fact per case, run to quiescence: fired rules per case."""
        self._fired: list[list[Rule]] = [[] for _ in chunk]
        self._boxes = [Box(answers) for answers in chunk]
        self.reset()
        facts = [Answers(case=case, a=box, g=box) for case, box in enumerate(self._boxes)]
        if facts:
            self.declare(*facts)
        self.run()
        return self._fired

    def evaluate(self, answers: Mapping[str, Any]) -> Result:
        (fired,) = self.run_chunk([answers])
        return conclude(self._kb, answers, fired)


def compile_engine(kb: KnowledgeBase) -> type[CompiledEngine]:
    """Build the engine class for a knowledge base; instantiate it once and reuse it."""
    compiler = _Compiler(kb)
    namespace: dict[str, Any] = {"_kb": kb, "__module__": __name__}
    salience = len(compiler.subs) + 1
    for number, (index, (cond, settled)) in enumerate(compiler.subs):
        salience -= 1
        rule = experta.Rule(*compiler.patterns(number, cond, settled), salience=salience)
        namespace[f"r{index}_{number}"] = rule(_action(index))
    return type("Engine", (CompiledEngine,), namespace)


class Engine:
    """A ready-to-use engine for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._engine = compile_engine(kb)()

    def evaluate(self, answers: Mapping[str, Any]) -> Result:
        return self._engine.evaluate(answers)

    def evaluate_many(self, many: Iterable[Mapping[str, Any]]) -> list[Result]:
        """Results in order; `CASES_PER_RUN` cases share each engine run."""
        items = list(many)
        results: list[Result] = []
        for start in range(0, len(items), CASES_PER_RUN):
            chunk = items[start : start + CASES_PER_RUN]
            fired = self._engine.run_chunk(chunk)
            results.extend(conclude(self.kb, a, f) for a, f in zip(chunk, fired, strict=True))
        return results
