"""The consultation as a document to share: Markdown, or one self-contained HTML page.

A coach, physio or doctor reading it should see exactly what was asked and advised, and by
which version of the rules. Every text that can come from a case file (its title, above all)
is escaped; the HTML page has no scripts and no outside resources, so it opens offline, and its
print styles fit both A4 and Letter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from triage.files.loader import rules_version
from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result
from triage.model.vocabulary import CATEGORY_TITLES
from triage.render.screen import answer_words, question_words
from triage.tools.advice import Advice, advise

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


@dataclass(frozen=True)
class TimelineRow:
    """One check-in of the episode a consultation belongs to."""

    on: date
    day: int | None
    severity: Any
    trend: Any
    urgency: str


@dataclass(frozen=True)
class Consultation:
    """Everything a report shows: the answers, the result and how it was dated."""

    kb: KnowledgeBase
    title: str
    today: date
    asked: tuple[str, ...]
    answers: Mapping[str, Any]
    result: Result
    advice: Advice
    version: str
    timeline: tuple[TimelineRow, ...] = ()  # this check-in last; empty for a first one

    @classmethod
    def of(
        cls,
        interview: Any,
        result: Result,
        title: str,
        today: date,
        timeline: tuple[TimelineRow, ...] = (),
    ) -> Consultation:
        """The consultation of a finished interview (live or replayed), dated `today`."""
        kb = interview.kb
        return cls(
            kb=kb,
            title=title,
            today=today,
            asked=interview.asked,
            answers=interview.answers,
            result=result,
            advice=advise(kb, result, interview.answers, interview.skipped, today),
            version=rules_version(kb.root),
            timeline=timeline,
        )

    def answered(self) -> list[tuple[str, str]]:
        return [
            (question_words(self.kb, f), answer_words(self.kb.questions[f], self.answers.get(f)))
            for f in self.asked
        ]

    def reasons(self) -> list[tuple[str, str]]:
        """The rules that changed the advice, as their titles and sources."""
        return [
            (firing.rule.title, firing.rule.source)
            for firing in self.result.trace
            if firing.rule.urgency or firing.rule.recommend
        ]

    def region(self) -> str:
        region = self.kb.regions.get(self.kb.region or "")
        return region.name if region is not None else ""


def format_for(path: str) -> str | None:
    """The report format a file name asks for, by its extension (None if it asks for none)."""
    lower = path.lower()
    return next((kind for ext, kind in FORMATS.items() if lower.endswith(ext)), None)


# --- Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|!~])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


def md(text: str) -> str:
    """Text that Markdown shows as written: specials escaped, and no raw HTML."""
    text = " ".join(str(text).split())
    # An ampersand is literal in Markdown unless it starts an entity such as `&lt;`.
    text = _MD_ENTITY.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def markdown(c: Consultation) -> str:
    advice, result = c.advice, c.result
    out = [f"# {md(c.title or 'Lower-back soreness after squats')}", ""]
    out.append(f"- Date: {md(c.today.isoformat())}")
    if c.region():
        out.append(f"- Services named for: {md(c.region())}")
    out.append(f"- Rules version: `{c.version}`")
    out += ["", "## Advice", "", f"**{md(advice.headline)}**", ""]
    if advice.unchecked:
        out += ["## Not checked", ""]
        for unchecked in advice.unchecked:
            out += [f"- {md(item)}" for item in unchecked.items]
            out += ["", f"**{md(unchecked.advice)}**", ""]
    if advice.picture:
        out += [md(advice.picture), ""]
    if advice.recheck is not None:
        out += [f"Next check-in: {md(_recheck(advice))}", ""]
    out += ["", "## What to do", ""]
    category = None
    for rec in result.recommendations:
        if rec.category != category:
            category = rec.category
            out += [f"### {md(CATEGORY_TITLES.get(category, category))}", ""]
        out += [f"**{md(rec.title)}**", "", md(rec.text), ""]
        if rec.steps:
            out += [f"{n}. {md(step)}" for n, step in enumerate(rec.steps, start=1)] + [""]
        out += [f"*Source: {md(rec.source)}*", ""]
    if c.timeline:
        out += ["## This pain over time", ""]
        out += ["| date | day | severity | trend | urgency |", "| --- | ---: | ---: | --- | --- |"]
        for row in c.timeline:
            cells = [row.on.isoformat(), *_timeline_cells(row)]
            out.append("| " + " | ".join(md(cell) for cell in cells) + " |")
        out.append("")
    out += ["## Why", ""]
    out += [f"- {md(title)} (source: {md(source)})" for title, source in c.reasons()]
    if not c.reasons():
        out.append("- No warning sign or training pattern changed the default advice.")
    out += ["", "## Watch for these", ""]
    out += [f"- {md(item.text)}" for item in result.safety_net]
    out += ["", "## Your answers", ""]
    out += [f"- {md(question)}: **{md(answer)}**" for question, answer in c.answered()]
    out += ["", "---", "", f"*{md(result.notice)}*", ""]
    return "\n".join(out)


# --- HTML -------------------------------------------------------------------------------------

STYLE = """
body { font: 11pt/1.45 Georgia, "Times New Roman", serif; max-width: 44em; margin: 2em auto;
  padding: 0 1em; color: #111; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; border-bottom: 1px solid #999; margin-top: 1.4em; }
h3 { font-size: 1em; margin-bottom: 0.2em; }
.headline { font-size: 1.2em; font-weight: bold; padding: 0.5em 0.7em; border-left: 0.4em solid
  #333; background: #f2f2f2; }
.meta, .source, .notice { color: #444; font-size: 0.9em; }
dl.answers dt { font-weight: normal; } dl.answers dd { font-weight: bold; margin: 0 0 0.4em 1.5em; }
@page { margin: 15mm; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; }
  .headline { background: none; } h2, h3 { break-after: avoid; } li, dd { break-inside: avoid; } }
"""


def e(text: Any) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def page(c: Consultation) -> str:
    advice, result = c.advice, c.result
    title = c.title or "Lower-back soreness after squats"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="rules-version" content="{e(c.version)}">',
        f"<title>{e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{e(title)}</h1>",
        '<p class="meta">',
        f"Date: {e(c.today.isoformat())}<br>",
    ]
    if c.region():
        out.append(f"Services named for: {e(c.region())}<br>")
    out += [f"Rules version: <code>{e(c.version)}</code>", "</p>"]
    out += ["<h2>Advice</h2>", f'<p class="headline">{e(advice.headline)}</p>']
    if advice.unchecked:
        out.append("<h2>Not checked</h2>")
        for unchecked in advice.unchecked:
            out.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in unchecked.items) + "</ul>")
            out.append(f"<p><strong>{e(unchecked.advice)}</strong></p>")
    if advice.picture:
        out.append(f"<p>{e(advice.picture)}</p>")
    if advice.recheck is not None:
        out.append(f"<p>Next check-in: {e(_recheck(advice))}</p>")
    out.append("<h2>What to do</h2>")
    category = None
    for rec in result.recommendations:
        if rec.category != category:
            category = rec.category
            out.append(f"<h3>{e(CATEGORY_TITLES.get(category, category))}</h3>")
        out.append(f"<p><strong>{e(rec.title)}</strong><br>{e(rec.text)}</p>")
        if rec.steps:
            out.append("<ol>" + "".join(f"<li>{e(step)}</li>" for step in rec.steps) + "</ol>")
        out.append(f'<p class="source">Source: {e(rec.source)}</p>')
    if c.timeline:
        out.append("<h2>This pain over time</h2>")
        out.append("<table><thead><tr><th>date</th><th>day</th><th>severity</th><th>trend</th>")
        out.append("<th>urgency</th></tr></thead><tbody>")
        for row in c.timeline:
            cells = [row.on.isoformat(), *_timeline_cells(row)]
            out.append("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in cells) + "</tr>")
        out.append("</tbody></table>")
    out.append("<h2>Why</h2>")
    out.append("<ul>")
    for rule_title, source in c.reasons():
        out.append(f'<li>{e(rule_title)} <span class="source">(source: {e(source)})</span></li>')
    if not c.reasons():
        out.append("<li>No warning sign or training pattern changed the default advice.</li>")
    out.append("</ul>")
    out.append("<h2>Watch for these</h2>")
    out.append("<ul>" + "".join(f"<li>{e(item.text)}</li>" for item in result.safety_net) + "</ul>")
    out.append("<h2>Your answers</h2>")
    out.append('<dl class="answers">')
    out += [f"<dt>{e(q)}</dt><dd>{e(a)}</dd>" for q, a in c.answered()]
    out.append("</dl>")
    out.append(f'<p class="notice"><em>{e(result.notice)}</em></p>')
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _recheck(advice: Advice) -> str:
    assert advice.recheck is not None
    return f"{advice.recheck.words()} {advice.recheck.date.year}, day {advice.recheck.day}"


def _timeline_cells(row: TimelineRow) -> list[str]:
    def cell(value: Any) -> str:
        return "-" if value is None else str(value)

    return [cell(row.day), cell(row.severity), cell(row.trend), row.urgency]
