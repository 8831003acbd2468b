"""`triage ask` driven line by line, as a script (or a lifter at a pipe) would drive it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from triage.cli import main
from triage.files.cases import read_case
from triage.interview import replay
from triage.model.vocabulary import CATEGORY_TITLES, URGENCY_WORDS
from triage.render.screen import Screen, wants_color
from triage.tools.advice import advise

from .conftest import CASES
from .test_interview import write_tiny_rules

CASE_FILES = sorted(CASES.rglob("*.yaml"))


@pytest.fixture
def rules(tmp_path: Path) -> str:
    return str(write_tiny_rules(tmp_path / "rules"))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return folder


def ask(runner, rules: str, lines: list[str], *args: str):
    text = "".join(line + "\n" for line in lines)
    return runner.invoke(main, ["ask", "--rules", rules, *args], input=text)


# saddle no, fever no, pain on both sides, 2 days ago, no load jump, trains core.
DOMS = ["n", "n", "2", "2", "n", "y"]


def test_a_scripted_interview_ends_with_the_advice(runner, rules, workdir) -> None:
    result = ask(runner, rules, [*DOMS, ""])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("Question ") == 6
    assert "How old are you?" not in out, "no rule reads the age, so it is never asked"
    assert "By how many percent?" not in out, "no jump, so its size cannot matter"
    assert URGENCY_WORDS["self_care"] in out
    assert "1. Normal soreness" in out, "the actions come as a short numbered list"
    assert "Keep moving." not in out, "how-to steps wait for `more`"
    assert "Get help at once if new numbness appears." in out
    assert "This is not a diagnosis." in out
    assert "\x1b[" not in out
    assert not (workdir / "triage-progress.yaml").exists()


def test_help_shows_the_help_text_and_reasons(runner, rules, workdir) -> None:
    result = ask(runner, rules, ["?", "help", *DOMS, ""])
    assert result.exit_code == 0, result.output
    assert result.output.count("The area a bicycle saddle touches.") == 2
    assert "Why we ask: It can mean nerve compression." in result.output


def test_why_shows_the_rule_pursued_and_what_is_known(runner, rules, workdir) -> None:
    result = ask(runner, rules, ["n", "skip", "2", "why", "2", "n", "y", ""])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "This answer helps decide: Soreness pattern." in out
    assert "Known so far:" in out
    assert "- Any saddle numbness?: no" in out
    assert "- Where is the pain?: both sides of the lower back" in out
    assert "You were not sure about:\n    - Any fever?" in out
    assert "Source: src-soreness" in out
    assert "days_since_onset" not in out and "lower_back_both_sides" not in out


def test_back_undoes_the_last_answer(runner, rules, workdir) -> None:
    lines = ["back", "y", "back", "n", "n", "back", "y", "n", "y", "how", ""]
    result = ask(runner, rules, lines)
    out = result.output
    assert result.exit_code == 0, out
    assert "This is the first question; nothing to go back to." in out
    assert out.count("Any saddle numbness?") == 3  # asked, back, asked again
    # Saddle no, fever yes (after going back from "no"), no jump, core work: a doctor soon.
    assert URGENCY_WORDS["doctor_soon"] in out
    how = out.split("rules behind it")[-1]
    assert "1. Fever" in how and "source: src-fever" in how
    assert "because: Any fever?: yes" in how, "the answer that led there, in words"


def test_back_on_the_result_screen_returns_to_the_last_question(runner, rules, workdir) -> None:
    result = ask(runner, rules, [*DOMS, "back", "n", "more", ""])
    out = result.output
    assert result.exit_code == 0, out
    assert out.count("Do you train your core?") == 2
    assert CATEGORY_TITLES["core_work"] in out.split("Do you train your core?")[-1]


def test_invalid_answers_are_asked_again_with_what_is_allowed(runner, rules, workdir) -> None:
    result = ask(runner, rules, ["maybe", "n", "n", "9", "lower", "2", "1.5", "-3", "2"])
    out = result.output
    assert "Please answer yes or no (y or n)" in out
    assert "Please type the number of your answer, from 1 to 3" in out
    assert "could be 1 (lower_back_central) or 2 (both sides of the lower back)" in " ".join(
        out.split()
    )
    assert "1.5 is not a whole number; please type a whole number from 0 to 3650 (days)" in out
    assert "  Please type a whole number from 0 to 3650 (days); or type ? for help." in out
    assert out.count("Where is the pain?") == 1, "a re-prompt does not repeat the question"
    assert "Did the load jump?" in out


def test_skip_records_dont_know_and_the_save_keeps_it(runner, rules, workdir) -> None:
    result = ask(runner, rules, ["n", "skip", "3", "n", "y", ""], "--save", "mine.yaml")
    assert result.exit_code == 0, result.output
    text = (workdir / "mine.yaml").read_text()
    assert "# asked: saddle_numbness fever_or_unwell pain_location recent_load_jump" in text
    case = read_case("mine.yaml", _tiny(workdir))
    assert "fever_or_unwell" not in case.answers
    assert list(case.answers) == [
        "saddle_numbness",
        "pain_location",
        "recent_load_jump",
        "trains_core",
    ]


def test_a_saved_interview_passes_triage_run(runner, rules, workdir) -> None:
    result = ask(runner, rules, [*DOMS, ""], "--save", "doms.yaml")
    assert result.exit_code == 0, result.output
    assert "Saved to doms.yaml; check it with: " in result.output
    assert "triage run doms.yaml" in result.output
    checked = runner.invoke(main, ["run", "doms.yaml", "--rules", rules, "--format", "json"])
    assert checked.exit_code == 0, checked.output
    [outcome] = json.loads(checked.output)["results"]
    assert outcome["status"] == "pass"
    assert outcome["urgency"] == "self_care"
    assert [r["id"] for r in outcome["recommendations"]] == ["reassure"]


def test_quit_saves_and_names_the_file(runner, rules, workdir) -> None:
    result = ask(runner, rules, ["n", "quit"])
    assert result.exit_code == 0, result.output
    assert "saved in triage-progress.yaml" in result.stderr
    assert "triage ask --resume triage-progress.yaml" in result.stderr
    case = read_case("triage-progress.yaml", _tiny(workdir))
    assert case.answers == {"saddle_numbness": False}
    assert case.expect is None


def test_end_of_input_saves_progress_and_resume_goes_on(runner, rules, workdir) -> None:
    first = ask(runner, rules, ["n", "skip", "2"])
    assert first.exit_code == 1
    assert "Input ended: your answers to 3 questions so far are saved in" in first.stderr
    checked = runner.invoke(main, ["run", "triage-progress.yaml", "--rules", rules])
    assert checked.exit_code == 0, checked.output
    second = ask(runner, rules, ["2", "n", "y", ""], "--resume", "triage-progress.yaml")
    assert second.exit_code == 0, second.output
    out = second.output
    assert "Continuing an earlier interview: 3 questions already answered." in out
    assert "Any saddle numbness?" not in out and "Any fever?" not in out
    assert "Where is the pain?" not in out
    assert "Question 4" in out and "How many days ago did it start?" in out
    # The fever was skipped, so nothing flags the soreness: reassurance stands.
    assert "1. Normal soreness" in out


def test_end_of_input_before_any_answer_saves_nothing(runner, rules, workdir) -> None:
    result = ask(runner, rules, [])
    assert result.exit_code == 1
    assert "nothing was answered, so nothing was saved" in result.stderr
    assert not (workdir / "triage-progress.yaml").exists()


def test_progress_goes_to_the_save_file_when_given(runner, rules, workdir) -> None:
    result = ask(runner, rules, ["y"], "--save", "mine.yaml")
    assert result.exit_code == 1
    assert "saved in mine.yaml" in result.stderr
    assert "--resume mine.yaml --rules" in result.stderr
    assert read_case("mine.yaml", _tiny(workdir)).answers == {"saddle_numbness": True}


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("answers:\n  sadle_numbness: true\n", ":2:3", "did you mean `saddle_numbness`"),
        ("# asked: fever_or_unwel\nanswers: {}\n", ":1:10", "did you mean `fever_or_unwell`"),
        ("answers: [\n", ":", "YAML"),
    ],
)
def test_a_bad_resume_file_is_located(runner, rules, workdir, text, where, message) -> None:
    (workdir / "bad.yaml").write_text(text)
    result = ask(runner, rules, [], "--resume", "bad.yaml")
    assert result.exit_code == 2
    assert f"bad.yaml{where}" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_missing_resume_file_is_an_input_error(runner, rules, workdir) -> None:
    result = ask(runner, rules, [], "--resume", "nowhere.yaml")
    assert result.exit_code == 2
    assert "nowhere.yaml: I101 cannot read case file" in result.stderr


def test_answers_and_resume_do_not_mix(runner, rules, workdir) -> None:
    (workdir / "a.yaml").write_text("answers: {}\n")
    result = ask(runner, rules, [], "--answers", "a.yaml", "--resume", "a.yaml")
    assert result.exit_code == 2


def test_save_into_a_missing_folder_fails_before_asking(runner, rules, workdir) -> None:
    result = ask(runner, rules, DOMS, "--save", "no/such/dir.yaml")
    assert result.exit_code == 2
    assert "Question 1" not in result.output


def test_json_goes_to_stdout_and_the_questions_to_stderr(runner, rules, workdir) -> None:
    result = ask(runner, rules, DOMS, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["case"] == "<interview>"
    assert data["status"] == "unchecked"
    assert data["asked"] == [
        "saddle_numbness",
        "fever_or_unwell",
        "pain_location",
        "days_since_onset",
        "recent_load_jump",
        "trains_core",
    ]
    assert "Any saddle numbness?" in result.stderr


def test_replay_prints_the_result_with_asked_in_order(runner, rules, workdir) -> None:
    (workdir / "case.yaml").write_text(
        "answers:\n  fever_or_unwell: true\n  recent_load_jump: true\n  age: 40\n"
        "  trains_core: true\n"
        "expect:\n  urgency: doctor_soon\n  includes: [see_gp, reduce_load]\n"
    )
    result = ask(runner, rules, [], "--answers", "case.yaml", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["asked"] == [
        "saddle_numbness",
        "fever_or_unwell",
        "recent_load_jump",
        "load_jump_percent",
        "trains_core",
    ]
    assert data["status"] == "pass"
    assert data["urgency"] == "doctor_soon"
    assert [r["id"] for r in data["recommendations"]] == ["see_gp", "reduce_load"]
    assert set(data) >= {"case", "urgency", "recommendations", "fired", "asked", "status"}


def test_replay_reads_a_case_from_stdin(runner, rules, workdir) -> None:
    case = "answers:\n  saddle_numbness: true\n  recent_load_jump: false\n"
    result = runner.invoke(
        main, ["ask", "--rules", rules, "--answers", "-", "--format", "json"], input=case
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["case"] == "<stdin>"
    assert data["asked"] == ["saddle_numbness", "recent_load_jump"]
    assert data["urgency"] == "emergency"


def test_replay_reports_a_missed_expectation(runner, rules, workdir) -> None:
    (workdir / "case.yaml").write_text("answers: {}\nexpect: {urgency: emergency}\n")
    result = ask(runner, rules, [], "--answers", "case.yaml")
    assert result.exit_code == 1
    assert "Your answers:" in result.output
    assert "- Any fever?: don't know" in result.output
    assert "case.yaml: fail" in result.output


# A spread of the corpus, for the slower end-to-end checks (every case is replayed in
# test_interview.py).
SAMPLE = CASE_FILES[:: max(1, len(CASE_FILES) // 4)]


@pytest.fixture
def shipped(monkeypatch: pytest.MonkeyPatch, kb):
    """The commands with the shipped base loaded once per session (loading has its own tests)."""
    import triage.cli.ask
    import triage.cli.run

    def load(rules_dir):
        assert rules_dir is None
        return kb

    def load_for(rules_dir, region):
        assert region is None
        return load(rules_dir)

    monkeypatch.setattr(triage.cli.ask, "load_kb_for", load_for)
    monkeypatch.setattr(triage.cli.run, "load_kb", load)
    return kb


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.stem)
def test_replay_json_matches_triage_run(runner, shipped, path) -> None:
    replayed = runner.invoke(main, ["ask", "--answers", str(path), "--format", "json"])
    batch = runner.invoke(main, ["run", str(path), "--format", "json"])
    assert replayed.exit_code == batch.exit_code == 0, replayed.output
    mine, [theirs] = json.loads(replayed.stdout), json.loads(batch.stdout)["results"]
    assert mine["case"] == theirs["case"] == str(path)
    assert mine["urgency"] == theirs["urgency"]
    assert mine["recommendations"] == theirs["recommendations"]
    assert mine["status"] == theirs["status"] == "pass"
    assert mine["asked"] == list(replay(shipped, read_case(str(path), shipped).answers).asked)


@pytest.mark.parametrize("path", SAMPLE[:2], ids=lambda p: p.stem)
def test_typing_a_cases_answers_saves_a_case_that_passes(
    runner, shipped, engine, path, workdir
) -> None:
    answers = read_case(str(path), shipped).answers
    lines = _typed_screens(shipped, answers)
    # Without the history, which would also ask the severity for the next check-in.
    typed = "\n".join(lines) + "\n\n"
    result = runner.invoke(main, ["ask", "--no-history", "--save", "typed.yaml"], input=typed)
    assert result.exit_code == 0, result.output
    checked = runner.invoke(main, ["run", "typed.yaml", "--format", "json"])
    assert checked.exit_code == 0, checked.output
    [mine] = json.loads(checked.stdout)["results"]
    batch = engine.evaluate(answers)
    assert mine["status"] == "pass"
    assert mine["urgency"] == batch.urgency
    assert [r["id"] for r in mine["recommendations"]] == [r.id for r in batch.recommendations]


# --- colour ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "env", "tty", "expected"),
    [
        (False, {}, True, True),
        (True, {}, True, False),
        (False, {"NO_COLOR": "1"}, True, False),
        (False, {"NO_COLOR": ""}, True, True),
        (False, {}, False, False),
    ],
)
def test_colour_only_on_a_terminal_and_never_when_refused(flag, env, tty, expected) -> None:
    assert wants_color(flag, env, tty) is expected


def test_coloured_and_plain_results_say_the_same(runner, rules, workdir) -> None:
    from triage.files.loader import load_knowledge

    kb = load_knowledge(rules)
    result = replay(kb, {"saddle_numbness": True}).result()
    advice = advise(kb, result, {"saddle_numbness": True}, (), date(2026, 12, 1))
    plain = Screen(False).result(result, advice, 1)
    coloured = Screen(True).result(result, advice, 1)
    assert "\x1b[" not in plain and "\x1b[31m" in coloured  # emergency in red
    assert URGENCY_WORDS["emergency"] in plain


def test_no_color_flag_is_accepted(runner, rules, workdir, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = ask(runner, rules, [*DOMS, ""], "--no-color")
    assert result.exit_code == 0
    assert "\x1b[" not in result.output


def _typed_screens(kb, answers) -> list[str]:
    """What a lifter types, screen by screen, to give these answers (checklists included)."""
    from triage.interview import Interview

    interview, lines = Interview(kb), []
    while (step := interview.next_step()) is not None:
        values = {q.id: answers.get(q.id) for q in step.questions}
        if step.checklist is None:
            value = values[step.question.id]
            lines.append("skip" if value is None else _typed(value))
        elif all(value is None for value in values.values()):
            lines.append("skip")
        else:
            numbered = list(enumerate(values.values(), start=1))
            yes = [str(n) for n, value in numbered if value is True]
            unsure = [str(n) for n, value in numbered if value is None]
            text = " ".join(yes) or ("" if unsure else "0")
            lines.append(text + (" skip " + " ".join(unsure) if unsure else ""))
        interview.answer_step(step, values)
    return lines


def _typed(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _tiny(workdir: Path):
    from triage.files.loader import load_knowledge

    return load_knowledge(workdir.parent / "rules")


def test_a_replay_offers_the_details_as_an_option_not_as_a_prompt() -> None:
    from click.testing import CliRunner

    from .conftest import CASES

    result = CliRunner().invoke(
        main,
        ["ask", "--answers", str(CASES / "doms-first-heavy-week.yaml")],
        env={"TRIAGE_TODAY": "2026-12-02"},
    )
    assert result.exit_code == 0, result.output
    assert "run it again with --full" in result.output
    assert "type more" not in result.output, "there is nothing to type at in a replay"


def test_why_at_a_checklist_speaks_for_the_whole_list_and_stays_short(
    runner, shipped, workdir
) -> None:
    """`why` at the first screen explains the list, not its first item; at a later screen the
    unticked items are counted, so the question stays on a 40-line screen."""
    lines = ["why", "?", "0", "0", "3", "1", "3", "3", "why", "quit"]
    result = runner.invoke(main, ["ask"], input="".join(f"{line}\n" for line in lines))
    out = result.output
    first = out.split("0 for none > ")[1]
    assert "Any one of them means emergency care now" in first
    assert "get emergency care now, and it adds: get emergency care now" not in out
    assert "Nothing is known yet" not in out
    help_text = out.split("0 for none > ")[2]
    assert "Type the numbers" not in help_text, "the screen above already says it"
    assert help_text.count("Answer with the numbers") == 1
    later = out.split("0 for none > why")[-1].split("0 for none > ")[0]
    assert "- none of the 15 items on the lists so far" in later
    assert "- How did the pain come on?: the next day" in later
    assert len(later.splitlines()) <= 12, later


def test_today_and_yesterday_are_day_counts(kb) -> None:
    from triage.interview import parse_reply

    days = kb.questions["days_since_onset"]
    assert parse_reply(days, "Today") == 0 and parse_reply(days, "yesterday") == 1
    assert parse_reply(days, "3") == 3
