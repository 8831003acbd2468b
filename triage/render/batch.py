"""Report formats of `triage run`: text, json, jsonl, csv and junit, written as a stream.

Each format has two halves so that a batch of 100,000 cases runs in flat memory and in
parallel. `render(outcome)` turns one case into its finished piece of output (a line, a JSON
object, a CSV row, a `<testcase>` element); it runs in the worker process that evaluated the
case, so the parent only concatenates strings. A `Writer` receives those pieces in case order
and writes them to the output as they come. The formats whose header needs totals (junit) or
whose order puts failures first (text) keep the pieces in a spooled temporary file, never in a
list. Nothing carries a timestamp or a duration, so the output is byte-identical from run to run.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import IO, Any, ClassVar
from xml.sax.saxutils import escape, quoteattr

from triage.model.vocabulary import URGENCY_LEVELS
from triage.render.outcome import outcome_dict, outcome_line
from triage.tools.outcomes import CaseOutcome, Mistriage, RunSummary, Status, UrgencyMatrix

SPOOL_BYTES = 1 << 20  # pieces kept in memory before a writer spills them to a temporary file


@dataclass(frozen=True)
class Record:
    """One case's rendered piece of output and what the summary counts: all the parent needs."""

    source: str
    status: Status
    text: str
    urgencies: tuple[str, str] | None = None  # expected and resulting, when `expect` names one

    @classmethod
    def of(cls, outcome: CaseOutcome, text: str) -> Record:
        return cls(outcome.source, outcome.status, text, outcome.urgencies)


class Writer:
    """Writes rendered pieces in case order; `finish` closes the document with the summary."""

    name: ClassVar[str]
    holds_back: ClassVar[bool] = False  # True: nothing but a header is written before `finish`

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    @staticmethod
    def render(outcome: CaseOutcome) -> str:
        raise NotImplementedError

    def add(self, record: Record) -> None:
        self.out.write(record.text)

    def finish(self, summary: RunSummary) -> None:
        """Write whatever follows the last case."""

    def close(self) -> None:
        """Release temporary storage, also after an interruption."""


def _spool() -> Any:
    return tempfile.SpooledTemporaryFile(
        max_size=SPOOL_BYTES, mode="w+", encoding="utf-8", newline="\n"
    )


class TextWriter(Writer):
    """One line per case, failures and errors first, then the summary line."""

    name = "text"
    holds_back = True

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.problems = _spool()
        self.others = _spool()

    @staticmethod
    def render(outcome: CaseOutcome) -> str:
        return outcome_line(outcome) + "\n"

    def add(self, record: Record) -> None:
        (self.problems if record.status in (Status.FAIL, Status.ERROR) else self.others).write(
            record.text
        )

    def finish(self, summary: RunSummary) -> None:
        for spool in (self.problems, self.others):
            spool.seek(0)
            shutil.copyfileobj(spool, self.out)
        for line in matrix_lines(summary.urgency):
            self.out.write(line + "\n")
        self.out.write(summary.text() + "\n")

    def close(self) -> None:
        self.problems.close()
        self.others.close()


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def matrix_lines(matrix: UrgencyMatrix) -> list[str]:
    """Expected urgency (rows) against the result (columns), then the mistriaged cases."""
    if not matrix.checked:
        return []
    head = "expected \\ got"
    first = max(len(head), *(len(level) for level in URGENCY_LEVELS))
    lines = [
        f"Urgency, expected against got, over {matrix.checked} case(s) with an expected urgency:",
        "  " + head.ljust(first) + "".join(f"  {level}" for level in URGENCY_LEVELS),
    ]
    for expected in URGENCY_LEVELS:
        counts = [matrix.counts.get((expected, got), 0) for got in URGENCY_LEVELS]
        cells = "".join(
            f"  {count:>{len(level)}}" for count, level in zip(counts, URGENCY_LEVELS, strict=True)
        )
        lines.append("  " + expected.ljust(first) + cells)
    for word, misses in (("Under-triaged", matrix.under), ("Over-triaged", matrix.over)):
        lines.append(f"{word}: {len(misses)} case(s){_by_levels(misses)}")
        lines += [f"  {miss.case}: expected {miss.expected}, got {miss.got}" for miss in misses]
    return lines


def _by_levels(misses: list[Mistriage]) -> str:
    counts = _level_counts(misses)
    if not counts:
        return ""
    parts = [f"{n} by {lv} level{'s' if lv > 1 else ''}" for lv, n in sorted(counts.items())]
    return ", " + ", ".join(parts)


