"""The interview and its result as terminal text.

Every function returns a string and prints nothing, so the command stays a thin loop and the
texts can be tested directly. Colour is decided once (`wants_color`) and passed in: with colour
off the texts carry no escape codes at all.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Mapping
from typing import Any

import click

from triage.model.knowledge import Checklist, KnowledgeBase, Question, Rule
from triage.model.result import Result
from triage.model.values import show_value
from triage.model.vocabulary import CATEGORY_TITLES, URGENCY_WORDS
from triage.render.words import LIFTER, conclusions_text, plural
from triage.tools.advice import Advice, contributing

WIDTH = 88  # the widest text gets, however wide the terminal
NARROWEST = 40

URGENCY_COLORS: dict[str, str] = {
    "self_care": "green",
    "doctor_if_not_better": "yellow",
    "doctor_soon": "magenta",
    "emergency": "red",
}

COMMANDS_HINT = "? help · why · back · skip (don't know) · quit"
CHECKLIST_HINT = (
    "the numbers that apply, such as 1 3 · 0 or none · ?2 help on item 2 · skip (not sure of "
    "any) · 1 skip 4 (item 1 yes, not sure of item 4) · 3-5 for 3 4 5"
)


def terminal_width(environ: Mapping[str, str] | None = None) -> int:
    """The width to wrap at: the terminal's (COLUMNS when set), never above WIDTH."""
    columns = shutil.get_terminal_size((WIDTH, 24)).columns
    return max(NARROWEST, min(WIDTH, columns))


def wants_color(no_color_flag: bool, environ: Mapping[str, str], is_tty: bool) -> bool:
    """Colour only on a terminal, and never when asked not to (`--no-color`, or NO_COLOR set
    to anything but the empty string, as no-color.org defines it)."""
    return is_tty and not no_color_flag and not environ.get("NO_COLOR")


