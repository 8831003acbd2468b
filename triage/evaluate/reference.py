"""The engine-free evaluator: the same knowledge base checked with plain compiled closures.

It is the oracle the Experta engine is tested against and the speed floor the benchmark
compares with. Rules are in stratified order, so one pass sees every finding a rule reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result, conclude


class ReferenceEvaluator:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._tests = [(rule, rule.when.compile()) for rule in kb.rules]

    def evaluate(self, answers: Mapping[str, Any]) -> Result:
        findings: set[str] = set()
        fired = []
        for rule, test in self._tests:
            if test(answers, findings):
                fired.append(rule)
                findings.update(rule.findings)
        return conclude(self.kb, answers, fired)
