"""All of `triage check`'s analysis in one call, in a fixed order, within a time budget."""

from __future__ import annotations

import time
from collections.abc import Callable

from triage.model.knowledge import KnowledgeBase
from triage.tools.verify import anomalies, invariants
from triage.tools.verify.anomalies import Context
from triage.tools.verify.report import CheckReport, Diagnostic
from triage.tools.verify.search import OutOfTime


def check_knowledge(kb: KnowledgeBase, max_seconds: float | None = None) -> CheckReport:
    """Run every check on a loaded (hence already schema- and reference-checked) base.

    With `max_seconds`, a search still running when the time is up stops; what finished is
    reported as usual and the rest is listed in `report.unfinished`, so a partial run never
    passes for a complete one.
    """
    ctx = Context(kb)
    if max_seconds is not None:
        ctx.solver.deadline = time.monotonic() + max_seconds
    report = CheckReport(
        counts={
            "questions": len(kb.questions),
            "rules": len(kb.rules),
            "recommendations": len(kb.recommendations),
            "invariants": len(kb.invariants),
        }
    )
    witnesses: dict = {}

    def reachability() -> list[Diagnostic]:
        found, seen = anomalies.reachability(ctx)
        witnesses.update(seen)
        return found

    stages: list[tuple[str, Callable[[], list[Diagnostic]]]] = [
        ("rules that can never fire or always fire (E101, W201)", reachability),
        (
            "duplicate and redundant rules (W202, W203)",
            lambda: anomalies.duplicates(ctx, witnesses),
        ),
        ("conflicting rules (E102)", lambda: anomalies.conflicts(ctx)),
        ("findings (E103, W204)", lambda: anomalies.finding_usage(ctx, witnesses)),
        (
            "recommendations never given (W205)",
            lambda: anomalies.unreachable_recommendations(ctx, witnesses),
        ),
        ("questions no rule uses (W206)", lambda: anomalies.unused_questions(ctx)),
        ("steps that start with their own number (W209)", lambda: anomalies.numbered_steps(ctx)),
        ("gaps (W207)", lambda: anomalies.gaps(ctx)),
    ]
    for name, stage in stages:
        if report.unfinished:
            report.unfinished.append(name)
            continue
        try:
            report.diagnostics.extend(stage())
        except OutOfTime:
            report.unfinished.append(name)
    verdicts = []
    for inv in kb.invariants:
        try:
            ctx.solver.check_time()
            verdicts.append(invariants.prove_one(ctx, inv))
        except OutOfTime:
            report.unfinished.append(f"invariant `{inv.id}`")
    report.diagnostics.extend(invariants.diagnostics(ctx, verdicts))
    for verdict in verdicts:
        if verdict.counterexample is None:
            report.proved.append(verdict.invariant.id)
        else:
            report.counterexamples[verdict.invariant.id] = verdict.counterexample
    report.evaluations = ctx.solver.evaluations
    return report