class Screen:
    def __init__(self, color: bool, width: int = WIDTH) -> None:
        self.color = color
        self.width = max(NARROWEST, min(WIDTH, width))

    def wrap(self, text: str, indent: str = "", subsequent: str | None = None) -> str:
        return wrap(text, indent, subsequent, self.width)

    def style(self, text: str, **styles: Any) -> str:
        return click.style(text, **styles) if self.color else text

    # --- the interview -------------------------------------------------------------------

    def welcome(self, count: int, resumed: int = 0) -> str:
        lines = [
            self.style("Lower-back soreness after squats: a few questions", bold=True),
            self.wrap(
                "It takes about two minutes: you are only asked what can still change the "
                "advice, warning signs first. Lists are answered with the numbers that apply."
            ),
            self.wrap(f"At any question you can type: {COMMANDS_HINT}."),
        ]
        if resumed:
            lines.append(
                self.wrap(
                    f"Continuing an earlier interview: {plural(resumed, 'question')} already "
                    "answered."
                )
            )
        return "\n".join(lines)

    def question(self, question: Question, number: int) -> str:
        lines = ["", self.style(f"Question {number}", dim=True)]
        lines.append(self.style(self.wrap(question.prompt), bold=True))
        if question.type == "enum":
            for index, value in enumerate(question.values, start=1):
                label = question.labels.get(value, value)
                lines.append(self.wrap(f"{index}. {label}", indent="  ", subsequent="     "))
        return "\n".join(lines)

    def prompt(self, question: Question) -> str:
        return f"{input_hint(question)} > "

    def invalid(self, message: str) -> str:
        message = message[:1].upper() + message[1:]  # a hint is a sentence of its own
        return self.style(self.wrap(f"{message}; or type ? for help.", "  ", "  "), fg="red")

    def help(self, question: Question) -> str:
        lines = []
        if question.help:
            lines.append(self.wrap(question.help, indent="  "))
        if question.why:
            lines.append(self.wrap("Why we ask: " + question.why, indent="  "))
        lines.append(
            self.wrap(f"Answer with {input_hint(question)}. Commands: {COMMANDS_HINT}.", "  ")
        )
        return "\n".join(lines)

    def checklist(self, checklist: Checklist, questions: tuple[Question, ...], number: int) -> str:
        """A checklist screen: the open items, numbered, answered with the numbers that apply."""
        lines = ["", self.style(f"Question {number}", dim=True)]
        lines.append(self.style(self.wrap(checklist.prompt), bold=True))
        digits = len(str(len(questions)))
        parts = [checklist.part_of(question.id) for question in questions]
        for index, question in enumerate(questions, start=1):
            part = parts[index - 1]
            if part and (index == 1 or parts[index - 2] != part):
                numbers = [n for n, p in enumerate(parts, start=1) if p == part]
                span = str(numbers[0]) + (f"-{numbers[-1]}" if len(numbers) > 1 else "")
                lines.append(self.wrap(part.replace("{numbers}", span), "  ", "  "))
            text = checklist.item(question.id).text
            # The padding goes in the indent: `wrap` collapses spaces inside the text.
            pad = " " * (2 + digits - len(str(index)))
            lines.append(self.wrap(f"{index}. {text}", pad, " " * (4 + digits)))
        lines.append(self.wrap(checklist.help, "  ", "  "))
        return "\n".join(lines)

    def checklist_prompt(self, count: int) -> str:
        return f"numbers 1-{count}, 0 for none > "

    def checklist_help(self, checklist: Checklist, questions: tuple[Question, ...], at: int) -> str:
        """Help on one item (`?3`), or on the whole checklist (`?`)."""
        if 1 <= at <= len(questions):
            question = questions[at - 1]
            lines = [self.wrap(f"{at}. {checklist.item(question.id).text}", "  ", "     ")]
            if question.help:
                lines.append(self.wrap(question.help, "     ", "     "))
            if question.why:
                lines.append(self.wrap("Why we ask: " + question.why, "     ", "     "))
            return "\n".join(lines)
        # The screen already shows the checklist's own help; this adds what it leaves out.
        return self.wrap(f"Answer with {CHECKLIST_HINT}. Commands: {COMMANDS_HINT}.", "  ")

    def why(self, why: Any, kb: KnowledgeBase, checklist: Checklist | None = None) -> str:
        """EMYCIN's `why`, in plain words: what this screen can change, and what is known.

        At a checklist the list's own `why` speaks for all its items (the rule behind the
        first item alone would mislead). What is known is kept short enough to leave the
        question on the screen: a checklist's unticked items are counted, not listed."""
        lines = []
        if checklist is not None and checklist.why:
            lines.append(self.wrap(checklist.why, "  "))
            lines.append(self.wrap("Type ?2 to hear why item 2 is asked, and so on.", "  "))
        else:
            if why.rule is not None:
                rule = why.rule
                lines.append(self.wrap(f"This answer helps decide: {rule.title}.", "  ", "    "))
                effect = consequence(rule, kb)
                if effect:
                    lines.append(self.wrap(f"If it applies, {effect}.", "  ", "    "))
                lines.append(self.wrap(f"Source: {rule.source}", "  ", "    "))
            if why.question.why:
                lines.append(self.wrap("Why it matters: " + why.question.why, "  "))
        if why.known:
            lines.append("  Known so far:")
            unticked = ticked = 0
            for fact, value in why.known:
                if fact in kb.checklist_of:
                    ticked += value is True
                    if value is False:
                        unticked += 1
                        continue
                text = f"- {because_words(kb, fact, value)}"
                lines.append(self.wrap(text, "    ", "      "))
            if unticked:
                other = "other " if ticked else ""
                text = f"- none of the {other}{plural(unticked, 'item')} on the lists so far"
                lines.append(self.wrap(text, "    "))
        if why.unknown:
            lines.append("  You were not sure about:")
            for fact in why.unknown:
                lines.append(self.wrap(f"- {question_words(kb, fact)}", "    ", "      "))
        return "\n".join(lines)

    def after_result(self, full: bool = False) -> str:
        more = "" if full else "more for the details and how-to steps, "
        return self.note(
            f"Type {more}how to see the rules behind this result, back to change your last "
            "answer, or press Enter to leave."
        )

    def after_prompt(self, full: bool = False) -> str:
        """The result prompt offers what the line above it offers, nothing more."""
        return "how, back or Enter > " if full else "more, how, back or Enter > "

    def note(self, text: str) -> str:
        return self.style(self.wrap(text, "  ", "  "), dim=True)

    # --- the result ----------------------------------------------------------------------

    def result(
        self,
        result: Result,
        advice: Advice,
        asked: int,
        full: bool = False,
        kb: KnowledgeBase | None = None,
        replayed: bool = False,
    ) -> str:
        """The result, most important first, short enough for one screen unless `full`.

        The headline (urgency as an action with its date), what it looks like, the three most
        important actions (all of emergency care, alone, in an emergency), the warning signs
        left unchecked, the safety net and the notice; `full` adds every action with its steps.
        """
        rule = ("─" if self.color else "-") * min(60, self.width)
        color = URGENCY_COLORS.get(result.urgency)
        headline = advice.headline or URGENCY_WORDS[result.urgency]
        picture = advice.picture
        recheck = advice.recheck  # the next check-in, said where it costs no extra line
        if recheck is not None:
            checkpoint = advice.checkpoint
            if checkpoint is not None and recheck.date == checkpoint.date:
                headline += " Check in again that day."  # the headline names the day already
            elif picture:
                picture += f" Check in again on {recheck.words()}, day {recheck.day}."
            else:
                headline += f" Check in again on {recheck.words()}, day {recheck.day}."
        lines = ["", rule, self.style(self.wrap(headline), fg=color, bold=True)]
        # A warning sign left open must be impossible to miss: it comes right under the headline.
        for unchecked in advice.unchecked:
            items = "; ".join(lower_first(item) for item in unchecked.items)
            lines.append(self.style("Not checked: you were not sure about", fg="red", bold=True))
            lines.append(self.wrap(f"{items}. {unchecked.advice}", "  ", "  "))
        if advice.unchecked:
            lines.append("")
        if picture:
            lines.append(self.wrap(picture))
        if kb is not None and advice.because and advice.because_intro:
            lines.append(self.wrap(advice.because_intro))
            for fact, value in advice.because:
                lines.append(self.wrap(f"* {because_words(kb, fact, value)}", "  ", "    "))
        emergency = [rec for rec in result.recommendations if rec.category == "emergency_care"]
        if emergency:
            for rec in emergency:
                lines += ["", self.style(self.wrap(rec.title), bold=True)]
                lines.append(self.wrap(rec.text, "  ", "  "))
                for number, step in enumerate(rec.steps, start=1):
                    lines.append(self.wrap(f"{number}. {step}", "  ", "     "))
        elif advice.top:
            lines += ["", self.style("What to do now", bold=True)]
            for number, rec in enumerate(advice.top, start=1):
                lines.append(self.wrap(f"{number}. {rec.title}", "  ", "     "))
            more = len(result.recommendations) - len(advice.top)
            if not full and (more > 0 or any(rec.steps for rec in advice.top)):
                extra = f"{more} more, and " if more > 0 else ""
                # A replay has no prompt to type at: the same details come with --full.
                ask_for = "run it again with --full" if replayed else "type more"
                lines.append(
                    self.style(self.wrap(f"({extra}how to do each: {ask_for})", "  "), dim=True)
                )
        if full and not emergency:
            lines += ["", self.details(result, with_net=False)]
        net = [item for item in result.safety_net if full or not item.in_details]
        if net:
            lines += ["", self.style("Watch for these", bold=True)]
            lines += [self.wrap(f"* {item.text}", "  ", "    ") for item in net]
        if result.notice:
            lines += ["", self.style(self.wrap(result.notice), italic=True)]
        closing = f"{rule[:2]} from your answers to {plural(asked, 'question')} "
        lines.append(self.style(closing + rule[len(closing) :], dim=True))
        return "\n".join(lines)

    def details(self, result: Result, with_net: bool = True) -> str:
        """Every action of the result by category, with its text and how-to steps, and the
        safety-net items kept off the short screen."""
        lines = [self.style("The details: everything to do, and how", bold=True, underline=True)]
        category = None
        for rec in result.recommendations:
            if rec.category != category:
                category = rec.category
                lines += ["", self.style(CATEGORY_TITLES.get(category, category), bold=True)]
            lines.append(self.wrap(f"* {rec.title}", "  ", "    "))
            lines.append(self.wrap(rec.text, "    ", "    "))
            for number, step in enumerate(rec.steps, start=1):
                lines.append(self.wrap(f"{number}. {step}", "    ", "       "))
        extra = [item for item in result.safety_net if item.in_details] if with_net else []
        if extra:
            lines += ["", self.style("Also watch for this", bold=True)]
            lines += [self.wrap(f"* {item.text}", "  ", "    ") for item in extra]
        return "\n".join(lines)

    def how(self, result: Result, kb: KnowledgeBase) -> str:
        """The rules behind the result, in firing order, in plain words: the answers each read,
        what it changed, and its source. Rules whose advice the result does not show (they
        fired on questions never asked, or all they add is held back) are left out."""
        shown = contributing(result)
        if not shown:
            return "  No rule fired: the default urgency applies."
        heading = "How this result was reached: the rules behind it, in order"
        lines = [self.style(heading, bold=True)]
        number_of = {id(firing.rule): n for n, firing in enumerate(shown, start=1)}
        concluded = {f: n for n, firing in enumerate(shown, 1) for f in firing.rule.findings}
        for number, firing in enumerate(shown, start=1):
            rule = firing.rule
            lines.append(self.wrap(f"{number}. {rule.title}", "  ", "     "))
            reasons = [because_words(kb, fact, value) for fact, value in firing.matched]
            reasons += [
                f"rule {concluded[name]} applies"
                for name in dict.fromkeys(rule.when.findings())
                if name in concluded and concluded[name] != number_of[id(rule)]
            ]
            if reasons:
                lines.append(self.wrap("because: " + "; ".join(reasons), "     ", "       "))
            effect = consequence(rule, kb, result)
            if effect:
                lines.append(self.wrap(f"so {effect}", "     ", "       "))
            lines.append(
                self.style(self.wrap(f"source: {rule.source}", "     ", "       "), dim=True)
            )
        # At emergency everything else is held back; listing it only hides the one rule that
        # matters.
        if result.withheld and result.urgency != "emergency":
            held = "; ".join(lower_first(rec.title) for rec in result.withheld)
            lines.append(
                self.wrap(f"Held back at this urgency or by stronger advice: {held}.", "  ", "  ")
            )
        return "\n".join(lines)

    def transcript(self, kb: KnowledgeBase, asked: tuple[str, ...], answers: Mapping) -> str:
        """The answers given, in the catalogue's words, in the order asked."""
        lines = ["Your answers:"]
        for fact in asked:
            words = answer_words(kb.questions[fact], answers.get(fact))
            lines.append(self.wrap(f"- {question_words(kb, fact)}: {words}", "  ", "    "))
        return "\n".join(lines)