def _level_counts(misses: list[Mistriage]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for miss in misses:
        counts[abs(miss.levels)] = counts.get(abs(miss.levels), 0) + 1
    return counts


def matrix_dict(matrix: UrgencyMatrix) -> dict[str, Any]:
    """The matrix for JSON: every level in both directions, zeros included."""

    def side(misses: list[Mistriage]) -> dict[str, Any]:
        return {
            "count": len(misses),
            "by_levels": {str(lv): n for lv, n in sorted(_level_counts(misses).items())},
            "cases": [
                {"case": m.case, "expected": m.expected, "got": m.got, "levels": abs(m.levels)}
                for m in misses
            ],
        }

    return {
        "checked": matrix.checked,
        "expected_by_got": {
            expected: {got: matrix.counts.get((expected, got), 0) for got in URGENCY_LEVELS}
            for expected in URGENCY_LEVELS
        },
        "under_triaged": side(matrix.under),
        "over_triaged": side(matrix.over),
    }


class JsonWriter(Writer):
    """`{"results": [...], "summary": {...}}`, byte for byte what `json.dumps(indent=2)` gives."""

    name = "json"

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.count = 0
        out.write('{\n  "results": [')

    @staticmethod
    def render(outcome: CaseOutcome) -> str:
        return _indent(json.dumps(outcome_dict(outcome), indent=2, ensure_ascii=False), "    ")

    def add(self, record: Record) -> None:
        self.out.write(",\n" if self.count else "\n")
        self.out.write(record.text)
        self.count += 1

    def finish(self, summary: RunSummary) -> None:
        self.out.write("\n  ]" if self.count else "]")
        data: dict[str, Any] = summary.as_dict()
        if summary.urgency.checked:  # only when some case expects an urgency
            data["urgency_matrix"] = matrix_dict(summary.urgency)
        body = json.dumps(data, indent=2, ensure_ascii=False)
        self.out.write(',\n  "summary": ' + body.replace("\n", "\n  ") + "\n}\n")


class JsonLinesWriter(Writer):
    """One JSON object per line, each a result as in the json format; no summary line."""

    name = "jsonl"

    @staticmethod
    def render(outcome: CaseOutcome) -> str:
        return json.dumps(outcome_dict(outcome), ensure_ascii=False) + "\n"


CSV_COLUMNS = (
    "case",
    "title",
    "status",
    "urgency",
    "recommendations",
    "fired",
    "findings",
    "failures",
    "errors",
)


class CsvWriter(Writer):
    """A header, then one row per case; lists of ids are space-separated, messages one a line."""

    name = "csv"

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        out.write(self._row(CSV_COLUMNS))

    @staticmethod
    def _row(values: Any) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(values)
        return buffer.getvalue()

    @staticmethod
    def render(outcome: CaseOutcome) -> str:
        result, case = outcome.result, outcome.case
        return CsvWriter._row(
            (
                outcome.source,
                case.title if case is not None else "",
                outcome.status,
                result.urgency if result is not None else "",
                " ".join(r.id for r in result.recommendations) if result is not None else "",
                " ".join(result.fired) if result is not None else "",
                " ".join(result.findings) if result is not None else "",
                "\n".join(outcome.failures),
                "\n".join(str(p) for p in outcome.error.problems) if outcome.error else "",
            )
        )


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    """Escaped character data; characters XML 1.0 cannot hold become U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", text))


def _xml_attr(text: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


class JUnitWriter(Writer):
    """JUnit XML: one `<testcase>` per case file, in one `<testsuite>`.

    A missed expectation is a `<failure>`, a malformed case an `<error>`, a case without an
    `expect` block is `<skipped>` (it ran, but there was nothing to check). The urgency,
    recommendations and fired rules are in `<system-out>`, where CI pages show them.
    """

    name = "junit"
    holds_back = True
    SUITE = "triage run"

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.cases = _spool()

    @staticmethod
    def render(outcome: CaseOutcome) -> str:
        source = outcome.source
        folder, _, _ = source.rpartition("/")
        head = f"    <testcase classname={_xml_attr(folder or '.')} name={_xml_attr(source)}"
        parts = []
        if outcome.error is not None:
            problems = [str(p) for p in outcome.error.problems]
            parts.append(
                f'      <error type="input" message={_xml_attr(problems[0])}>'
                f"{_xml_text(chr(10).join(problems))}</error>\n"
            )
        elif outcome.status == Status.FAIL:
            parts.append(
                f'      <failure type="expectation" message={_xml_attr(outcome.failures[0])}>'
                f"{_xml_text(chr(10).join(outcome.failures))}</failure>\n"
            )
        elif outcome.status == Status.UNCHECKED:
            parts.append('      <skipped message="no expect block: nothing to check"/>\n')
        if outcome.result is not None:
            result = outcome.result
            lines = [
                f"urgency: {result.urgency}",
                "recommendations: " + " ".join(r.id for r in result.recommendations),
                "fired: " + " ".join(result.fired),
            ]
            parts.append(f"      <system-out>{_xml_text(chr(10).join(lines))}</system-out>\n")
        if not parts:
            return head + "/>\n"
        return head + ">\n" + "".join(parts) + "    </testcase>\n"

    def add(self, record: Record) -> None:
        self.cases.write(record.text)

    def finish(self, summary: RunSummary) -> None:
        counts = (
            f'tests="{summary.total}" failures="{summary.failed}" '
            f'errors="{summary.errors}" skipped="{summary.unchecked}"'
        )
        self.out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        self.out.write(f"<testsuites name={_xml_attr(self.SUITE)} {counts}>\n")
        self.out.write(f"  <testsuite name={_xml_attr(self.SUITE)} {counts}>\n")
        self.cases.seek(0)
        shutil.copyfileobj(self.cases, self.out)
        self.out.write("  </testsuite>\n</testsuites>\n")

    def close(self) -> None:
        self.cases.close()
