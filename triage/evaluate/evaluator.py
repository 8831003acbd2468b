"""What every evaluator offers, and how the rest of the product picks one.

The Experta engine decides results in production; the reference evaluator is its oracle and
also serves the many short what-if runs of `explain`. Callers depend on this protocol only, so
either can be passed wherever answers are evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result

EVALUATORS: tuple[str, ...] = ("experta", "reference")  # the choices of `--engine`


class Evaluator(Protocol):
    def evaluate(self, answers: Mapping[str, Any]) -> Result: ...


def make_evaluator(kb: KnowledgeBase, name: str = "experta") -> Evaluator:
    """The evaluator called `name` in `EVALUATORS`, compiled for `kb`.

    Imports happen here, not at the top: Experta is slow to import and `triage --help` or the
    first question of `triage ask` should not wait for it.
    """
    if name == "reference":
        from triage.evaluate.reference import ReferenceEvaluator

        return ReferenceEvaluator(kb)
    if name != "experta":
        raise ValueError(f"unknown evaluator `{name}`; expected one of: {', '.join(EVALUATORS)}")
    from triage.evaluate.engine import Engine

    return Engine(kb)


def evaluate_all(evaluator: Evaluator, many: Sequence[Mapping[str, Any]]) -> list[Result]:
    """Results in order, through the evaluator's batch path when it has one (the engine's
    `evaluate_many` runs several cases per Experta run)."""
    batch = getattr(evaluator, "evaluate_many", None)
    if batch is not None:
        return list(batch(many))
    return [evaluator.evaluate(answers) for answers in many]


_engines: dict[int, tuple[KnowledgeBase, Evaluator]] = {}
_ENGINES_KEPT = 4


def engine_for(kb: KnowledgeBase) -> Evaluator:
    """The Experta engine of a knowledge base, compiled on first use and then reused.

    Compiling imports Experta and builds the Rete network; doing it lazily keeps the first
    question instant, and keeping it keeps every later result cheap.
    """
    entry = _engines.get(id(kb))
    if entry is None or entry[0] is not kb:
        entry = (kb, make_evaluator(kb))
        while len(_engines) >= _ENGINES_KEPT:  # a long-lived process may load many bases
            del _engines[next(iter(_engines))]
        _engines[id(kb)] = entry
    return entry[1]
