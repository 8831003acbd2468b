"""Compiles a KnowledgeBase into one Experta `KnowledgeEngine` class, and drives it fast.

Experta decides which rules fire: every rule is an Experta rule matched by its Rete network,
every activation goes through its agenda, every finding is a fact that other rules match. What
this module changes is how much work Experta does per case.

The steps, cumulative, measured on a 2-core machine (process time, best of 3, noise about 10%)
on 2,000-3,000 generated cases, engine against the engine-free reference in the same run. The
"calls" column (Python function calls per case, from cProfile) does not depend on the machine
load; the reference makes 841 per case on 71 rules and 232 on 19 (655 on 70 rules and 72 on 7
for step 9).

    step                                  71 rules          19 rules       calls (71 / 19)
    0 as first written (agenda bug)     539/s  1/20.4    2,787/s  1/11.6    16,933 / 2,973
    1 agenda fix                        537/s  1/20.5    2,525/s  1/12.8    16,463 / 3,135
    2 + trimmed reset()                 656/s  1/16.7    3,361/s  1/9.6     13,167 / 2,344
    3 + agenda by bisect.insort         693/s  1/15.8    3,753/s  1/8.6     12,675 / 2,143
    4 + dirty conflict sets only        891/s  1/12.3    4,266/s  1/7.6      9,037 / 1,824
    5 + 16 cases per engine run         745/s  1/14.7    4,937/s  1/6.5      9,203 / 1,623
    6 + findings carry the answers    1,221/s  1/9.0     5,016/s  1/6.4      6,053 / 1,600
    7 + decision-tree split           1,486/s  1/7.4     5,080/s  1/6.4      5,336 / 1,575
    8 + shared guards                 1,558/s  1/7.0     5,326/s  1/6.1      5,061 / 1,526
    9 + quiet alpha nodes (this module), on the later 70-rule base and 7-rule test fixture:
        before                        1,699/s  1/7.5    11,891/s  1/7.7      4,900 /   699
        after                         2,765/s  1/4.6    17,942/s  1/5.2      2,552 /   412

1. The first agenda strategy removed activations with `list.remove`, but Experta's
   `Activation.__eq__` compares the ordering key, which a removal notice does not carry: a rule
   guarded by `NOT(Finding)` kept its activation after the finding appeared and fired anyway
   (84 of 4,000 generated cases disagreed with the reference). Ours sets the key first.
2. The stock `reset()` finds deffacts with `inspect.getmembers` and walks every Rete node;
   ours resets only the nodes that have a memory (listed once) and declares `InitialFact`.
3. Activations are inserted with `bisect.insort` on the (salience, fact ids) key and removed
   by bisect plus an equality scan over equal keys, instead of sorting the agenda per change.
4. The stock matcher asks every conflict-set node for news after every fired rule; ours asks
   only the nodes that received a token since (a subclass flags itself).
5. `evaluate_many` puts up to `CHUNK` cases in one engine run: each fact carries a `case`
   number and every join is on it, so cases never see each other's findings. It spreads reset
   and agenda work; Experta joins by scanning memories, so the gain needs step 6 on large
   bases, and chunks beyond about 16 cases give nothing more.
6. A finding carries its case's answers, so a rule gated by a finding tests its answers on the
   `Finding` fact, only in cases where the finding exists, rather than on every `Answers` fact
   followed by a join.
7. A rule whose condition reads findings is split into disjoint sub-rules along a decision
   tree over those findings, stopping as soon as the rest no longer depends on one: `any` of
   three findings gives three sub-rules, not the seven of a full truth table.
8. A conjunction's most widely shared plain fact test becomes a separate field test with one
   predicate object per distinct test, so Rete shares that alpha node and a failed guard skips
   every rule behind it.
9. Experta's alpha nodes copy every arriving token before testing it, and every test builds
   the arguments of a log call even with logging off. `_QuietTester` takes the place of each
   `FeatureTesterNode` once the network is built: the same test on the same field, then a copy
   only when the test adds a binding (nodes that change a token copy it first, so passing the
   same token on is safe). Of 108 token copies per case, 29 remain.

Tried and dropped: guards as copies of the answer values in extra fields (building facts with
20 fields cost more than the shared nodes saved); a shared "any red-flag guard" gate in front
of the red-flag guards and two-level routing of finding names (within noise, 1-5% fewer calls,
and Experta orders field tests by how many patterns share them, so the intended shape is not
guaranteed); a result cache per answer signature (the signature would be the answer tests'
outcomes, so Python would decide and Experta only replay). One fact per answer is five times
slower (DESIGN section 4); `OR` patterns expand combinatorially.

Semantics: every sub-rule gets a unique salience from the knowledge base's evaluation order
(red flags, then strata, then file order), so firing order is independent of PYTHONHASHSEED and
of chunking, and a negated finding waits until all of its producers have fired; sub-rules of a
rule are disjoint, so a rule fires at most once per case. `tests/test_engine_oracle.py` holds
the engine to the reference on every case file and thousands of generated answer sets.
"""

