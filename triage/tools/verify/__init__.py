"""Static analysis and proofs over a knowledge base: what `triage check` reports.

`check_knowledge(kb)` returns a `CheckReport`; nothing here prints or exits. The proofs run
over the finite answer space of `triage.evaluate.answer_space` (every fact: unknown, or one
value per class of answers the conditions tell apart), searched with the three-valued evaluator of
`triage.evaluate.partial`, so a property that survives the search holds for every possible answer.
"""

from __future__ import annotations

from triage.tools.verify.checker import check_knowledge
from triage.tools.verify.report import CheckReport, Diagnostic

__all__ = ["CheckReport", "Diagnostic", "check_knowledge"]
