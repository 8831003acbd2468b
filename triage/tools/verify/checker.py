"""All of `triage check`'s analysis in one call, in a fixed order."""

from __future__ import annotations

from triage.model.knowledge import KnowledgeBase
from triage.tools.verify import anomalies, invariants
from triage.tools.verify.anomalies import Context
from triage.tools.verify.report import CheckReport


def check_knowledge(kb: KnowledgeBase) -> CheckReport:
    """Run every check on a loaded (hence already schema- and reference-checked) base."""
    ctx = Context(kb)
    report = CheckReport(
        counts={
            "questions": len(kb.questions),
            "rules": len(kb.rules),
            "recommendations": len(kb.recommendations),
            "invariants": len(kb.invariants),
        }
    )
    found, witnesses = anomalies.reachability(ctx)
    report.diagnostics.extend(found)
    report.diagnostics.extend(anomalies.duplicates(ctx, witnesses))
    report.diagnostics.extend(anomalies.conflicts(ctx))
    report.diagnostics.extend(anomalies.finding_usage(ctx, witnesses))
    report.diagnostics.extend(anomalies.unreachable_recommendations(ctx, witnesses))
    report.diagnostics.extend(anomalies.unused_questions(ctx))
    report.diagnostics.extend(anomalies.numbered_steps(ctx))
    report.diagnostics.extend(anomalies.gaps(ctx))
    verdicts = invariants.prove(ctx)
    report.diagnostics.extend(invariants.diagnostics(ctx, verdicts))
    for verdict in verdicts:
        if verdict.counterexample is None:
            report.proved.append(verdict.invariant.id)
        else:
            report.counterexamples[verdict.invariant.id] = verdict.counterexample
    report.evaluations = ctx.solver.evaluations
    return report
