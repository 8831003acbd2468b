"""`triage ask` in a real pseudo-terminal, typed as a person would, Ctrl-C included."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from triage.files.cases import read_case
from triage.files.loader import load_knowledge
from triage.interview import Interview

from .conftest import CASES
from .test_interview import write_tiny_rules

pytestmark = pytest.mark.acceptance  # the shipped rules, cases or questionnaire

pexpect = pytest.importorskip("pexpect")

SGR = re.compile(r"\x1b\[[0-9;]*m")  # colour and bold; not the terminal's own mode switches


def spawn(args: list[str], cwd: Path, color: bool, dimensions: tuple[int, int] = (40, 120)):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env["TERM"] = "xterm"
    env["TRIAGE_TODAY"] = "2026-12-01"
    if not color:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(
        sys.executable,
        ["-m", "triage", "ask", *args],
        cwd=str(cwd),
        env=env,
        encoding="utf-8",
        timeout=15,
        dimensions=dimensions,
    )
    child.logfile_read = _Transcript()
    return child


class _Transcript:
    """Everything the terminal showed, for checks on colour and for failure messages."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass

    def __str__(self) -> str:
        return "".join(self.parts)


@pytest.mark.slow
def test_typed_interview_interrupted_and_resumed(tmp_path: Path) -> None:
    rules = write_tiny_rules(tmp_path / "rules")
    child = spawn(["--rules", str(rules)], tmp_path, color=False)
    child.expect_exact("Any saddle numbness?")
    child.expect_exact("yes/no > ")
    child.sendline("perhaps")
    child.expect_exact("Please answer yes or no (y or n)")
    child.expect_exact("yes/no > ")
    child.sendline("n")
    child.expect_exact("Any fever?")
    child.expect_exact("yes/no > ")
    child.sendline("why")
    child.expect_exact("This answer helps decide: Fever.")
    child.expect_exact("- Any saddle numbness?: no")
    child.expect_exact("yes/no > ")
    child.sendline("back")
    child.expect_exact("Any saddle numbness?")
    child.expect_exact("yes/no > ")
    child.sendline("no")
    child.expect_exact("Any fever?")
    child.expect_exact("yes/no > ")
    child.sendline("n")
    child.expect_exact("Where is the pain?")
    child.expect_exact("a number 1-3 > ")
    child.sendintr()
    child.expect_exact("saved in triage-progress.yaml")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    shown = str(child.logfile_read)
    assert not SGR.search(shown), "NO_COLOR=1 must keep colour codes off"

    progress = tmp_path / "triage-progress.yaml"
    case = read_case(str(progress), load_knowledge(rules))
    assert case.answers == {"saddle_numbness": False, "fever_or_unwell": False}

    # This time colour is refused by the flag rather than by the environment.
    args = ["--rules", str(rules), "--resume", str(progress), "--no-color"]
    child = spawn(args, tmp_path, color=True)
    child.expect_exact("2 questions already answered")
    child.expect_exact("Where is the pain?")
    child.expect_exact("a number 1-3 > ")
    child.sendline("2")
    child.expect_exact("How many days ago did it start?")
    child.sendline("3")
    child.expect_exact("Did the load jump?")
    child.sendline("n")
    child.expect_exact("Do you train your core?")
    child.sendline("y")
    child.expect_exact("1. Normal soreness")
    child.expect_exact("more, how, back or Enter > ")
    child.sendline("how")
    child.expect_exact("source: src-soreness")
    child.expect_exact("more, how, back or Enter > ")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = str(child.logfile_read)
    assert "Any saddle numbness?" not in shown
    assert not SGR.search(shown), "--no-color must keep colour codes off"


def test_the_shipped_questionnaire_opens_with_a_warning_sign_in_colour(tmp_path: Path) -> None:
    kb = load_knowledge()
    first = Interview(kb).next_question()
    assert first is not None and first.group == "red_flag"
    child = spawn([], tmp_path, color=True)
    child.expect_exact(" ".join(first.prompt.split()[:2]))
    child.expect_exact("> ")
    child.sendintr()
    child.expect_exact("nothing was answered, so nothing was saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert SGR.search(str(child.logfile_read)), "a terminal without NO_COLOR gets colour"
    assert not (tmp_path / "triage-progress.yaml").exists()


@pytest.mark.slow
def test_an_ordinary_soreness_story_fits_an_80_by_40_terminal(tmp_path: Path) -> None:
    """The first heavy week, typed at 80 x 40: few screens, a dated headline, no broken words."""
    from .test_ask_cli import _typed_screens

    kb = load_knowledge()
    answers = dict(read_case(str(CASES / "doms-first-heavy-week.yaml"), kb).answers)
    # As a lifter answers it: no to every warning sign and form fault, a few numbers given.
    answers.update({q.id: False for q in kb.questions.values() if q.type == "bool"})
    answers.update(rpe_top_set=8, depth="parallel", load_level="heavy", age=24)
    lines = _typed_screens(kb, answers)
    assert len(lines) <= 12, "an ordinary soreness story takes at most 12 screens"
    # Without the history, whose severity question (tests/test_checkins.py) would be one more.
    child = spawn(["--no-history"], tmp_path, color=False, dimensions=(40, 80))
    for line in lines:
        child.expect_exact("> ")
        child.sendline(line)
    child.expect_exact("more, how, back or Enter > ")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = str(child.logfile_read).replace("\r\n", "\n")
    screens = re.findall(r"^Question (\d+)$", shown, re.M)
    assert screens == [str(n) for n in range(1, len(lines) + 1)]
    screen = shown.split("-" * 60 + "\n")[1].split("more, how, back or Enter > ")[0]
    result = screen.splitlines()
    assert result[0].startswith("Look after it yourself"), result[0]
    assert "Monday 7 December" in " ".join(result[:2]), "day 7 counted from one day ago"
    assert len(result) + 2 <= 40, "the result and its prompt fit one 40-line screen"
    too_wide = [line for line in shown.splitlines() if len(line) > 80]
    assert not too_wide, "every line fits 80 columns, so the terminal never splits a word"
    assert not (tmp_path / "triage-progress.yaml").exists()