def input_hint(question: Question) -> str:
    if question.type == "bool":
        return "yes/no"
    if question.type == "enum":
        return f"a number 1-{len(question.values)}"
    text = question.domain_text()
    return f"{text} ({question.unit})" if question.unit else text


def consequence(rule: Rule, kb: KnowledgeBase, result: Result | None = None) -> str:
    """What a rule changes in the advice, in a lifter's words ("" if only a finding). An
    action whose title says the same as the urgency is not repeated; with a `result`, only the
    actions it shows are named."""
    urgency = lower_first(URGENCY_WORDS[rule.urgency]) if rule.urgency else None
    shown = {rec.id for rec in result.recommendations} if result is not None else None
    titles = [lower_first(kb.recommendations[rid].title) for rid in rule.recommend]
    return conclusions_text(
        rule,
        LIFTER,
        urgency=urgency,
        recommends=[
            title
            for rid, title in zip(rule.recommend, titles, strict=True)
            if (shown is None or rid in shown) and title != urgency
        ],
        findings=(),
    )


def lower_first(text: str) -> str:
    """A sentence's start inside another sentence: "GP" and other capitals further on stay."""
    return text[:1].lower() + text[1:]


def wrap(text: str, indent: str = "", subsequent: str | None = None, width: int = WIDTH) -> str:
    """Fill to `width` between words only: a word longer than a line keeps its own line, and
    "day 7" is never split."""
    text = _KEEP_TOGETHER.sub(lambda m: m.group(0).replace(" ", NBSP), " ".join(text.split()))
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False,
        break_long_words=False,
    ).replace(NBSP, " ")


