"""The goal-driven interview: ask only what can still change the result, dangerous things first.

Usage (the whole API; nothing here prints or exits)::

    from triage.interview import Interview, parse_reply, parse_ticks, replay

    interview = Interview(kb)                 # or Interview(kb, answers, asked) to resume
    while (question := interview.next_question()) is not None:
        interview.answer(question.id, parse_reply(question, input()))   # or .skip()
        # interview.back() undoes the last screen; interview.why() explains the
        # current question (the rule it serves and what is already known)
    result = interview.result()               # a Result, from the Experta engine

    step = interview.next_step()              # the same, a screen at a time: one question, or
    interview.answer_step(step, {fact: True, other: False, unsure: None})   # a checklist
    interview.screens                         # screens answered so far

    replayed = replay(kb, case.answers)       # answers every question from a case, unknown
    replayed.asked                            # where it has none; ids in the order asked

    engine_for(kb)                            # the Experta engine `result()` uses, compiled
                                              # once per base; pass evaluator= to use another

    text = case_text(interview, title, path, final=False)   # a case file `triage run` reads,
    interview, case = read_interview(path, kb)               # and the interview back from it

How the next question is chosen. The facts not asked yet are "pending": they may still take any
value or stay unknown. Three-valued evaluation of the whole base (`triage.evaluate.partial`)
tells, for every rule, recommendation and the urgency, whether it is settled whatever the
pending answers turn out to be. The interview stops as soon as the urgency, the recommendations
and their order are settled; nothing asked later could change them, so the result of the short
interview equals the result of the full case. Otherwise it walks the rules in evaluation order
(red flags first) and pursues the first undecided rule whose firing could still change
something: an urgency above the current lower bound, a recommendation (or one that displaces it)
that is still open, the order of recommendations, or a finding an open rule reads. It asks the
first pending fact that could decide that rule's condition, in reading order, so a refining
question (the size of a load jump) comes only after the answer that makes it matter (there was a
jump).

Every step re-evaluates the whole base over the partial answers: about 0.4 ms with the shipped
rules (71 at the time of writing), far below a visible pause, so no incremental bookkeeping is
needed. The Experta engine is compiled only when a result is first asked for, once per
knowledge base, so the first question appears without waiting for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.evaluate.evaluator import Evaluator, engine_for
from triage.evaluate.partial import PartialOutcome, partial_outcome
from triage.files.casefile import dump_case
from triage.files.cases import Case, parse_case, read_case_text
from triage.model.conditions import MAYBE, render
from triage.model.errors import InputError, Location, Problem, ReplyError, closest
from triage.model.knowledge import Checklist, KnowledgeBase, Question, Rule
from triage.model.result import Result
from triage.model.values import quoted_value
from triage.model.vocabulary import URGENCY_RANK

ASKED_MARK = "# asked:"

__all__ = ["Interview", "ReplyError", "engine_for", "parse_reply", "replay"]


@dataclass(frozen=True)
class Why:
    """What `why` shows: the rule the current question serves and what is already known."""

    question: Question
    rule: Rule | None
    condition: str
    known: tuple[tuple[str, Any], ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One screen: a single question, or the items of a checklist that can still matter.

    A checklist screen lists only the pending items whose answer could still change the
    result; the others stay pending and are asked later if they come to matter.
    """

    questions: tuple[Question, ...]
    checklist: Checklist | None = None

    @property
    def question(self) -> Question:
        return self.questions[0]


