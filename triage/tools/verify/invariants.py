"""Proving the invariants declared in YAML, and turning a failed proof into a case file.

An invariant is violated by answers for which its `when` holds, the result meets its
`when_result`, and the result fails its `require`. The search looks for such answers over
the whole answer space; finding none is the proof. When it finds some, it returns a
smallest set (fewest answered facts), which becomes a case file whose `expect` block says
what the invariant requires, so `triage run` fails on it until the rules are fixed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.files.casefile import dump_case
from triage.model.knowledge import Invariant, Outcome
from triage.model.vocabulary import URGENCY_RANK
from triage.tools.verify.anomalies import Context
from triage.tools.verify.goals import And, Goal, Holds, Meets, Not
from triage.tools.verify.report import Diagnostic
from triage.tools.verify.search import Answers


@dataclass(frozen=True)
class Verdict:
    """The outcome of one proof: no counterexample means the invariant holds everywhere."""

    invariant: Invariant
    counterexample: Answers | None
    applies: bool = True


def _premise(inv: Invariant) -> list[Goal]:
    parts: list[Goal] = []
    if inv.when is not None:
        parts.append(Holds(inv.when))
    if inv.when_result is not None:
        parts.append(Meets(inv.when_result))
    return parts


def violation(inv: Invariant) -> Goal:
    """Answers that break the invariant: the premise holds and the requirement fails."""
    return And((*_premise(inv), Not(Meets(inv.require))))


def prove(ctx: Context) -> list[Verdict]:
    return [prove_one(ctx, inv) for inv in ctx.kb.invariants]


def prove_one(ctx: Context, inv: Invariant) -> Verdict:
    counterexample = ctx.solver.smallest(violation(inv))
    applies = True
    if counterexample is None and _premise(inv):
        applies = ctx.solver.witness(And(tuple(_premise(inv)))) is not None
    return Verdict(inv, counterexample, applies)


def outcome_text(outcome: Outcome) -> str:
    parts = []
    if outcome.urgency:
        parts.append(f"urgency {outcome.urgency}")
    if outcome.urgency_at_least:
        parts.append(f"urgency at least {outcome.urgency_at_least}")
    if outcome.urgency_at_most:
        parts.append(f"urgency at most {outcome.urgency_at_most}")
    if outcome.includes:
        parts.append("includes " + ", ".join(outcome.includes))
    if outcome.excludes:
        parts.append("excludes " + ", ".join(outcome.excludes))
    return "; ".join(parts)


def diagnostics(ctx: Context, verdicts: list[Verdict]) -> list[Diagnostic]:
    """E104 for each violated invariant (with its counterexample), W208 for vacuous ones."""
    out = []
    for verdict in verdicts:
        inv = verdict.invariant
        if verdict.counterexample is not None:
            out.append(
                Diagnostic(
                    "E104",
                    f"invariant `{inv.id}` is violated: {inv.description} "
                    f"(requires {outcome_text(inv.require)})",
                    inv.location,
                    verdict.counterexample,
                    ctx.describe(verdict.counterexample),
                )
            )
        elif cannot_fail(inv):
            out.append(
                Diagnostic(
                    "W210",
                    f"invariant `{inv.id}` can never be violated: its `require` allows every "
                    "result its premise admits, whatever the rules say, so it proves nothing",
                    inv.location,
                )
            )
        elif not verdict.applies:
            out.append(
                Diagnostic(
                    "W208",
                    f"invariant `{inv.id}` never applies: no answers meet its `when`"
                    f"{' and `when_result`' if inv.when_result else ''}, so it proves nothing",
                    inv.location,
                )
            )
    return out


def _levels(outcome: Outcome | None) -> set[str]:
    """The urgency levels an outcome allows (all of them for no outcome)."""
    levels = set(URGENCY_RANK)
    if outcome is None:
        return levels
    if outcome.urgency:
        levels &= {outcome.urgency}
    if outcome.urgency_at_least:
        levels &= {
            u for u, r in URGENCY_RANK.items() if r >= URGENCY_RANK[outcome.urgency_at_least]
        }
    if outcome.urgency_at_most:
        levels &= {u for u, r in URGENCY_RANK.items() if r <= URGENCY_RANK[outcome.urgency_at_most]}
    return levels


def cannot_fail(inv: Invariant) -> bool:
    """True when `require` follows from `when_result` alone (or allows any result at all).

    Such an invariant passes for every rule base, so its proof guards nothing: an
    `urgency_at_least: self_care`, or a requirement that repeats its own premise.
    """
    premise = inv.when_result
    if not _levels(premise) <= _levels(inv.require):
        return False
    given = premise or Outcome()
    return set(inv.require.includes) <= set(given.includes) and set(inv.require.excludes) <= set(
        given.excludes
    )


def expectation(require: Outcome) -> dict[str, Any]:
    """The `expect` block a case file can state for a requirement.

    Case files know only an exact urgency, so "at least L" and "at most L" become L itself:
    the nearest level the invariant accepts.
    """
    expect: dict[str, Any] = {}
    urgency = require.urgency or require.urgency_at_least or require.urgency_at_most
    if urgency:
        expect["urgency"] = urgency
    if require.includes:
        expect["includes"] = list(require.includes)
    if require.excludes:
        expect["excludes"] = list(require.excludes)
    return expect


def counterexample_case(inv: Invariant, answers: Mapping[str, Any], folder: Path) -> str:
    """A case file for the counterexample, with the schema comment pointing from `folder`."""
    schema = Path(__file__).resolve().parents[2] / "schemas" / "case.schema.json"
    try:
        schema_ref = Path(os.path.relpath(schema, folder.resolve())).as_posix()
    except ValueError:  # another drive: an absolute path still works for editors
        schema_ref = schema.as_posix()
    title = f"Counterexample to invariant {inv.id}: {inv.description}"
    return dump_case(answers, title=title, expect=expectation(inv.require), schema=schema_ref)
