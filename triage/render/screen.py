"""The interview and its result as terminal text.

Every function returns a string and prints nothing, so the command stays a thin loop and the
texts can be tested directly. Colour is decided once (`wants_color`) and passed in: with colour
off the texts carry no escape codes at all.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import click

from triage.model.knowledge import KnowledgeBase, Question, Rule
from triage.model.result import Result
from triage.model.values import show_value
from triage.model.vocabulary import CATEGORY_TITLES, URGENCY_WORDS
from triage.render.words import SENTENCES, conclusions_text

WIDTH = 88

URGENCY_COLORS: dict[str, str] = {
    "self_care": "green",
    "doctor_if_not_better": "yellow",
    "doctor_soon": "magenta",
    "emergency": "red",
}

COMMANDS_HINT = "? help · why · back · skip (don't know) · quit"


def wants_color(no_color_flag: bool, environ: Mapping[str, str], is_tty: bool) -> bool:
    """Colour only on a terminal, and never when asked not to (`--no-color`, or NO_COLOR set
    to anything but the empty string, as no-color.org defines it)."""
    return is_tty and not no_color_flag and not environ.get("NO_COLOR")


class Screen:
    def __init__(self, color: bool) -> None:
        self.color = color

    def style(self, text: str, **styles: Any) -> str:
        return click.style(text, **styles) if self.color else text

    # --- the interview -------------------------------------------------------------------

    def welcome(self, count: int, resumed: int = 0) -> str:
        lines = [
            self.style("Lower-back soreness after squats: a few questions", bold=True),
            wrap(
                f"The catalogue has {count} questions, but you will only be asked those whose "
                "answer can still change the advice. Warning signs come first."
            ),
            wrap(f"At any question you can type: {COMMANDS_HINT}."),
        ]
        if resumed:
            lines.append(
                wrap(f"Continuing an earlier interview: {resumed} question(s) already asked.")
            )
        return "\n".join(lines)

    def question(self, question: Question, number: int) -> str:
        lines = ["", self.style(f"Question {number}", dim=True)]
        lines.append(self.style(wrap(question.prompt), bold=True))
        if question.type == "enum":
            for index, value in enumerate(question.values, start=1):
                label = question.labels.get(value, value.replace("_", " "))
                lines.append(wrap(f"{index}. {label}", indent="  ", subsequent="     "))
        return "\n".join(lines)

    def prompt(self, question: Question) -> str:
        return f"{input_hint(question)} > "

    def invalid(self, message: str) -> str:
        return self.style(f"  {message}; or type ? for help.", fg="red")

    def help(self, question: Question) -> str:
        lines = []
        if question.help:
            lines.append(wrap(question.help, indent="  "))
        if question.why:
            lines.append(wrap("Why we ask: " + question.why, indent="  "))
        lines.append(wrap(f"Answer with {input_hint(question)}. Commands: {COMMANDS_HINT}.", "  "))
        return "\n".join(lines)

    def why(self, why: Any, kb: KnowledgeBase) -> str:
        """EMYCIN's `why`: the rule this answer decides, and what is already known."""
        lines = []
        if why.rule is not None:
            rule = why.rule
            lines.append(wrap(f"This answer decides the rule `{rule.id}`: {rule.title}.", "  "))
            lines.append(wrap(f"It applies if {why.condition}", "    ", "    "))
            lines.append(wrap("and then " + conclusion(rule, kb) + ".", "    ", "    "))
            lines.append(wrap(f"Source: {rule.source}", "    ", "    "))
        if why.question.why:
            lines.append(wrap("Why it matters: " + why.question.why, "  "))
        if why.known:
            known = ", ".join(f"{fact} = {show_value(value)}" for fact, value in why.known)
            lines.append(wrap("Known so far: " + known + ".", "  ", "    "))
        else:
            lines.append("  Nothing is known yet.")
        if why.unknown:
            lines.append(wrap("You did not know: " + ", ".join(why.unknown) + ".", "  ", "    "))
        return "\n".join(lines)

    def after_result(self) -> str:
        return self.note(
            "Type how to see the rules behind this result, back to change your last answer, "
            "or press Enter to leave."
        )

    def note(self, text: str) -> str:
        return self.style(wrap(text, "  ", "  "), dim=True)

    # --- the result ----------------------------------------------------------------------

    def result(self, result: Result, asked: int, total: int) -> str:
        rule = "─" * 60 if self.color else "-" * 60
        words = URGENCY_WORDS[result.urgency]
        lines = [
            "",
            rule,
            self.style(f"Result after {asked} of {total} questions", dim=True),
            self.style(words, fg=URGENCY_COLORS.get(result.urgency), bold=True)
            + self.style(f"  ({result.urgency})", dim=True),
        ]
        if result.recommendations:
            lines += ["", self.style("What to do", bold=True, underline=True)]
            category = None
            for rec in result.recommendations:
                if rec.category != category:
                    category = rec.category
                    title = CATEGORY_TITLES.get(category, category)
                    lines += ["", self.style(title, bold=True)]
                lines.append(wrap(f"* {rec.title}", "  ", "    "))
                lines.append(wrap(rec.text, "    ", "    "))
                for number, step in enumerate(rec.steps, start=1):
                    lines.append(wrap(f"{number}. {step}", "    ", "       "))
        if result.safety_net:
            lines += ["", self.style("Watch for these", bold=True, underline=True)]
            lines += [wrap(f"* {item.text}", "  ", "    ") for item in result.safety_net]
        if result.notice:
            lines += ["", self.style(wrap(result.notice), italic=True)]
        lines.append(rule)
        return "\n".join(lines)

    def how(self, result: Result) -> str:
        """The fired rules in firing order, with the answers they read and their sources."""
        if not result.trace:
            return "  No rule fired: the default urgency applies."
        heading = "How this result was reached: the rules that fired, in order"
        lines = [self.style(heading, bold=True)]
        for number, firing in enumerate(result.trace, start=1):
            rule = firing.rule
            lines.append(wrap(f"{number}. {rule.title} [{rule.id}]", "  ", "     "))
            reasons = [f"{fact} = {show_value(value)}" for fact, value in firing.matched]
            reasons += [
                f"finding {name}"
                for name in dict.fromkeys(rule.when.findings())
                if name in result.findings
            ]
            if reasons:
                lines.append(wrap("because " + ", ".join(reasons), "     ", "       "))
            concluded = conclusions_text(rule)
            if concluded:
                lines.append(wrap("→ " + concluded, "     ", "       "))
            lines.append(self.style(wrap(f"source: {rule.source}", "     ", "       "), dim=True))
        if result.withheld:
            held = ", ".join(rec.id for rec in result.withheld)
            lines.append(wrap(f"Held back at this urgency or by stronger advice: {held}", "  "))
        return "\n".join(lines)

    def transcript(self, kb: KnowledgeBase, asked: tuple[str, ...], answers: Mapping) -> str:
        lines = [f"Asked {len(asked)} of {len(kb.questions)} questions:"]
        for number, fact in enumerate(asked, start=1):
            value = show_value(answers[fact]) if fact in answers else "don't know"
            lines.append(f"  {number:2}. {fact} = {value}")
        return "\n".join(lines)


def input_hint(question: Question) -> str:
    if question.type == "bool":
        return "yes/no"
    if question.type == "enum":
        return f"1-{len(question.values)} or a name"
    text = question.domain_text()
    return f"{text} ({question.unit})" if question.unit else text


def conclusion(rule: Rule, kb: KnowledgeBase) -> str:
    """What the rule concludes, in a sentence: titles rather than ids, and who reads a finding."""
    titles = [kb.recommendations[rid].title for rid in rule.recommend]
    findings = []
    for name in rule.findings:
        readers = [f"`{other.id}`" for other in kb.rules if name in set(other.when.findings())]
        if len(readers) == 1:
            name += f", which the rule {readers[0]} reads"
        elif readers:
            name += f", which the rules {', '.join(readers[:-1])} and {readers[-1]} read"
        findings.append(name)
    return conclusions_text(rule, SENTENCES, titles, findings) or "nothing else changes"


def wrap(text: str, indent: str = "", subsequent: str | None = None) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        width=WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False,
    )