class Interview:
    """One lifter's interview: the answers so far, and which question to ask next.

    `answers` and `asked` restore an interview in progress: every fact in `asked` that has no
    answer was skipped ("don't know"), and answered facts missing from `asked` count as asked
    after it, in the order given. `known` answers were never asked (a later check-in carries
    them over from an earlier one): they count in the result, but not as questions or
    screens, and `back` does not undo them.
    """

    def __init__(
        self,
        kb: KnowledgeBase,
        answers: Mapping[str, Any] | None = None,
        asked: Iterable[str] = (),
        evaluator: Evaluator | None = None,
        known: Mapping[str, Any] | None = None,
    ) -> None:
        self.kb = kb
        self._evaluator = evaluator
        self._asked: list[str] = []
        self._known = {fact: _checked(kb, fact, value) for fact, value in (known or {}).items()}
        self._answers: dict[str, Any] = dict(self._known)
        given = dict(answers or {})
        for fact in [*asked, *given]:
            if fact in self._answers or fact in self._asked:
                continue
            if fact in given:
                self._answers[fact] = _checked(kb, fact, given[fact])
            else:
                _question(kb, fact)
            self._asked.append(fact)
        self._pending = self._unasked()
        self._next: tuple[Question | None, Rule | None] | None = None
        # How many facts each screen recorded, so `back` undoes a whole checklist at once. A
        # resumed interview counts a run of one checklist's items as the one screen it was.
        self._screens: list[int] = []
        previous = None
        for fact in self._asked:
            checklist = kb.checklist_of.get(fact)
            if checklist is not None and checklist is previous:
                self._screens[-1] += 1
            else:
                self._screens.append(1)
            previous = checklist

    @property
    def asked(self) -> tuple[str, ...]:
        """Fact ids in the order they were asked (answered or skipped)."""
        return tuple(self._asked)

    @property
    def answers(self) -> dict[str, Any]:
        """The known answers, in the order given; skipped facts are absent (unknown)."""
        return dict(self._answers)

    @property
    def skipped(self) -> tuple[str, ...]:
        return tuple(fact for fact in self._asked if fact not in self._answers)

    @property
    def screens(self) -> int:
        """Screens answered so far (a checklist is one screen, however many items it has)."""
        return len(self._screens)

    def next_question(self) -> Question | None:
        """The question to ask now, or None when no answer could change the result any more."""
        if self._next is None:
            self._next = _choose(self.kb, self._answers, self._pending)
        return self._next[0]

    def next_step(self) -> Step | None:
        """The next screen: the next question, with its checklist's other open items."""
        question = self.next_question()
        if question is None:
            return None
        checklist = self.kb.checklist_of.get(question.id)
        if checklist is None:
            return Step((question,))
        useful = _useful_facts(self.kb, self._answers, self._pending)
        facts = [
            item.fact
            for item in checklist.items
            if item.fact == question.id or (item.fact in useful and item.fact in self._pending)
        ]
        if len(facts) == 1:
            return Step((question,))
        return Step(tuple(self.kb.questions[fact] for fact in facts), checklist)

    def answer_step(self, step: Step, values: Mapping[str, Any]) -> None:
        """Record one screen: a value for each of its questions, None for "don't know"."""
        for question in step.questions:
            value = values.get(question.id)
            if value is None:
                self.skip(question.id)
            else:
                self.answer(question.id, value)
        count = len(step.questions)
        del self._screens[len(self._screens) - count :]
        self._screens.append(count)

    def answer(self, fact: str, value: Any) -> None:
        """Record an answer; a fact already asked, or a value outside its domain, is an error."""
        if fact in self._asked or fact in self._known:
            raise InputError(
                Problem(Location("<interview>"), f"`{fact}` was already asked", code="I405")
            )
        self._answers[fact] = _checked(self.kb, fact, value)
        self._record(fact)

    def skip(self, fact: str | None = None) -> None:
        """Record "don't know" for a fact (the current question by default): asked, unknown."""
        if fact is None:
            question = self.next_question()
            if question is None:
                raise InputError(
                    Problem(Location("<interview>"), "no question left to skip", code="I405")
                )
            fact = question.id
        _question(self.kb, fact)
        if fact in self._asked or fact in self._known:
            raise InputError(
                Problem(Location("<interview>"), f"`{fact}` was already asked", code="I405")
            )
        self._record(fact)

    def back(self) -> str | None:
        """Undo the last screen; returns its first fact id, or None at the start."""
        if not self._asked:
            return None
        count = self._screens.pop() if self._screens else 1
        fact = ""
        for _ in range(count):
            fact = self._asked.pop()
            self._answers.pop(fact, None)
        self._pending = self._unasked()
        self._next = None
        return fact

    def why(self) -> Why | None:
        """The rule the current question serves, and the answers already known."""
        question = self.next_question()
        if question is None:
            return None
        assert self._next is not None
        rule = self._next[1]
        return Why(
            question=question,
            rule=rule,
            condition=render(rule.when) if rule is not None else "",
            known=tuple((f, self._answers[f]) for f in self._asked if f in self._answers),
            unknown=self.skipped,
        )

    def outcome(self) -> PartialOutcome:
        """The three-valued outcome over the answers so far (what is settled, what is open)."""
        return partial_outcome(self.kb, self._answers, set(self._pending))

    def result(self) -> Result:
        """The result of the answers so far; facts never asked are unknown."""
        evaluator = self._evaluator or engine_for(self.kb)
        return evaluator.evaluate(self._answers)

    def _unasked(self) -> list[str]:
        return [f for f in self.kb.questions if f not in self._asked and f not in self._known]

    def _record(self, fact: str) -> None:
        self._asked.append(fact)
        self._pending.remove(fact)
        self._screens.append(1)
        self._next = None


