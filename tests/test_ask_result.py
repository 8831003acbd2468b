"""What a lifter reads at the end of `triage ask`, and the report they can share."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from triage.cli import main
from triage.files.cases import read_case
from triage.files.loader import load_knowledge, rules_version
from triage.interview import (
    Interview,
    ReplyError,
    case_text,
    parse_ticks,
    read_interview,
    replay,
)
from triage.model.checkpoint import checkpoint
from triage.model.errors import InputError
from triage.render.screen import Screen
from triage.tools.advice import advise, top_actions

from .conftest import CASES, ROOT, RULES

DOMS = CASES / "doms-first-heavy-week.yaml"
STRAIN = CASES / "near-max-single-twinge-hips-shot-up.yaml"
EMERGENCY = CASES / "doms-story-with-saddle-numbness.yaml"
TODAY = date(2026, 12, 1)


def answered(kb, path: Path) -> dict:
    """A case as a lifter answers it: no to every yes/no question the case leaves open."""
    answers = dict(read_case(str(path), kb).answers)
    for question in kb.questions.values():
        if question.type == "bool":
            answers.setdefault(question.id, False)
    return answers


def shown(kb, path: Path, width: int = 88, full: bool = False) -> str:
    interview = replay(kb, answered(kb, path))
    result = interview.result()
    advice = advise(kb, result, interview.answers, interview.skipped, TODAY)
    return Screen(False, width).result(result, advice, interview.screens, full)


# --- the checkpoint ---------------------------------------------------------------------------


def test_the_checkpoint_counts_from_the_day_the_pain_began() -> None:
    point = checkpoint(date(2026, 12, 1), 1, 14)
    assert point.date == date(2026, 12, 14) and point.day == 14
    assert point.words() == "Monday 14 December"
    unknown_onset = checkpoint(date(2026, 12, 1), None, 7)
    assert unknown_onset.date == date(2026, 12, 8)
    passed = checkpoint(date(2026, 12, 1), 20, 14)
    assert passed.date == date(2026, 12, 1) and passed.day == 20, "never a date in the past"


# --- the result screen ------------------------------------------------------------------------


def test_the_result_leads_with_the_urgency_as_an_action_with_a_date(kb) -> None:
    lines = shown(kb, STRAIN).splitlines()
    # DOMS day 3 on 1 December: a strain is checked on day 14, Saturday 12 December.
    assert lines[2].startswith("Self-manage; see a GP if it is not clearly better by")
    assert "Saturday 12 December, day 14" in " ".join(lines[2:4])
    assert "strained back muscle" in shown(kb, STRAIN)


def test_an_ordinary_result_fits_forty_lines_at_80_columns(kb) -> None:
    for path in (DOMS, STRAIN, CASES / "heavy-day-several-faults-doms.yaml"):
        text = shown(kb, path, 80)
        assert len(text.splitlines()) <= 38, f"{path.name}: {len(text.splitlines())} lines"
        assert "What to do now" in text
        numbered = re.findall(r"^  (\d)\. ", text.split("What to do now")[1], re.M)
        assert numbered[:3] == ["1", "2", "3"] and "4" not in numbered


def test_the_three_actions_follow_the_catalogue_priority(kb) -> None:
    result = replay(kb, read_case(str(STRAIN), kb).answers).result()
    top = top_actions(result)
    assert top[0].id == "pause_squats", "priority 1 in recommendations.yaml"
    ranks = [rec.rank for rec in top]
    assert ranks == sorted(ranks)
    others = [rec for rec in result.recommendations if rec not in top]
    assert all(rec.rank >= ranks[-1] for rec in others)


def test_more_shows_every_action_with_its_steps(kb) -> None:
    short, full = shown(kb, STRAIN), shown(kb, STRAIN, full=True)
    step = "Swap the squat session for a walk or an easy bike ride."
    assert step not in short and step in full
    assert "type more" in short and "type more" not in full


def test_an_emergency_shows_emergency_care_first_and_alone(kb) -> None:
    lines = shown(kb, EMERGENCY).splitlines()
    assert lines[2] == "Get emergency care now. Call 999 or go to A&E."
    text = "\n".join(lines)
    assert "What to do now" not in text
    assert text.index("Call 999 or go to A&E now.") < text.index("Watch for these")
    assert "plank" not in text.lower() and "soreness" not in text.split("Watch")[0].lower()


def test_skipped_warning_signs_are_named_with_what_to_do(kb) -> None:
    answers = {"pain_location": "lower_back_both_sides", "days_since_onset": 1}
    interview = Interview(kb)
    step = interview.next_step()
    assert step is not None and step.checklist is not None
    interview.answer_step(step, {})  # "skip": not sure of any emergency sign
    while (step := interview.next_step()) is not None:
        values = {
            q.id: answers.get(q.id, False if q.type == "bool" else None) for q in step.questions
        }
        interview.answer_step(step, values)
    result = interview.result()
    advice = advise(kb, result, interview.answers, interview.skipped, TODAY)
    text = Screen(False, 80).result(result, advice, interview.screens)
    assert "Not checked: you were not sure about" in text
    assert "pain, pressure or tightness in your chest." in " ".join(text.split())
    assert "If any of these applies, call 999 or go to A&E now." in " ".join(text.split())


def words(text: str) -> list[str]:
    return [word for word in text.split() if set(word) != {"-"}]  # rules drawn to the width


@pytest.mark.parametrize("width", [60, 80, 120])
def test_text_wraps_to_the_terminal_between_words(kb, width) -> None:
    """Lines fit the width (88 at most), and wrapping only moves words: the words, in order,
    are the same as at any other width, so none was cut in two."""
    for path in (DOMS, STRAIN, EMERGENCY):
        text = shown(kb, path, width, full=True)
        assert max(len(line) for line in text.splitlines()) <= min(width, 88)
        assert words(text) == words(shown(kb, path, 100, full=True))
        assert words(text) == words(shown(kb, path, 45, full=True))


# --- regions ----------------------------------------------------------------------------------


def test_region_us_names_911_and_the_emergency_room(runner) -> None:
    result = runner.invoke(main, ["ask", "--answers", str(EMERGENCY), "--region", "us"])
    assert result.exit_code == 0, result.output
    assert "Call 911 or go to the emergency room" in result.output
    assert "999" not in result.output and "A&E" not in result.output


@pytest.mark.acceptance
@pytest.mark.parametrize(
    ("region", "number"), [("uk", "999"), ("eu", "112"), ("au", "000"), ("nz", "111")]
)
def test_each_region_has_its_emergency_number(region, number) -> None:
    kb = load_knowledge(RULES, region=region)
    assert f"Call {number} " in kb.recommendations["call_emergency"].text
    assert "{" not in kb.notice + "".join(item.text for item in kb.safety_net)


def test_the_region_comes_from_the_config_file_unless_given(runner, tmp_path, monkeypatch):
    (tmp_path / "squat-triage").mkdir()
    (tmp_path / "squat-triage" / "config.toml").write_text('region = "au"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("TRIAGE_REGION", raising=False)
    result = runner.invoke(main, ["ask", "--answers", str(EMERGENCY)])
    assert "Call 000 " in result.output
    result = runner.invoke(main, ["ask", "--answers", str(EMERGENCY), "--region", "nz"])
    assert "Call 111 " in result.output


def test_an_unknown_region_is_invalid_input(runner) -> None:
    result = runner.invoke(main, ["ask", "--answers", str(DOMS), "--region", "usa"])
    assert result.exit_code == 2
    assert "unknown region `usa`" in result.stderr and "did you mean `us`" in result.stderr
    assert result.stderr.startswith("error: --region: "), "the option is named, not a folder"


def edited_rules(folder: Path, name: str, old: str, new: str) -> Path:
    """A copy of the shipped rules with one text replaced in one file."""
    folder.mkdir()
    for path in RULES.glob("*.yaml"):
        text = path.read_text()
        if path.name == name:
            assert old in text
            text = text.replace(old, new)
        (folder / path.name).write_text(text)
    return folder


@pytest.mark.acceptance
def test_a_placeholder_without_region_words_is_located(tmp_path) -> None:
    rules = edited_rules(
        tmp_path / "rules", "notices.yaml", "Call {emergency_number}", "Call {emergency_numbr}"
    )
    with pytest.raises(InputError) as caught:
        load_knowledge(rules)
    message = str(caught.value)
    assert "notices.yaml:" in message and "unknown placeholder `{emergency_numbr}`" in message


@pytest.mark.acceptance
def test_a_checklist_of_a_numeric_question_is_refused(tmp_path) -> None:
    rules = edited_rules(
        tmp_path / "rules", "questions.yaml", "      - fact: trains_core\n", "      - fact: age\n"
    )
    with pytest.raises(InputError, match="checklist items are yes/no questions; `age` is integer"):
        load_knowledge(rules)


# --- checklists -------------------------------------------------------------------------------


def test_warning_signs_come_as_one_checklist_each_recorded_as_its_own_fact(kb) -> None:
    interview = Interview(kb)
    step = interview.next_step()
    assert step is not None and step.checklist is not None
    facts = [q.id for q in step.questions]
    assert "saddle_numbness" in facts and "chest_pain" in facts
    interview.answer_step(step, {"chest_pain": True, **{f: False for f in facts[:-1]}})
    assert interview.screens == 1
    assert interview.answers == {**{f: False for f in facts[:-1]}, "chest_pain": True}
    assert interview.back() is not None
    assert interview.asked == () and interview.screens == 0, "back undoes the whole screen"


def test_a_skipped_checklist_leaves_every_sign_unknown(kb) -> None:
    interview = Interview(kb)
    step = interview.next_step()
    assert step is not None
    interview.answer_step(step, {})
    assert interview.answers == {}
    assert set(interview.skipped) == {q.id for q in step.questions}


def test_leg_pain_below_the_knee_settles_the_start_back_leg_item(kb) -> None:
    answers = read_case(str(CASES / "sciatica-three-weeks-screen-medium-risk.yaml"), kb).answers
    assert answers.get("radiates_below_knee") is True
    assert "sbst_leg_pain" not in replay(kb, answers).asked


@pytest.mark.parametrize(
    ("text", "ticked", "unsure"),
    [
        ("0", set(), set()),
        ("none", set(), set()),
        ("1 3", {1, 3}, set()),
        ("2,4", {2, 4}, set()),
        ("1 skip 4 5", {1}, {4, 5}),
        ("skip 2", set(), {2}),
        ("1 skip 3-5", {1}, {3, 4, 5}),
        ("2-3", {2, 3}, set()),
        ("4-4", {4}, set()),
        ("0 skip 3-5", set(), {3, 4, 5}),
        ("none skip 2", set(), {2}),
        ("no unsure 1-2", set(), {1, 2}),
    ],
)
def test_checklist_replies(text, ticked, unsure) -> None:
    assert parse_ticks(5, text) == (ticked, unsure)


@pytest.mark.parametrize(
    "text",
    [
        "6",
        "yes",
        "1 x",
        "2 skip 2",
        "",
        "²",
        "1 ³",
        "٣",
        "3-1",
        "2-6",
        "1-",
        "-2",
        "1 skip 1-3",
        "0 1",
        "1 0 skip 2",
        "0 skip",
    ],
)
def test_checklist_replies_that_do_not_fit(text) -> None:
    with pytest.raises(ReplyError):
        parse_ticks(5, text)


def test_a_typed_checklist_session_with_help_on_one_item(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["ask"], input="?2\n1 9\nquit\n")
    out = result.output
    assert "1. Since the pain began" in out
    assert "The area that would touch a bicycle saddle." in out, "?2 explains item 2"
    assert "Type the numbers of the items that apply, from 1 to 5" in out
    assert result.exit_code == 0


# --- progress files ---------------------------------------------------------------------------


def test_a_finished_interview_removes_its_progress_file(runner, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    from .test_ask_cli import _typed_screens

    kb = load_knowledge(RULES)
    first, *rest = _typed_screens(kb, answered(kb, DOMS))
    started = runner.invoke(main, ["ask"], input=first + "\n")
    assert started.exit_code == 1 and (tmp_path / "triage-progress.yaml").exists()
    second = runner.invoke(
        main, ["ask", "--resume", "triage-progress.yaml"], input="\n".join(rest) + "\n\n"
    )
    assert second.exit_code == 0, second.output
    assert "Look after it yourself" in second.output
    assert not (tmp_path / "triage-progress.yaml").exists()
    third = runner.invoke(main, ["ask"], input="quit\n")
    assert "An earlier interview is saved" not in third.output


# --- dates ------------------------------------------------------------------------------------


def test_today_is_injectable_and_checked(runner, monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_TODAY", "2026-12-01")
    result = runner.invoke(main, ["ask", "--answers", str(DOMS)])
    assert "clearly better by Monday 7 December, day 7" in result.output
    monkeypatch.setenv("TRIAGE_TODAY", "1 Dec")
    result = runner.invoke(main, ["ask", "--answers", str(DOMS)])
    assert result.exit_code == 2 and "expected YYYY-MM-DD" in result.stderr


# --- the report -------------------------------------------------------------------------------


class _Strict(HTMLParser):
    """Collects text and checks that every element opened is closed in order."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self.metas: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        if tag == "meta":
            found = dict(attrs)
            if "name" in found:
                self.metas[found["name"]] = found.get("content") or ""
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data) -> None:
        self.text.append(data)


