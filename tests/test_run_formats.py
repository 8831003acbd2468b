"""`triage run` formats: each parses with a standard parser, they agree, and files are whole."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from triage.batch.pool import write_report
from triage.cli import main
from triage.files.loader import load_knowledge
from triage.files.output import open_output
from triage.render import batch as formats

MINI = Path(__file__).parent / "fixtures" / "mini_rules"
FORMATS = ("text", "json", "jsonl", "csv", "junit")

CASES = {
    "a-pass.yaml": (
        'title: Sore, "really" sore on day two — Ünïcode\n'
        "answers: {pain_location: lower_back_both_sides, days_since_onset: 2, trains_core: true}\n"
        "expect: {urgency: self_care, includes: [reassure]}\n"
    ),
    "b-fail.yaml": (
        "answers: {saddle_numbness: true}\n"
        "expect: {urgency: self_care, includes: [plank], excludes: [emergency_care]}\n"
    ),
    "c-bad.yaml": "answers:\n  sadle_numbness: true\n",
    "d-unchecked.yaml": "answers: {fever_or_unwell: true}\n",
    "e-odd & <name>.yaml": (
        "answers: {age: 95, trains_core: true}\nexpect: {urgency: doctor_soon}\n"
    ),
}
# (file, status, urgency) in the order every format must list them ("" for no urgency)
EXPECTED = [
    ("a-pass.yaml", "pass", "self_care"),
    ("b-fail.yaml", "fail", "emergency"),
    ("c-bad.yaml", "error", ""),
    ("d-unchecked.yaml", "unchecked", "doctor_soon"),
    ("e-odd & <name>.yaml", "pass", "doctor_soon"),
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name, text in CASES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(runner, *args: str):
    return runner.invoke(main, ["run", "--rules", str(MINI), "--jobs", "1", *args])


def rows_from(fmt: str, output: str) -> list[tuple[str, str, str]]:
    """(file name, status, urgency) per case, read back with the format's standard parser."""
    if fmt == "json":
        items = json.loads(output)["results"]
    elif fmt == "jsonl":
        items = [json.loads(line) for line in output.splitlines()]
    elif fmt == "csv":
        items = list(csv.DictReader(io.StringIO(output, newline="")))
    elif fmt == "junit":
        items = []
        for case in ET.fromstring(output).iter("testcase"):
            status = "pass"
            for tag, name in (("failure", "fail"), ("error", "error"), ("skipped", "unchecked")):
                if case.find(tag) is not None:
                    status = name
            out = case.findtext("system-out") or ""
            urgency = out.split("\n")[0].removeprefix("urgency: ") if out else ""
            items.append({"case": case.get("name"), "status": status, "urgency": urgency})
    else:
        items = []
        cases_part = output.split("\nUrgency, expected against got")[0]
        for line in cases_part.splitlines()[: None if cases_part != output else -1]:
            if line.startswith(" "):
                continue  # a continuation line of the case above
            status, rest = line.split(None, 1)
            case, _, tail = rest.partition(".yaml")
            urgency = "" if status == "ERROR" else tail.split()[0]
            items.append({"case": case + ".yaml", "status": status.lower(), "urgency": urgency})
    return [(Path(item["case"]).name, item["status"], item.get("urgency") or "") for item in items]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back_with_a_standard_parser(runner, corpus: Path, fmt: str) -> None:
    result = run(runner, str(corpus), "--format", fmt)
    assert result.exit_code == 2, result.output  # the malformed case decides the exit code
    rows = rows_from(fmt, result.output)
    if fmt == "text":  # failures and errors first, then the others, each in path order
        assert rows == [EXPECTED[1], EXPECTED[2], EXPECTED[0], EXPECTED[3], EXPECTED[4]]
    else:
        assert rows == EXPECTED


def test_json_and_jsonl_carry_the_same_results(runner, corpus: Path) -> None:
    whole = json.loads(run(runner, str(corpus), "--format", "json").output)
    lines = run(runner, str(corpus), "--format", "jsonl").output.splitlines()
    assert [json.loads(line) for line in lines] == whole["results"]
    counts = {key: value for key, value in whole["summary"].items() if key != "urgency_matrix"}
    assert counts == {"total": 5, "passed": 2, "failed": 1, "errors": 1, "unchecked": 1}
    assert whole["summary"]["urgency_matrix"]["over_triaged"]["count"] == 1  # b-fail.yaml
    first = whole["results"][0]
    assert {"case", "urgency", "recommendations", "fired", "status"} <= set(first)
    assert first["title"] == 'Sore, "really" sore on day two — Ünïcode'