def replay(
    kb: KnowledgeBase, answers: Mapping[str, Any], evaluator: Evaluator | None = None
) -> Interview:
    """Run an interview to its end, answering each question from `answers` (unknown if absent)."""
    interview = Interview(kb, evaluator=evaluator)
    while (step := interview.next_step()) is not None:
        interview.answer_step(step, {q.id: answers.get(q.id) for q in step.questions})
    return interview


# --- choosing the next question -------------------------------------------------------------


def _choose(
    kb: KnowledgeBase, answers: Mapping[str, Any], pending_order: list[str]
) -> tuple[Question | None, Rule | None]:
    pending = set(pending_order)
    outcome = partial_outcome(kb, answers, pending)
    order_rules = _order_open(kb, outcome)
    if outcome.determined and not order_rules:
        return None, None
    relevant = _relevant_rules(kb, outcome, order_rules)
    found = outcome.findings
    for rule in kb.rules:
        if rule.id in relevant:
            for fact in rule.when.pending_facts(answers, pending, found):
                return kb.questions[fact], rule
    # Unreachable for a stratified base (an open rule always leads to a pending fact), but
    # asking the next pending fact keeps the interview sound whatever the base looks like.
    for rule in kb.rules:
        if outcome.rules[rule.id] is MAYBE:
            for fact in rule.when.pending_facts(answers, pending, found):
                return kb.questions[fact], rule
    return (kb.questions[pending_order[0]], None) if pending_order else (None, None)


def _useful_facts(
    kb: KnowledgeBase, answers: Mapping[str, Any], pending_order: list[str]
) -> set[str]:
    """Pending facts that could still decide a rule whose firing could change the result."""
    pending = set(pending_order)
    outcome = partial_outcome(kb, answers, pending)
    relevant = _relevant_rules(kb, outcome, _order_open(kb, outcome))
    found = outcome.findings
    return {
        fact
        for rule in kb.rules
        if rule.id in relevant
        for fact in rule.when.pending_facts(answers, pending, found)
    }


def _relevant_rules(kb: KnowledgeBase, out: PartialOutcome, order_rules: set[str]) -> set[str]:
    """Undecided rules whose firing could still change the urgency, recommendations or order.

    Walked backwards, so a rule that concludes a finding counts when an open rule reads it
    (the loader orders every producer of a finding before its readers).
    """
    recs = kb.recommendations
    low = URGENCY_RANK[out.urgency_low]
    open_recs = [rid for rid, value in out.recommendations.items() if value is MAYBE]
    matter: set[str] = set()
    for rid, made in out.produced.items():
        if made is not MAYBE:
            continue
        if out.recommendations.get(rid) is MAYBE:
            matter.add(rid)
            continue
        names = {rid, recs[rid].category}
        if any(other != rid and names & set(recs[other].displaced_by) for other in open_recs):
            matter.add(rid)
    relevant: set[str] = set()
    wanted: set[str] = set()
    for rule in reversed(kb.rules):
        if out.rules[rule.id] is not MAYBE:
            continue
        if (
            (rule.urgency and URGENCY_RANK[rule.urgency] > low)
            or rule.id in order_rules
            or any(rid in matter for rid in rule.recommend)
            or any(name in wanted for name in rule.findings)
        ):
            relevant.add(rule.id)
            wanted.update(rule.when.findings())
    return relevant


def _order_open(kb: KnowledgeBase, out: PartialOutcome) -> set[str]:
    """Undecided rules that could still change the order of recommendations that are settled.

    A result lists a category's recommendations in the order their first producing rule fired.
    A given recommendation's place is known once no undecided rule producing it comes before
    its first sure producer; two of one category whose possible places overlap keep their
    undecided producers open.
    """
    spans: dict[str, list[Any]] = {}  # rec id -> [earliest place, sure place, open rules]
    for index, rule in enumerate(kb.rules):
        status = out.rules[rule.id]
        if status is False:
            continue
        for pos, rid in enumerate(rule.recommend):
            if out.recommendations.get(rid) is not True:
                continue
            span = spans.setdefault(rid, [(index, pos), None, []])
            if span[1] is not None:
                continue
            if status is True:
                span[1] = (index, pos)
            else:
                span[2].append(rule.id)
    by_category: dict[str, list[list[Any]]] = {}
    for rid, span in spans.items():
        by_category.setdefault(kb.recommendations[rid].category, []).append(span)
    result: set[str] = set()
    for spans_of in by_category.values():
        for i, first in enumerate(spans_of):
            for second in spans_of[i + 1 :]:
                if first[0] <= second[1] and second[0] <= first[1]:
                    result.update(first[2])
                    result.update(second[2])
    return result


