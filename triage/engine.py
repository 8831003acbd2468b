"""Compiles a KnowledgeBase into one Experta `KnowledgeEngine` class.

Design, with the measurements behind it (DESIGN section 4):

- All answers of a case go into one `Answers` fact, and each rule's answer test is one compiled
  closure behind a single `P` field constraint. One fact per answer costs five times as much
  in Rete propagation; `OR` and `L(a) | L(b)` expand combinatorially.
- Findings are facts, so chaining is real forward chaining. A rule whose condition mixes
  answers and findings is split into one sub-rule per combination of the findings it reads,
  each an answer test plus plain `Finding` / `NOT(Finding)` patterns; the combinations are
  disjoint, so at most one sub-rule of a rule fires.
- Every sub-rule gets a unique salience taken from the knowledge base's evaluation order (red
  flags, then strata, then file order). That makes the firing order independent of
  PYTHONHASHSEED, lets negated findings wait until all their producers have fired, and keeps
  equal-salience activations away from the stock agenda's lossy removal, which the strategy
  below also fixes.
- One engine instance is reused across cases with `reset()`.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Mapping
from typing import Any

from .conditions import Constant, with_findings
from .knowledge import KnowledgeBase, Rule
from .result import Result, conclude

_root = logging.getLogger()
_handlers = list(_root.handlers)
import experta  # noqa: E402  (import order matters: undo its logging.basicConfig below)
from experta.strategies import DepthStrategy  # noqa: E402

_root.handlers[:] = _handlers
del _handlers


class ExactRemovalStrategy(DepthStrategy):
    """DepthStrategy whose removal finds the activation wherever it is.

    The stock version looks only next to the bisect position and can drop the wrong
    activation or keep a stale one when keys tie.
    """

    def _update_agenda(self, agenda: Any, added: Any, removed: Any) -> None:
        for act in removed:
            with contextlib.suppress(ValueError):  # already fired
                agenda.activations.remove(act)
        for act in added:
            act.key = self.get_key(act)
            agenda.activations.append(act)
        agenda.activations.sort(key=lambda a: a.key)


class Answers(experta.Fact):
    """All answers of one case; field `a` holds them behind an identity-hashed box."""


class Finding(experta.Fact):
    """An intermediate conclusion, such as `doms_pattern`."""


class _Box:
    """Hashable by identity, so Experta does not copy the answers into a frozendict."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data


_NO_FINDINGS: frozenset[str] = frozenset()


def _sub_rules(rule: Rule) -> list[tuple[Any, dict[str, bool]]]:
    """(answer test or None, finding literals) for each finding combination that can fire."""
    names = sorted(set(rule.when.findings()))
    parts = []
    for values in itertools.product((True, False), repeat=len(names)):
        settled = dict(zip(names, values, strict=True))
        residual = with_findings(rule.when, settled)
        if isinstance(residual, Constant):
            if residual.value:
                parts.append((None, settled))
            continue
        parts.append((residual.compile(), settled))
    return parts


def _action(index: int) -> Any:
    def fire(self: CompiledEngine) -> None:
        self._fire(index)

    fire.__name__ = f"rule_{index}"
    return fire


class CompiledEngine(experta.KnowledgeEngine):
    """Base of every compiled engine class; `compile_engine` adds the rules."""

    __strategy__ = ExactRemovalStrategy
    _kb: KnowledgeBase

    def _fire(self, index: int) -> None:
        rule = self._kb.rules[index]
        self._fired.append(rule)
        for name in rule.findings:
            self.declare(Finding(name=name))

    def evaluate(self, answers: Mapping[str, Any]) -> Result:
        """Reset, declare the answers, run to quiescence, and conclude."""
        self._fired: list[Rule] = []
        self.reset()
        self.declare(Answers(a=_Box(answers)))
        self.run()
        return conclude(self._kb, answers, self._fired)


def compile_engine(kb: KnowledgeBase) -> type[CompiledEngine]:
    """Build the engine class for a knowledge base; instantiate it once and reuse it."""
    namespace: dict[str, Any] = {"_kb": kb, "__module__": __name__}
    total = sum(len(_sub_rules(rule)) for rule in kb.rules) + 1
    salience = total
    for index, rule in enumerate(kb.rules):
        for sub, (test, settled) in enumerate(_sub_rules(rule)):
            salience -= 1
            if test is None:
                patterns = [Answers()]
            else:
                patterns = [Answers(a=experta.P(lambda box, t=test: t(box.data, _NO_FINDINGS)))]
            for name, present in settled.items():
                pattern = Finding(name=name)
                patterns.append(pattern if present else experta.NOT(pattern))
            decorated = experta.Rule(*patterns, salience=salience)(_action(index))
            namespace[f"r{index}_{sub}"] = decorated
    return type("Engine", (CompiledEngine,), namespace)


class Engine:
    """A ready-to-use engine for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._engine = compile_engine(kb)()

    def evaluate(self, answers: Mapping[str, Any]) -> Result:
        return self._engine.evaluate(answers)