from __future__ import annotations

import bisect
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from triage.model.conditions import All, Condition, Constant, FactTest, with_findings
from triage.model.knowledge import KnowledgeBase, Rule
from triage.model.result import Result, conclude

_root = logging.getLogger()
_handlers = list(_root.handlers)
import experta  # noqa: E402  (import order matters: undo its logging.basicConfig below)
from experta.agenda import Agenda  # noqa: E402
from experta.fact import InitialFact  # noqa: E402
from experta.factlist import FactList  # noqa: E402
from experta.matchers import ReteMatcher  # noqa: E402
from experta.matchers.rete.check import FactCapture, FeatureCheck, TypeCheck  # noqa: E402
from experta.matchers.rete.mixins import ChildNode, NoMemory  # noqa: E402
from experta.matchers.rete.nodes import ConflictSetNode, FeatureTesterNode  # noqa: E402
from experta.strategies import DepthStrategy  # noqa: E402

_root.handlers[:] = _handlers
del _handlers

CHUNK = 16
"""Cases per engine run in `evaluate_many`; measured best between 8 and 32."""


def _order_key(act: Any) -> Any:
    return act.key


class ExactRemovalStrategy(DepthStrategy):
    """Depth strategy with an ordered insert and a removal that finds the right activation.

    Experta compares activations including their ordering key, and a removal notice arrives
    without one, so the key is computed before looking; equal keys are scanned, not assumed
    adjacent to the bisect position as the stock strategy does.
    """

    @staticmethod
    def _key(act: Any) -> tuple[int, list[int]]:
        return (act.rule.salience, sorted((f["__factid__"] for f in act.facts), reverse=True))

    def _update_agenda(self, agenda: Any, added: Any, removed: Any) -> None:
        acts = agenda.activations
        for act in removed:
            act.key = key = self._key(act)
            index = bisect.bisect_left(acts, key, key=_order_key)
            while index < len(acts) and acts[index].key == key:
                if acts[index] == act:
                    del acts[index]
                    break
                index += 1
        for act in added:
            act.key = self._key(act)
            bisect.insort(acts, act, key=_order_key)


class _TrackedConflictSet(ConflictSetNode):
    """A conflict-set node that tells the matcher it has news."""

    dirty: dict[ConflictSetNode, None]

    def _activate(self, token: Any) -> None:
        self.dirty[self] = None
        super()._activate(token)


def _quiet_test(check: Any) -> Callable[[Any], Any]:
    """The same test as an alpha node's Experta check, without the log call Experta makes on
    every test (its arguments are built even when logging is off)."""
    if type(check) is TypeCheck:
        fact_type = check.fact_type
        return lambda fact: type(fact) == fact_type  # noqa: E721  (Experta's exact-type test)
    if type(check) is FactCapture:
        bind = check.bind
        return lambda fact: {bind: fact}
    if type(check) is FeatureCheck and isinstance(check.what, str) and "__" not in check.what:
        what, test, expected = check.what, check.check, check.expected

        def feature(fact: Any) -> Any:
            try:
                record = fact[what]
            except (IndexError, KeyError, TypeError):
                return False
            return test(record, expected)

        return feature
    return check  # any other kind keeps Experta's own call


_NONE = object()