# --- answers as typed -----------------------------------------------------------------------


_NUMBER = re.compile(r"[+-]?(\d{1,15}(\.\d{0,15})?|\.\d{1,15})\Z", re.ASCII)


def parse_reply(question: Question, text: str) -> Any:
    """Turn a typed reply into a value in the question's domain, or raise ReplyError."""
    reply = text.strip()
    low = reply.lower()
    if question.type == "bool":
        if low in ("y", "yes", "true"):
            return True
        if low in ("n", "no", "false"):
            return False
        raise ReplyError("please answer yes or no (y or n)", "R101")
    if question.type == "enum":
        values = question.values
        if low.isdecimal() and len(low) < 6 and 1 <= int(low) <= len(values):
            return values[int(low) - 1]
        named = [v for v in values if v.lower() == low or v.lower().replace("_", " ") == low]
        if not named and low:
            named = [v for v in values if v.lower().startswith(low.replace(" ", "_"))]
        if len(named) == 1:
            return named[0]
        return _enum_error(question, reply, named)
    if low in question.words:
        return _parse_number(question, f"{question.words[low]:g}")
    return _parse_number(question, low)


def parse_ticks(count: int, text: str) -> tuple[set[int], set[int]]:
    """The items ticked on a checklist of `count` items, and those marked "not sure".

    `1 3` ticks items 1 and 3 (the others are no); `0` or `none` ticks nothing; `skip 4`
    after the numbers leaves item 4 unknown (`skip` alone is handled as skipping the screen).
    `3-7` stands for 3 4 5 6 7, so a part of the list the lifter cannot tell (a squat never
    filmed) is one word: `2 skip 3-7`.
    """
    reply = text.strip().lower()
    if reply in ("0", "none", "no", "n"):
        return set(), set()
    ticked: set[int] = set()
    unsure: set[int] = set()
    target = ticked
    parts = [part for part in re.split(r"[\s,;]+", reply) if part]
    for index, part in enumerate(parts):
        if part in ("skip", "unsure"):
            target = unsure
            continue
        if part in ("0", "none", "no", "n") and index == 0 and parts[1:2] in (["skip"], ["unsure"]):
            continue  # `0 skip 3-7`: none of the others, not sure of 3 to 7
        first, dash, last = part.partition("-")
        numbers = [first, last] if dash else [first]
        if not all(n.isascii() and n.isdigit() and 1 <= int(n) <= count for n in numbers) or (
            dash and int(first) > int(last)
        ):
            raise ReplyError(
                f"type the numbers of the items that apply, from 1 to {count} "
                "(such as 1 3, or 2-4 for 2 3 4), or 0 if none do; add skip and the "
                "numbers you are not sure of (1 skip 4, 0 skip 3-5)",
                "R104",
            )
        target.update(range(int(first), int(numbers[-1]) + 1))
    if not ticked and not unsure:
        raise ReplyError(f"type the numbers that apply (1 to {count}), or 0 if none do", "R104")
    if ticked & unsure:
        both = " ".join(str(n) for n in sorted(ticked & unsure))
        raise ReplyError(f"item {both} is both ticked and marked not sure; pick one", "R104")
    return ticked, unsure


def _enum_error(question: Question, reply: str, named: list[str]) -> Any:
    count = len(question.values)
    if named:
        # The choices as the screen lists them: their numbers and labels, never the value ids.
        choices = " or ".join(
            f"{question.values.index(v) + 1} ({question.labels.get(v, v)})" for v in named
        )
        raise ReplyError(f"`{reply}` could be {choices}; type a number from 1 to {count}", "R102")
    hint = closest(reply, question.values) if reply else None
    text = f"please type the number of your answer, from 1 to {count}"
    raise ReplyError(text + (f" (did you mean `{hint}`?)" if hint else ""), "R102", hint)