HOSTILE = "<script>alert(1)</script> & **bold** [link](http://x) # head"


def hostile_case(tmp_path: Path) -> Path:
    text = DOMS.read_text().replace(
        "title: First heavy week, sore both sides next morning", f"title: {json.dumps(HOSTILE)}"
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    return path


def test_the_html_report_parses_is_escaped_and_carries_the_rules_version(
    runner, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("TRIAGE_TODAY", "2026-12-01")
    out = tmp_path / "plan.html"
    result = runner.invoke(main, ["report", str(hostile_case(tmp_path)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    parser = _Strict()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], "every element is closed"
    assert "script" not in parser.tags and "<script>" not in page
    assert not re.search(r"\b(src|href)=", page), "nothing is loaded from elsewhere"
    text = " ".join(parser.text)
    assert HOSTILE in text, "the title is shown as written"
    assert parser.metas["rules-version"] == rules_version(RULES)
    assert "Look after it yourself; it should be clearly better by Monday 7 December" in text
    assert "Your answers" in text and "across both sides of the lower back" in text
    assert "@media print" in page


def test_the_markdown_report_escapes_the_title(runner, tmp_path) -> None:
    result = runner.invoke(main, ["report", str(hostile_case(tmp_path))])
    assert result.exit_code == 0, result.output
    doc = result.stdout
    assert "<script>" not in doc and "&lt;script&gt;" in doc
    assert r"\*\*bold\*\*" in doc and r"\[link\]" in doc
    assert f"`{rules_version(RULES)}`" in doc
    assert "## What to do" in doc and "## Watch for these" in doc


def test_ask_report_writes_the_format_its_extension_names(runner, tmp_path) -> None:
    for name in ("plan.md", "plan.html"):
        path = tmp_path / name
        result = runner.invoke(main, ["ask", "--answers", str(STRAIN), "--report", str(path)])
        assert result.exit_code == 0, result.output
        assert path.read_text().startswith("<!DOCTYPE html>" if name.endswith("html") else "# ")
    bad = runner.invoke(main, ["ask", "--answers", str(STRAIN), "--report", "plan.pdf"])
    assert bad.exit_code == 2 and ".md or .html" in bad.stderr


@pytest.mark.acceptance
def test_the_rules_version_changes_with_any_edit(tmp_path) -> None:
    rules = edited_rules(tmp_path / "rules", "", "", "")
    before = rules_version(rules)
    assert before == rules_version(RULES)
    notices = rules / "notices.yaml"
    notices.write_text(notices.read_text() + "\n")
    assert rules_version(rules) != before


# --- pipes ------------------------------------------------------------------------------------


@pytest.mark.acceptance
@pytest.mark.slow
def test_a_closed_pipe_ends_quietly() -> None:
    command = f"{sys.executable} -m triage run cases/ --jobs 1 --format json | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=ROOT, capture_output=True, text=True
    )
    assert done.stdout == "{\n"
    assert done.stderr == "", done.stderr
    assert done.returncode == 141


def test_the_progress_bar_waits_a_second_and_is_erased(monkeypatch, capsys) -> None:
    import triage.cli.run as run_module

    clock = iter([100.0, 100.2, 100.5, 101.3, 101.6])
    monkeypatch.setattr(run_module.time, "monotonic", lambda: next(clock))
    with run_module.LateBar(4, show=True) as bar:
        bar.update(1)  # 0.2 s in: nothing yet
        bar.update(1)  # 0.5 s
        assert capsys.readouterr().err == ""
        bar.update(1)  # 1.3 s: the run is slow enough to show progress
        assert "3/4" in capsys.readouterr().err
        bar.update(1)
    assert capsys.readouterr().err.endswith("\r\x1b[K"), "erased before the report"
    with run_module.LateBar(4, show=False) as quiet:
        quiet.update(4)
    assert capsys.readouterr().err == ""


def test_every_command_help_has_an_example(runner) -> None:
    for name in main.commands:
        text = runner.invoke(main, [name, "--help"]).output
        assert "Examples:" in text and f"triage {name}" in text.split("Examples:")[1], name


def test_a_strain_with_the_doctor_signs_skipped_still_fits_forty_lines(kb) -> None:
    answers = answered(kb, STRAIN)
    interview = Interview(kb)
    while (step := interview.next_step()) is not None:
        if step.checklist is not None and step.checklist.id == "doctor_signs":
            interview.answer_step(step, {})  # "skip": not sure of any
        else:
            interview.answer_step(step, {q.id: answers.get(q.id) for q in step.questions})
    result = interview.result()
    advice = advise(kb, result, interview.answers, interview.skipped, TODAY)
    text = Screen(False, 80).result(result, advice, interview.screens)
    assert "Not checked" in text and "see a GP within the next few days" in " ".join(text.split())
    assert len(text.splitlines()) + 3 <= 40, "with the prompt below it"


def test_markdown_keeps_a_plain_ampersand_and_escapes_markup() -> None:
    from triage.render.report import md

    assert md("Call 999 or go to A&E") == "Call 999 or go to A&E"
    assert md("&lt; <b>x</b>") == "&amp;lt; &lt;b&gt;x&lt;/b&gt;"


# --- findings of the new-user test ------------------------------------------------------------


def _one_skipped(kb, fact: str) -> tuple:
    """The DOMS story with one emergency sign left unanswered (`skip 2` at the first screen)."""
    answers = answered(kb, DOMS)
    answers[fact] = None
    interview = replay(kb, answers)
    result = interview.result()
    return result, advise(kb, result, interview.answers, interview.skipped, TODAY)


def test_an_unanswered_emergency_sign_comes_right_under_the_headline(kb) -> None:
    result, advice = _one_skipped(kb, "saddle_numbness")
    lines = Screen(False, 80).result(result, advice, 11).splitlines()
    at = lines.index("Not checked: you were not sure about")
    headline = " ".join(lines[2:at])
    assert headline.startswith("Look after it yourself") and at <= 4, "right under the headline"
    assert "Monday 7 December" in headline and "What to do" not in headline
    under = " ".join(" ".join(lines[at + 1 : at + 3]).split())
    assert under.startswith("numbness or pins and needles around your genitals")
    assert "If it applies, call 999 or go to A&E now." in under, "one sign: singular"
    assert "If any of these" not in under


def test_several_unanswered_signs_are_spoken_of_in_the_plural(kb) -> None:
    answers = answered(kb, DOMS)
    for fact in ("saddle_numbness", "chest_pain"):
        answers[fact] = None
    interview = replay(kb, answers)
    result = interview.result()
    advice = advise(kb, result, interview.answers, interview.skipped, TODAY)
    text = " ".join(Screen(False, 80).result(result, advice, 11).split())
    assert "If any of these applies, call 999 or go to A&E now." in text
    assert text.index("Not checked") < text.index("What to do now")


def test_a_report_puts_the_unchecked_signs_before_the_advice_and_shows_no_level_id(kb) -> None:
    from triage.render.registry import reporter
    from triage.render.report import Consultation

    answers = answered(kb, DOMS)
    answers["saddle_numbness"] = None
    interview = replay(kb, answers)
    consultation = Consultation.of(interview, interview.result(), "", TODAY)
    for kind in ("markdown", "html"):
        text = reporter("report", kind)(consultation)
        assert text.index("Not checked") < text.index("What to do"), kind
        assert "self_care" not in text and "Urgency level" not in text, kind
        assert "1 days" not in text and "1 day" in text, kind


def test_an_emergency_names_the_sign_and_how_shows_only_the_rules_behind_it(kb) -> None:
    interview = replay(kb, {"saddle_numbness": True})
    result = interview.result()
    advice = advise(kb, result, interview.answers, interview.skipped, TODAY)
    screen = Screen(False, 80)
    text = " ".join(screen.result(result, advice, 1, kb=kb).split())
    assert "Tell them about these answers: * Numbness or pins and needles around your" in text
    how = screen.how(result, kb)
    assert "1. Numbness or pins and needles in the saddle area" in how
    assert "2." not in how, "rules that fired on questions never asked are left out"
    assert "Held back" not in how and "_" not in how, how


def test_a_doctor_result_names_the_answers_that_raised_it(kb) -> None:
    answers = answered(kb, DOMS) | {"age": 62, "days_since_onset": 10, "pain_trend": "stable"}
    interview = replay(kb, answers)
    result = interview.result()
    assert result.urgency == "doctor_soon", result.urgency
    advice = advise(kb, result, interview.answers, interview.skipped, TODAY)
    text = " ".join(Screen(False, 80).result(result, advice, 9, kb=kb).split())
    assert "Tell the GP about these answers:" in text
    assert "How old are you?: 62 years" in text


def test_how_speaks_in_the_catalogue_words(kb) -> None:
    interview = replay(kb, answered(kb, DOMS))
    how = Screen(False, 80).how(interview.result(), kb)
    assert "Where is the pain?: across both sides of the lower back" in " ".join(how.split())
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", how), "no fact ids, values or finding names"


def test_day_and_its_number_never_part_at_a_line_end() -> None:
    from triage.render.screen import wrap

    text = "Look after it yourself; it should be clearly better by Tuesday 8 December, day 7."
    for width in range(40, 89):
        for line in wrap(text, width=width).splitlines():
            assert not line.endswith((" day", "December,")), (width, line)
            assert len(line) <= width and line != "day 7.", (width, line)


def test_a_resumed_interview_counts_a_checklist_as_one_screen(kb, tmp_path) -> None:
    """Two screens answered (both warning-sign checklists), then Ctrl-C: the numbers the
    lifter reads afterwards all say 2, and the next screen is Question 3."""
    interview = Interview(kb)
    for _ in range(2):
        step = interview.next_step()
        assert step is not None and step.checklist is not None
        interview.answer_step(step, {q.id: False for q in step.questions})
    assert interview.screens == 2
    again = Interview(kb, interview.answers, asked=interview.asked)
    assert again.screens == 2, "15 items on 2 checklists are 2 screens, not 15"


def test_a_squat_not_filmed_is_one_word_on_the_training_checklist(
    runner, tmp_path, monkeypatch
) -> None:
    """Training and the side video share a screen in two headed parts; the video part's
    heading prints its own numbers, and `skip` with that range leaves every fault unknown
    while the training answers count."""
    monkeypatch.chdir(tmp_path)
    kb = load_knowledge(RULES)
    answers = read_case(str(DOMS), kb).answers
    interview = Interview(kb)
    while (step := interview.next_step()) is not None and (
        step.checklist is None or step.checklist.id != "training"
    ):
        interview.answer_step(step, {q.id: answers.get(q.id) for q in step.questions})
    assert step is not None and step.checklist is not None
    facts = [q.id for q in step.questions]
    assert facts[:2] == ["recent_load_jump", "trains_core"] and "heels_lift" in facts
    shown = Screen(False, 80).checklist(step.checklist, step.questions, interview.screens + 1)
    assert "  Your training:\n  1. The weight" in shown
    assert f"add skip 3-{len(facts) - 1}" in shown.replace("\n  ", " ")

    progress = tmp_path / "progress.yaml"
    progress.write_text(case_text(interview, "in progress", progress, final=False))
    result = runner.invoke(
        main, ["ask", "--resume", str(progress)], input=f"2 skip 3-{len(facts)}\nquit\n"
    )
    assert result.exit_code == 0, result.output
    resumed, _ = read_interview(str(progress), kb)
    assert resumed.answers["trains_core"] is True
    assert resumed.answers["recent_load_jump"] is False
    assert set(facts[2:]) <= set(resumed.skipped), "every video item stays unknown"


def test_a_part_keeps_its_heading_when_its_first_item_is_not_on_the_screen(kb) -> None:
    checklist = kb.checklist_of["heels_lift"]
    questions = tuple(kb.questions[f] for f in ("trains_core", "heels_lift", "back_overarches"))
    shown = Screen(False, 80).checklist(checklist, questions, 7)
    assert "Your training:" in shown
    assert "add skip 2-3" in shown.replace("\n  ", " ")
