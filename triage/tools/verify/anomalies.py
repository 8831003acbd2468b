"""Rule anomalies: dead or always-on rules, duplicates, conflicts, unused parts, gaps.

The semantic checks ask the search (`search.Solver`) whether some answers exist, so "can
never fire" or "always held back" is proved over the whole answer space, findings chains
included, not guessed from the text of the rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from triage.evaluate.reference import ReferenceEvaluator
from triage.model.conditions import All, AnyOf, AtLeast, Condition, render
from triage.model.conditions import Not as NotCondition
from triage.model.errors import Location
from triage.model.knowledge import KnowledgeBase, Rule
from triage.model.result import Result
from triage.model.vocabulary import INCOMPATIBLE_CATEGORIES, URGENCY_RANK
from triage.tools.verify.goals import And, Fires, Gives, Not, Or
from triage.tools.verify.report import Diagnostic
from triage.tools.verify.search import Answers, Solver

Witnesses = Mapping[str, Answers | None]


class Context:
    """What the checks share: the base, the solver and one exact evaluator."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.solver = Solver(kb)
        self.reference = ReferenceEvaluator(kb)
        self._results: dict[tuple, Result] = {}
        self.examples: list[Answers] = []  # answers found along the way, reused as tests

    def evaluate(self, answers: Mapping[str, Any]) -> Result:
        key = tuple(sorted(answers.items()))
        if key not in self._results:
            self._results[key] = self.reference.evaluate(answers)
        return self._results[key]

    def describe(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """What the rules conclude for these answers, for the lines under an example."""
        result = self.evaluate(answers)
        recs = ", ".join(f"{r.id} ({r.category})" for r in result.recommendations) or "none"
        fired = ", ".join(result.fired) or "none"
        return (f"result: urgency {result.urgency}; recommendations: {recs}; fired: {fired}",)


def reachability(ctx: Context) -> tuple[list[Diagnostic], dict[str, Answers | None]]:
    """E101 (never fires) and W201 (always fires), plus one firing example per rule."""
    out: list[Diagnostic] = []
    witnesses: dict[str, Answers | None] = {}
    for rule in ctx.kb.rules:
        witness = ctx.solver.witness(Fires(rule.id))
        witnesses[rule.id] = witness
        if witness is None:
            reads = sorted(set(rule.when.findings()))
            why = f"no answers satisfy {render(rule.when)}"
            if reads:
                why += f" (it reads {_names('finding', reads)}: see the rules concluding them)"
            out.append(Diagnostic("E101", f"rule `{rule.id}` can never fire: {why}", rule.location))
            continue
        ctx.examples.append(witness)
        counter = ctx.solver.witness(Not(Fires(rule.id)))
        if counter is not None:
            ctx.examples.append(counter)
        else:
            out.append(
                Diagnostic(
                    "W201",
                    f"rule `{rule.id}` fires whatever the answers: {render(rule.when)} "
                    "always holds",
                    rule.location,
                )
            )
    return out, witnesses


def canonical(cond: Condition) -> Condition:
    """The condition with the items of every `all` / `any` in a fixed order, repeats gone.

    Two rules whose conditions differ only in the order of their items are the same test;
    comparing canonical forms proves that without a search.
    """
    if isinstance(cond, All | AnyOf):
        items = {repr(item): item for item in map(canonical, cond.items)}
        return type(cond)(tuple(items[key] for key in sorted(items)))
    if isinstance(cond, AtLeast):
        return AtLeast(cond.count, tuple(sorted(map(canonical, cond.items), key=repr)))
    if isinstance(cond, NotCondition):
        return NotCondition(canonical(cond.item))
    return cond


def _contained(small: Rule, big: Rule) -> bool:
    """Whether everything `small` concludes, `big` concludes too (or more urgently)."""
    if small.urgency and not (
        big.urgency and URGENCY_RANK[small.urgency] <= URGENCY_RANK[big.urgency]
    ):
        return False
    return set(small.recommend) <= set(big.recommend) and set(small.findings) <= set(big.findings)


def _same_conclusions(a: Rule, b: Rule) -> bool:
    return (
        a.urgency == b.urgency
        and set(a.recommend) == set(b.recommend)
        and set(a.findings) == set(b.findings)
    )


def duplicates(ctx: Context, witnesses: Witnesses) -> list[Diagnostic]:
    """W202 (same condition, same conclusions) and W203 (implied by a rule saying more)."""
    kb, solver = ctx.kb, ctx.solver
    implied: dict[tuple[str, str], bool] = {}
    # For each rule, the rules that fired in every example where it fired: a rule outside
    # that set is not implied, with no search. Each search that finds a new example
    # narrows the sets further.
    company: dict[str, set[str]] = {}

    def learn(example: Answers) -> None:
        fired = set(ctx.evaluate(example).fired)
        for rule_id in fired:
            company[rule_id] = company[rule_id] & fired if rule_id in company else set(fired)

    for example in ctx.examples:
        learn(example)

    def implies(a: Rule, b: Rule) -> bool:
        if (a.id, b.id) not in implied:
            if b.id not in company.get(a.id, {b.id}):
                implied[a.id, b.id] = False
            elif canonical(a.when) == canonical(b.when):
                implied[a.id, b.id] = True  # the same test, written in another order
            else:
                example = solver.witness(And((Fires(a.id), Not(Fires(b.id)))))
                if example is not None:
                    learn(example)
                implied[a.id, b.id] = example is None
        return implied[a.id, b.id]

    live = [
        rule
        for rule in sorted(kb.rules, key=lambda r: r.location)
        if witnesses[rule.id] is not None
    ]
    out: list[Diagnostic] = []
    reported: set[str] = set()
    for i, later in enumerate(live):
        for earlier in live[:i]:
            if earlier.id in reported:
                continue
            same = _same_conclusions(earlier, later)
            if same and implies(later, earlier) and implies(earlier, later):
                out.append(
                    Diagnostic(
                        "W202",
                        f"rule `{later.id}` duplicates rule `{earlier.id}` "
                        f"({earlier.location}): the same conditions with the same conclusions",
                        later.location,
                    )
                )
                reported.add(later.id)
                break
    for small in live:
        if small.id in reported:
            continue
        for big in live:
            if big is small or big.id in reported or not _contained(small, big):
                continue
            if implies(small, big):
                out.append(
                    Diagnostic(
                        "W203",
                        f"rule `{small.id}` is redundant: whenever it fires, rule `{big.id}` "
                        f"({big.location}) fires too and concludes everything it does",
                        small.location,
                    )
                )
                break
    return out


def conflicts(ctx: Context) -> list[Diagnostic]:
    """E102: two rules that can fire together and give incompatible advice, unresolved.

    The catalogue can resolve such a pair (`max_urgency`, `displaced_by`), so the test is on
    what the result finally shows: both recommendations present for some answers.
    """
    kb, solver = ctx.kb, ctx.solver
    makers: dict[str, list[Rule]] = {}
    for rule in kb.rules:
        for rec_id in rule.recommend:
            makers.setdefault(rec_id, []).append(rule)
    by_category: dict[str, list[str]] = {}
    for rec in kb.recommendations.values():
        if rec.id in makers:
            by_category.setdefault(rec.category, []).append(rec.id)
    out: list[Diagnostic] = []
    seen: set[tuple[str, str, str, str]] = set()
    for first, second in INCOMPATIBLE_CATEGORIES:
        for x in by_category.get(first, ()):
            for y in by_category.get(second, ()):
                if solver.witness(And((Gives(x), Gives(y)))) is None:
                    continue
                for a in makers[x]:
                    for b in makers[y]:
                        if (a.id, b.id, x, y) in seen:
                            continue
                        seen.add((a.id, b.id, x, y))
                        both = (Fires(a.id), Fires(b.id), Gives(x), Gives(y))
                        example = solver.smallest(And(both))
                        if example is None:
                            continue
                        if a is b:
                            who = f"rule `{a.id}` gives"
                        else:
                            who = (
                                f"rules `{a.id}` and `{b.id}` ({b.location}) can fire "
                                "together and give"
                            )
                        out.append(
                            Diagnostic(
                                "E102",
                                f"{who} `{x}` ({first}) next to `{y}` ({second}); "
                                "nothing in the catalogue (max_urgency, displaced_by) holds "
                                "one of them back",
                                a.location,
                                example,
                                ctx.describe(example),
                            )
                        )
    return out


def finding_usage(ctx: Context, witnesses: Witnesses) -> list[Diagnostic]:
    """W204 (concluded, never read) and E103 (read, but no rule that concludes it can fire).

    A finding that only picks the result's one-sentence pattern (notices.yaml) is read too:
    it changes what the lifter is told.
    """
    kb = ctx.kb
    readers: dict[str, list[Rule]] = {}
    for rule in kb.rules:
        for name in dict.fromkeys(rule.when.findings()):
            readers.setdefault(name, []).append(rule)
    used_by_invariants = {
        name for inv in kb.invariants if inv.when is not None for name in inv.when.findings()
    } | {pattern.finding for pattern in kb.patterns if pattern.finding}
    producers: dict[str, list[Rule]] = {}
    for rule in sorted(kb.rules, key=lambda r: r.location):
        for name in rule.findings:
            producers.setdefault(name, []).append(rule)
    out: list[Diagnostic] = []
    for name, rules in sorted(producers.items()):
        if name not in readers and name not in used_by_invariants:
            out.append(
                Diagnostic(
                    "W204",
                    f"finding `{name}` is concluded by rule `{rules[0].id}` but no rule reads it",
                    rules[0].location,
                )
            )
    for name, rules in sorted(readers.items()):
        makers = producers.get(name, [])
        if makers and all(witnesses.get(rule.id) is None for rule in makers):
            reader = min(rules, key=lambda r: r.location)
            out.append(
                Diagnostic(
                    "E103",
                    f"rule `{reader.id}` reads finding `{name}`, but no rule that concludes it "
                    f"can ever fire ({', '.join(f'`{r.id}`' for r in makers)})",
                    reader.location,
                )
            )
    return out


def unreachable_recommendations(ctx: Context, witnesses: Witnesses) -> list[Diagnostic]:
    """W205: recommendations no answers can bring into a result."""
    kb, solver = ctx.kb, ctx.solver
    out: list[Diagnostic] = []
    for rec in kb.recommendations.values():
        makers = [rule for rule in kb.rules if rec.id in rule.recommend]
        if not makers:
            why = "no rule recommends it"
        elif all(witnesses.get(rule.id) is None for rule in makers):
            why = "no rule recommending it can ever fire"
        elif solver.witness(Gives(rec.id)) is None:
            held = []
            if rec.max_urgency:
                held.append(f"max_urgency {rec.max_urgency}")
            if rec.displaced_by:
                held.append("displaced_by " + ", ".join(rec.displaced_by))
            why = "whenever a rule recommends it, it is held back (" + "; ".join(held) + ")"
        else:
            continue
        out.append(
            Diagnostic("W205", f"recommendation `{rec.id}` is never given: {why}", rec.location)
        )
    return out


def unused_questions(ctx: Context) -> list[Diagnostic]:
    """W206: questions that no rule reads, so their answers change nothing."""
    read = {fact for rule in ctx.kb.rules for fact in rule.when.facts()}
    return [
        Diagnostic("W206", f"question `{qid}` is asked but no rule uses it", question.location)
        for qid, question in ctx.kb.questions.items()
        if qid not in read
    ]


_OWN_NUMBER = re.compile(r"^\s*(\d+)\s*[.):]\s")


def numbered_steps(ctx: Context) -> list[Diagnostic]:
    """W209: a step that starts with its own number; screens number steps, so it reads "1. 1."."""
    out = []
    for rec in ctx.kb.recommendations.values():
        for index, step in enumerate(rec.steps, start=1):
            match = _OWN_NUMBER.match(step)
            if match:
                out.append(
                    Diagnostic(
                        "W209",
                        f"step {index} of recommendation `{rec.id}` starts with the number "
                        f"`{match.group(1)}`; steps are numbered when shown, so leave it out",
                        rec.location,
                    )
                )
    return out


def gaps(ctx: Context) -> list[Diagnostic]:
    """W207: answers for which the result recommends nothing at all (smallest example)."""
    kb = ctx.kb
    made = list(dict.fromkeys(rec_id for rule in kb.rules for rec_id in rule.recommend))
    goal = Not(Or(tuple(Gives(rec_id) for rec_id in made)))
    example = ctx.solver.smallest(goal)
    if example is None:
        return []
    return [
        Diagnostic(
            "W207",
            "gap: for some answers no rule recommends anything; the smallest such answers are "
            "below (every other question unanswered)",
            Location(_display(kb.root)),
            example,
            ctx.describe(example),
        )
    ]


def _names(kind: str, names: list[str]) -> str:
    quoted = ", ".join(f"`{name}`" for name in names)
    return f"{kind} {quoted}" if len(names) == 1 else f"{kind}s {quoted}"


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