def _parse_number(question: Question, low: str) -> Any:
    if question.unit:
        for suffix in (question.unit, "%" if question.unit == "percent" else question.unit):
            if low.endswith(suffix):
                low = low[: -len(suffix)].strip()
    domain = question.domain_text() + (f" ({question.unit})" if question.unit else "")
    if not _NUMBER.match(low):
        raise ReplyError(f"please type {domain}", "R103")
    value: Any = float(low)
    if question.type == "integer":
        if not value.is_integer():
            raise ReplyError(f"{low} is not a whole number; please type {domain}", "R103")
        value = int(value)
    elif value.is_integer() and "." not in low:
        value = int(value)
    if not question.accepts(value):
        raise ReplyError(f"please type {domain}", "R103")
    return value


def _question(kb: KnowledgeBase, fact: str) -> Question:
    question = kb.questions.get(fact)
    if question is None:
        raise InputError(
            Problem(
                Location("<interview>"),
                f"unknown fact `{fact}`",
                closest(fact, kb.questions),
                code="I401",
            )
        )
    return question


def _checked(kb: KnowledgeBase, fact: str, value: Any) -> Any:
    question = _question(kb, fact)
    if not question.accepts(value):
        raise InputError(
            Problem(
                Location("<interview>"),
                f"{quoted_value(value)} is outside the domain of `{fact}`; "
                f"expected {question.domain_text()}",
                code="I402",
            )
        )
    if question.type == "integer" and isinstance(value, float):
        return int(value)
    return value


# --- saving and resuming --------------------------------------------------------------------

SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "case.schema.json"


def case_text(
    interview: Interview, title: str, path: Path | str | None = None, final: bool = True
) -> str:
    """The interview as a case file that `triage run` accepts, ready to resume.

    The case format has no place for "asked but unknown", so the order of the questions asked
    goes in `# asked:` comment lines: a fact listed there without an answer was skipped. The
    comment is optional on reading (without it, skipped questions are asked again), so a file
    edited by hand stays usable. A finished interview also gets an `expect` block with its
    result, so the file becomes a regression case.
    """
    kb = interview.kb
    answers = interview.answers
    ordered = {fact: answers[fact] for fact in kb.questions if fact in answers}
    expect = None
    if final:
        result = interview.result()
        expect = {
            "urgency": result.urgency,
            "includes": [rec.id for rec in result.recommendations],
        }
    text = dump_case(ordered, title=title, expect=expect, schema=schema_ref(path))
    head, _, body = text.partition("\n")
    lines = [head]
    lines.append(
        "# Asked in this order; a question listed here without an answer was skipped (unknown)."
    )
    lines.extend(ASKED_MARK + " " + chunk for chunk in _chunks(interview.asked))
    return "\n".join(lines) + "\n" + body


def _chunks(facts: Iterable[str], width: int = 90) -> list[str]:
    chunks: list[str] = []
    line = ""
    for fact in facts:
        if line and len(line) + len(fact) + 2 > width:
            chunks.append(line)
            line = ""
        line = f"{line} {fact}" if line else fact
    if line:
        chunks.append(line)
    return chunks


def schema_ref(path: Path | str | None) -> str:
    """The case schema, relative to where the file goes, for editors that validate YAML."""
    if path is None:
        return str(SCHEMA_FILE)
    try:
        return Path(os.path.relpath(SCHEMA_FILE, Path(path).resolve().parent)).as_posix()
    except ValueError:  # another drive on Windows
        return SCHEMA_FILE.as_posix()


def read_interview(
    source: str, kb: KnowledgeBase, stdin: Any = None, evaluator: Evaluator | None = None
) -> tuple[Interview, Case]:
    """Restore an interview from a saved or progress file (any case file will do).

    The file is validated as a case file; `# asked:` lines, if present, restore the order and
    the skipped questions, and an unknown fact id in them is an error with its location.
    """
    name, text = read_case_text(source, stdin)
    case = parse_case(text, name, kb)
    asked = _asked_comment(text, name, kb)
    return Interview(kb, case.answers, asked, evaluator=evaluator), case


def _asked_comment(text: str, name: str, kb: KnowledgeBase) -> list[str]:
    asked: list[str] = []
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(ASKED_MARK):
            continue
        rest = line[len(ASKED_MARK) :]
        for match in re.finditer(r"[^\s,]+", rest):
            fact = match.group()
            if fact in kb.questions:
                asked.append(fact)
                continue
            column = len(ASKED_MARK) + match.start() + 1
            problems.append(
                Problem(
                    Location(name, number, column),
                    f"unknown fact `{fact}` in the list of questions asked",
                    closest(fact, kb.questions),
                    code="I401",
                )
            )
    if problems:
        raise InputError(problems)
    return asked