def test_json_is_laid_out_exactly_as_an_indented_dump(runner, corpus: Path) -> None:
    output = run(runner, str(corpus), "--format", "json").output
    assert output == json.dumps(json.loads(output), indent=2, ensure_ascii=False) + "\n"


def test_json_of_an_empty_folder_is_still_the_contract_shape(runner, tmp_path: Path) -> None:
    result = run(runner, str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    assert (
        result.output
        == json.dumps(
            {
                "results": [],
                "summary": {"total": 0, "passed": 0, "failed": 0, "errors": 0, "unchecked": 0},
            },
            indent=2,
        )
        + "\n"
    )


def test_csv_keeps_commas_quotes_and_multi_line_messages(runner, corpus: Path) -> None:
    output = run(runner, str(corpus), "--format", "csv").output
    reader = csv.DictReader(io.StringIO(output, newline=""))
    assert tuple(reader.fieldnames or ()) == formats.CSV_COLUMNS
    rows = {Path(row["case"]).name: row for row in reader}
    assert rows["a-pass.yaml"]["title"] == 'Sore, "really" sore on day two — Ünïcode'
    assert rows["a-pass.yaml"]["fired"] == "soreness reassure-doms"
    assert rows["b-fail.yaml"]["failures"].split("\n") == [
        "urgency: expected self_care, got emergency",
        "missing: plank",
        "should not include: emergency_care",
    ]
    assert "c-bad.yaml:2:3: unknown fact `sadle_numbness`" in rows["c-bad.yaml"]["errors"]


def test_junit_has_counts_and_one_element_per_verdict(runner, corpus: Path) -> None:
    root = ET.fromstring(run(runner, str(corpus), "--format", "junit").output)
    suite = root.find("testsuite")
    assert suite is not None
    counts = {key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")}
    assert counts == {"tests": "5", "failures": "1", "errors": "1", "skipped": "1"}
    cases = {Path(c.get("name", "")).name: c for c in suite.iter("testcase")}
    failure = cases["b-fail.yaml"].find("failure")
    assert failure is not None and failure.get("message") == (
        "urgency: expected self_care, got emergency"
    )
    assert "missing: plank" in (failure.text or "")
    error = cases["c-bad.yaml"].find("error")
    assert error is not None and "c-bad.yaml:2:3" in (error.get("message") or "")
    assert (
        cases["e-odd & <name>.yaml"].findtext("system-out", "").startswith("urgency: doctor_soon")
    )


@pytest.mark.parametrize("fmt", ["text", "junit"])
def test_spilled_spools_give_the_same_report(runner, corpus, fmt, monkeypatch) -> None:
    """Formats that hold pieces back spill them to disk past a size; the report is unchanged."""
    in_memory = run(runner, str(corpus), "--format", fmt).output
    monkeypatch.setattr(formats, "SPOOL_BYTES", 10)
    assert run(runner, str(corpus), "--format", fmt).output == in_memory


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_holds_what_stdout_would(runner, corpus: Path, tmp_path: Path, fmt) -> None:
    target = tmp_path / "out" / f"report.{fmt}"
    target.parent.mkdir()
    printed = run(runner, str(corpus), "--format", fmt)
    written = run(runner, str(corpus), "--format", fmt, "--output", str(target))
    assert written.exit_code == printed.exit_code == 2
    assert written.output == ""
    assert target.read_text(encoding="utf-8") == printed.output
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_output_into_a_missing_folder_is_a_usage_error(runner, corpus: Path, tmp_path) -> None:
    result = run(runner, str(corpus), "--output", str(tmp_path / "nope" / "r.json"))
    assert result.exit_code == 2
    assert "cannot write the report" in result.output
    assert "Traceback" not in result.output


def test_an_interrupted_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report\n")
    with pytest.raises(KeyboardInterrupt), open_output(target) as out:
        out.write("half a report")
        raise KeyboardInterrupt
    assert target.read_text() == "previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_an_interrupted_run_leaves_no_file_behind(corpus: Path, tmp_path: Path) -> None:
    kb = load_knowledge(MINI)
    target = tmp_path / "report.xml"
    sources = sorted(str(p) for p in corpus.iterdir())

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), open_output(target) as out:
        write_report(out, "junit", sources, kb, progress=interrupt)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["cases"]


def test_output_to_a_pipe_writes_through_it_and_leaves_it_a_pipe(
    runner, corpus: Path, tmp_path: Path
) -> None:
    """Devices and pipes (`-o /dev/null`) are written directly, never replaced by a file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    result = run(runner, str(corpus), "--format", "csv", "--output", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 2
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith(",".join(formats.CSV_COLUMNS))


MATRIX_CASES = {
    "exact.yaml": "answers: {saddle_numbness: true}\nexpect: {urgency: emergency}\n",
    "over-by-three.yaml": "answers: {saddle_numbness: true}\nexpect: {urgency: self_care}\n",
    "under-by-one.yaml": "answers: {fever_or_unwell: true}\nexpect: {urgency: emergency}\n",
    "under-by-two.yaml": "answers: {age: 30}\nexpect: {urgency: doctor_soon}\n",
    "no-urgency-expected.yaml": "answers: {age: 30}\nexpect: {excludes: [see_gp]}\n",
    "unchecked.yaml": "answers: {age: 30}\n",
}


@pytest.fixture
def matrix_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "matrix"
    folder.mkdir()
    for name, text in MATRIX_CASES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_urgency_matrix_counts_and_names_under_and_over_triage(runner, matrix_corpus):
    data = json.loads(run(runner, str(matrix_corpus), "--format", "json").output)
    matrix = data["summary"]["urgency_matrix"]
    assert matrix["checked"] == 4
    assert matrix["expected_by_got"]["emergency"] == {
        "self_care": 0,
        "doctor_if_not_better": 0,
        "doctor_soon": 1,
        "emergency": 1,
    }
    assert matrix["expected_by_got"]["self_care"]["emergency"] == 1
    assert matrix["expected_by_got"]["doctor_soon"]["self_care"] == 1
    under, over = matrix["under_triaged"], matrix["over_triaged"]
    assert (under["count"], under["by_levels"]) == (2, {"1": 1, "2": 1})
    assert [(c["case"].rsplit("/", 1)[1], c["levels"]) for c in under["cases"]] == [
        ("under-by-one.yaml", 1),
        ("under-by-two.yaml", 2),
    ]
    assert (over["count"], over["by_levels"]) == (1, {"3": 1})
    assert over["cases"][0]["expected"] == "self_care"
    assert over["cases"][0]["got"] == "emergency"


def test_the_text_report_shows_the_matrix_before_the_summary_line(runner, matrix_corpus):
    lines = run(runner, str(matrix_corpus)).output.splitlines()
    start = lines.index("Urgency, expected against got, over 4 case(s) with an expected urgency:")
    assert lines[start + 1].split() == [
        "expected", "\\", "got", "self_care", "doctor_if_not_better", "doctor_soon", "emergency"
    ]  # fmt: skip
    assert lines[start + 2].split() == ["self_care", "0", "0", "0", "1"]
    assert lines[start + 6] == "Under-triaged: 2 case(s), 1 by 1 level, 1 by 2 levels"
    assert lines[start + 7].endswith("under-by-one.yaml: expected emergency, got doctor_soon")
    assert lines[start + 8].endswith("under-by-two.yaml: expected doctor_soon, got self_care")
    assert lines[start + 9] == "Over-triaged: 1 case(s), 1 by 3 levels"
    assert lines[-1].startswith("6 case(s): ")


def test_the_matrix_is_the_same_whatever_the_number_of_jobs(matrix_corpus):
    kb = load_knowledge(MINI)
    sources = sorted(str(p) for p in matrix_corpus.iterdir())
    reports = []
    for jobs in (1, 2):
        out = io.StringIO()
        write_report(out, "json", sources, kb, jobs=jobs, min_per_worker=1)
        reports.append(out.getvalue())
    assert reports[0] == reports[1]
    assert '"under_triaged"' in reports[0]


def test_without_expected_urgencies_the_text_report_has_no_matrix(runner, corpus, tmp_path):
    only = tmp_path / "plain.yaml"
    only.write_text("answers: {age: 30}\n")
    assert "Urgency, expected" not in run(runner, str(only)).output