class _QuietTester(FeatureTesterNode):
    """An alpha node that copies the token only when its test adds a binding to it.

    Experta copies every token on arrival, before testing, although a failed or plain `True`
    test leaves it untouched; every node that changes a token copies it first, so passing the
    same token on is safe. Bindings are checked against the context exactly as
    `FeatureTesterNode._activate` does.
    """

    quiet_test: Callable[[Any], Any]

    def activate(self, token: Any) -> None:
        (fact,) = token.data
        match = self.quiet_test(fact)
        if not match:
            return
        if match is not True:
            context = token.context
            for key, value in match.items():
                if isinstance(key, tuple):  # a negated binding
                    if key[1] in context and context[key[1]] == value:
                        return
                elif context.get(key, value) != value or context.get((False, key), _NONE) == value:
                    return
            token = token.copy()
            token.context.update(match)
        for child in self.children:
            child.callback(token)


class _Matcher(ReteMatcher):
    """The Rete matcher, asking only conflict-set nodes that saw a token since the last call,
    with quiet alpha nodes (`_QuietTester`)."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.dirty: dict[ConflictSetNode, None] = {}
        for node in self._get_conflict_set_nodes():
            node.__class__ = _TrackedConflictSet
            node.dirty = self.dirty
        self.memories: list[Any] = []
        nodes = self._nodes()
        for node in nodes:
            if not isinstance(node, NoMemory):
                self.memories.append(node)
            if type(node) is FeatureTesterNode:
                node.__class__ = _QuietTester
                node.quiet_test = _quiet_test(node.matcher)
        for node in nodes:  # parents hold the bound `activate` of the old class: rebind
            node.children[:] = [
                ChildNode(c.node, c.node.activate) if type(c.node) is _QuietTester else c
                for c in node.children
            ]

    def _nodes(self) -> list[Any]:
        """Every node of the network, once."""
        found: dict[int, Any] = {}
        stack = [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) not in found:
                found[id(node)] = node
                stack.extend(child.node for child in node.children)
        return list(found.values())

    def reset(self) -> None:
        for node in self.memories:
            node._reset()

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list, list]:
        if deleting is not None:
            for fact in deleting:
                self.root_node.remove(fact)
        if adding is not None:
            for fact in adding:
                self.root_node.add(fact)
        added: list[Any] = []
        removed: list[Any] = []
        if self.dirty:
            for node in self.dirty:
                new, gone = node.get_activations()
                added.extend(new)
                removed.extend(gone)
            self.dirty.clear()
        return added, removed


class Answers(experta.Fact):
    """All answers of one case: `case` (its number in the run); `a` and `g` box the answers."""


class Finding(experta.Fact):
    """A conclusion such as `doms_pattern` about case `case`, carrying its answers as Answers."""


class _Box:
    """Hashable by identity, so Experta does not copy the answers into a frozendict."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data


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


class CompiledEngine(experta.KnowledgeEngine):
    """Base of every compiled engine class; `compile_engine` adds the rules."""

    __strategy__ = ExactRemovalStrategy
    __matcher__ = _Matcher
    _kb: KnowledgeBase

    def _fire(self, index: int, case: int) -> None:
        rule = self._kb.rules[index]
        self._fired[case].append(rule)
        box = self._boxes[case]
        for name in rule.findings:
            self.declare(Finding(case=case, name=name, a=box, g=box))

    def reset(self, **kwargs: Any) -> None:
        """What KnowledgeEngine.reset does for an engine without deffacts, minus the lookups."""
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self._KnowledgeEngine__declare(InitialFact())
        self.running = False

    def run_chunk(self, chunk: Sequence[Mapping[str, Any]]) -> list[list[Rule]]:
        """Reset, declare one `Answers` fact per case, run to quiescence: fired rules per case."""
        self._fired: list[list[Rule]] = [[] for _ in chunk]
        self._boxes = [_Box(answers) for answers in chunk]
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
        """Results in order; `CHUNK` cases share each engine run."""
        items = list(many)
        results: list[Result] = []
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            fired = self._engine.run_chunk(chunk)
            results.extend(conclude(self.kb, a, f) for a, f in zip(chunk, fired, strict=True))
        return results
