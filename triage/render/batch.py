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
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, ClassVar
from xml.sax.saxutils import escape, quoteattr

from triage.render.outcome import outcome_dict, outcome_line
from triage.tools.outcomes import ERROR, FAIL, UNCHECKED, CaseOutcome, Summary

SPOOL_BYTES = 1 << 20  # pieces kept in memory before a writer spills them to a temporary file


@dataclass(frozen=True)
class Record:
    """One case's status and its rendered piece of output: all the parent process needs."""

    status: str
    text: str


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

    def finish(self, summary: Summary) -> None:
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
        (self.problems if record.status in (FAIL, ERROR) else self.others).write(record.text)

    def finish(self, summary: Summary) -> None:
        for spool in (self.problems, self.others):
            spool.seek(0)
            shutil.copyfileobj(spool, self.out)
        self.out.write(summary.text() + "\n")

    def close(self) -> None:
        self.problems.close()
        self.others.close()


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


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

    def finish(self, summary: Summary) -> None:
        self.out.write("\n  ]" if self.count else "]")
        body = json.dumps(summary.as_dict(), indent=2, ensure_ascii=False)
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
        elif outcome.status == FAIL:
            parts.append(
                f'      <failure type="expectation" message={_xml_attr(outcome.failures[0])}>'
                f"{_xml_text(chr(10).join(outcome.failures))}</failure>\n"
            )
        elif outcome.status == UNCHECKED:
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

    def finish(self, summary: Summary) -> None:
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


FORMATS: dict[str, type[Writer]] = {
    w.name: w for w in (TextWriter, JsonWriter, JsonLinesWriter, CsvWriter, JUnitWriter)
}


def renderer(fmt: str) -> Callable[[CaseOutcome], str]:
    return FORMATS[fmt].render