NBSP = "\u00a0"  # textwrap does not break here; `wrap` turns it back into a space
# "December, day 7" is one unit: a line never ends with "(day" or leaves "day 7." alone.
_KEEP_TOGETHER = re.compile(r"\S+,? \(?[Dd]ay \d+")


def answer_words(question: Question, value: Any) -> str:
    """An answer in the catalogue's words: yes/no, a choice's label, a number with its unit."""
    if value is None:
        return "don't know"
    if question.type == "enum":
        return question.labels.get(value, str(value))
    text = show_value(value)
    unit = question.unit if question.type != "bool" else ""
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]  # "1 day", "1 year"
    return f"{text} {unit}" if unit else text


def because_words(kb: KnowledgeBase, fact: str, value: Any) -> str:
    """One answer as a reason: the question (a checklist item's line as it was shown) and the
    answer, as the transcript shows them ("How old are you?: 62 years"). A ticked line says
    yes too: in a list of reasons a bare statement cannot be told from its neighbours."""
    return f"{question_words(kb, fact)}: {answer_words(kb.questions[fact], value)}"


def question_words(kb: KnowledgeBase, fact: str) -> str:
    """A question as a lifter saw it: its checklist line, or its prompt."""
    checklist = kb.checklist_of.get(fact)
    if checklist is not None:
        return checklist.item(fact).text
    return kb.questions[fact].prompt
