"""Check-ins over time: episodes, the computed day, the proposed trend, the re-check day, and
`triage ask` / `triage history` as a lifter uses them over two weeks."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from triage.cli import main
from triage.files.history import CheckIn, Episode, History, NewCheckIn
from triage.files.loader import load_knowledge
from triage.model.errors import InputError
from triage.model.knowledge import KnowledgeBase
from triage.model.result import Result
from triage.tools.episodes import (
    closed_reason,
    due,
    follow_up_start,
    onset_of,
    open_episode,
    recheck,
)

from .conftest import ROOT, RULES

pytestmark = pytest.mark.acceptance  # the shipped rules, the CLI, real processes

START = date(2026, 11, 30)  # the twinge, a Monday

# A sudden one-sided twinge on a heavy back squat: a strain, no warning signs.
STRAIN: dict[str, Any] = {
    "bladder_or_bowel_change": False,
    "saddle_numbness": False,
    "both_legs_affected": False,
    "leg_weakness": False,
    "recent_trauma": False,
    "chest_pain": False,
    "history_of_cancer": False,
    "fever_or_unwell": False,
    "recent_infection": False,
    "unexplained_weight_loss": False,
    "night_or_rest_pain": False,
    "osteoporosis_or_steroids": False,
    "radiates_below_knee": False,
    "numbness_or_tingling": False,
    "age": 31,
    "experience": "intermediate",
    "squat_variant": "back_squat",
    "load_level": "heavy",
    "depth": "parallel",
    "recent_load_jump": True,
    "load_jump_percent": 15,
    "rpe_top_set": 9,
    "trains_core": False,
    "pain_location": "lower_back_one_side",
    "pain_onset": "during_lift_sudden",
    "days_since_onset": 1,
    "pain_trend": "worsening",
    "severity_0_10": 6,
    "stops_daily_activities": False,
    "back_rounds_at_bottom": True,
    "back_overarches": False,
    "hips_rise_first": False,
    "heels_lift": False,
    "ankle_dorsiflexion_limited": False,
}


def stored(on: date, answers: dict[str, Any], urgency: str = "doctor_if_not_better") -> CheckIn:
    return CheckIn(
        on=on,
        answers=answers,
        asked=tuple(answers),
        urgency=urgency,
        recommendations=(),
        fired=(),
        findings=(),
        kb_version="v",
        recheck_on=on + timedelta(days=7),
    )


def episode_of(*checkins: CheckIn, closed: date | None = None) -> Episode:
    return Episode(1, START, True, closed, "gone" if closed else None, tuple(checkins))


# --- episode logic ----------------------------------------------------------------------------


def test_a_later_checkin_carries_the_lasting_answers_and_computes_the_day(kb) -> None:
    episode = episode_of(stored(START + timedelta(days=1), STRAIN))
    start = follow_up_start(kb, episode, START + timedelta(days=8))
    assert start.day == 8
    assert start.answers["days_since_onset"] == 8
    assert start.answers["experience"] == "intermediate" and start.answers["age"] == 31
    red_flags = {qid for qid, q in kb.questions.items() if q.group == "red_flag"}
    assert not red_flags & set(start.answers), "warning signs are asked again every time"
    for changing in ("severity_0_10", "pain_trend", "pain_location", "stops_daily_activities"):
        assert changing not in start.answers


@pytest.mark.parametrize(
    ("before", "now", "trend"),
    [(6, 3, "improving"), (6, 4, "improving"), (6, 5, "stable"), (6, 7, "stable"),
     (4, 6, "worsening"), (0, 10, "worsening")],
)  # fmt: skip
def test_the_trend_is_proposed_from_the_severity_change(kb, before, now, trend) -> None:
    episode = episode_of(stored(START, {**STRAIN, "severity_0_10": before}))
    start = follow_up_start(kb, episode, START + timedelta(days=7))
    assert start.propose_trend(now) == trend


def test_no_trend_is_proposed_without_both_ratings(kb) -> None:
    answers = {k: v for k, v in STRAIN.items() if k != "severity_0_10"}
    start = follow_up_start(kb, episode_of(stored(START, answers)), START + timedelta(days=7))
    assert start.propose_trend(4) is None


def test_an_episode_closes_when_the_pain_has_gone_or_after_the_stated_period(kb) -> None:
    last = START + timedelta(days=1)
    episode = episode_of(stored(last, STRAIN))
    period = kb.follow_up.close_after_days
    assert open_episode([episode], last + timedelta(days=period), kb) is episode
    later = last + timedelta(days=period + 1)
    assert open_episode([episode], later, kb) is None
    assert closed_reason(episode, later, kb.follow_up) == "no_checkin"
    gone = episode_of(stored(last, STRAIN), closed=last + timedelta(days=3))
    assert open_episode([gone], last + timedelta(days=4), kb) is None


def test_the_onset_of_a_new_episode_comes_from_the_day_count(kb) -> None:
    assert onset_of(kb, {"days_since_onset": 3}, date(2026, 12, 4)) == (START + timedelta(1), True)
    assert onset_of(kb, {}, date(2026, 12, 4)) == (date(2026, 12, 4), False)


def _result(kb: KnowledgeBase, answers: dict[str, Any]) -> Result:
    from triage.interview import engine_for

    return engine_for(kb).evaluate(answers)


@pytest.mark.parametrize(
    ("answers", "day"),
    [
        # A strain not improving: the two-week checkpoint of strain-not-improving-by-two-weeks.
        ({**STRAIN, "days_since_onset": 8, "pain_trend": "stable"}, 14),
        # Training soreness on day 1: it should be gone when the soreness window ends.
        ({"pain_location": "lower_back_both_sides", "pain_onset": "next_day",
          "days_since_onset": 1, "pain_trend": "stable"}, 8),
        # ... but if it is still rising, day 4 tells whether that is more than the normal peak.
        ({"pain_location": "lower_back_both_sides", "pain_onset": "next_day",
          "days_since_onset": 2, "pain_trend": "worsening"}, 4),
        # Nerve pain improving on day 30: the six-week checkpoint, when it should be gone.
        ({**STRAIN, "pain_location": "lower_back_and_leg", "days_since_onset": 30,
          "pain_trend": "improving"}, 42),
    ],
)  # fmt: skip
def test_the_recheck_day_is_where_the_rules_would_advise_differently(kb, answers, day) -> None:
    today = date(2026, 12, 10)
    point = recheck(kb, answers, _result(kb, answers), today)
    assert point is not None
    assert point.day == day
    assert point.date == today + timedelta(days=day - answers["days_since_onset"])


def test_an_emergency_has_no_recheck_day(kb) -> None:
    answers = {**STRAIN, "saddle_numbness": True}
    result = _result(kb, answers)
    assert result.urgency == "emergency"
    assert recheck(kb, answers, result, START) is None


def test_the_recheck_day_follows_a_moved_checkpoint_in_the_rules(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    text = (rules / "pain_type.yaml").read_text(encoding="utf-8")
    (rules / "pain_type.yaml").write_text(
        text.replace("{fact: days_since_onset, gte: 14}", "{fact: days_since_onset, gte: 12}"),
        encoding="utf-8",
    )
    moved = load_knowledge(rules)
    answers = {**STRAIN, "days_since_onset": 8, "pain_trend": "stable"}
    point = recheck(moved, answers, _result(moved, answers), START)
    assert point is not None and point.day == 12


def test_warning_signs_cannot_be_carried_over(tmp_path: Path) -> None:
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = rules / "follow_up.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("    - age\n", "    - saddle_numbness\n"),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_knowledge(rules)
    [problem] = caught.value.problems
    assert problem.location.file.endswith("follow_up.yaml") and problem.location.line > 1
    assert "warning sign" in problem.message


def test_due_lists_open_episodes_whose_recheck_day_has_come(kb) -> None:
    checkin = replace(stored(START, STRAIN), recheck_on=date(2026, 12, 14))
    episode = episode_of(checkin)
    assert due([episode], date(2026, 12, 13), kb) == []
    assert due([episode], date(2026, 12, 14), kb) == [episode]
    closed = episode_of(checkin, closed=date(2026, 12, 2))
    assert due([closed], date(2026, 12, 14), kb) == []


# --- triage ask over two weeks, in a real process ---------------------------------------------


class Lifter:
    """Answers `triage ask` through a pipe, question by question, as a person reads them."""

    def __init__(self, kb: KnowledgeBase, history: Path, workdir: Path) -> None:
        self.kb, self.history, self.workdir = kb, history, workdir
        self.prompts = {" ".join(q.prompt.split()): qid for qid, q in kb.questions.items()}
        self.first: dict[str, str] = {}  # a command typed at a question before its answer
        self.last = ""

    def consult(
        self, today: date, answers: dict[str, Any], episode: str = "1", trend: str = "", *args: str
    ) -> tuple[int, str, list[str]]:
        """Run one consultation; (exit code, everything shown, fact ids asked in order)."""
        env = dict(os.environ, TRIAGE_TODAY=today.isoformat(), TRIAGE_HISTORY=str(self.history))
        env["NO_COLOR"] = "1"
        proc = subprocess.Popen(
            [sys.executable, "-m", "triage", "ask", *args],
            cwd=self.workdir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert proc.stdin is not None and proc.stdout is not None
        shown, asked, pending, replies = "", [], "", 0
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            assert ready, "triage ask stopped answering:\n" + shown[-2000:]
            chunk = os.read(proc.stdout.fileno(), 65536).decode()
            if not chunk:
                break
            shown += chunk
            pending += chunk
            if not pending.endswith("> "):
                continue
            replies += 1
            assert replies < 100, "the same question keeps coming back:\n" + shown[-3000:]
            reply = self.reply(pending, answers, episode, trend, asked)
            pending = ""
            proc.stdin.write((reply + "\n").encode())
            proc.stdin.flush()
        # Compared as the lifter reads it, whatever the line breaks.
        return proc.wait(timeout=30), " ".join(shown.split()), asked

    def reply(
        self, screen: str, answers: dict[str, Any], episode: str, trend: str, asked: list[str]
    ) -> str:
        if screen.endswith("1-3 > ") and "same pain?" in screen:
            return episode
        if screen.endswith("Enter > "):
            return ""
        flat = " ".join(screen.split())
        shown = flat.rsplit("Question ", 1)[-1]
        if "0 for none >" in shown:  # a checklist: the numbers of the items that apply
            ticked = []
            for checklist in self.kb.checklists:
                for item in checklist.items:
                    found = re.search(r"(\d+)\. " + re.escape(" ".join(item.text.split())), shown)
                    if found:
                        asked.append(item.fact)
                        if answers.get(item.fact) is True:
                            ticked.append(found.group(1))
            return " ".join(ticked) or "0"
        # After a command (why) the same question is asked again, without its heading.
        fact = next((f for p, f in self.prompts.items() if p in shown), self.last)
        self.last = fact
        if fact in self.first:
            return self.first.pop(fact)
        asked.append(fact)
        if "that reads as" in flat:
            return trend
        return self.typed(answers.get(fact))

    @staticmethod
    def typed(value: Any) -> str:
        if value is None:
            return "skip"
        if isinstance(value, bool):
            return "y" if value else "n"
        return str(value)


@pytest.fixture
def lifter(kb, tmp_path: Path) -> Lifter:
    workdir = tmp_path / "work"
    workdir.mkdir()
    return Lifter(kb, tmp_path / "data" / "history.sqlite3", workdir)


@pytest.mark.slow
def test_three_checkins_of_one_strain_over_two_weeks(lifter: Lifter, runner, tmp_path) -> None:
    first_day = START + timedelta(days=1)
    code, shown, first = lifter.consult(first_day, STRAIN)
    assert code == 0, shown
    assert "severity_0_10" in first, "the severity is kept for the next check-in"
    # Still getting worse on day 1: day 4 tells whether it keeps getting worse after day 3.
    assert "Check in again on Friday 4 December, day 4" in shown
    assert "started a new episode" in shown

    better = {**STRAIN, "severity_0_10": 3}
    code, shown, second = lifter.consult(START + timedelta(days=8), better)
    assert code == 0, shown
    assert "Is this about the same pain?" in shown and "today is day 8" in shown
    # Improving, but the headline's two-week deadline is the day to look again.
    assert "not clearly better by Monday 14 December, day 14. Check in again that day." in shown
    words = lifter.kb.questions["pain_trend"].labels
    assert f"that reads as {words.get('improving', 'improving')}" in shown
    assert len(second) < len(first)
    assert "days_since_onset" not in second, "the day is computed from the onset"
    for lasting in ("experience", "squat_variant", "load_level", "pain_onset"):
        assert lasting not in second
    red_flags = [qid for qid, q in lifter.kb.questions.items() if q.group == "red_flag"]
    assert set(red_flags) <= set(second), "warning signs are asked again"
    assert second.index("severity_0_10") < second.index("pain_trend")

    code, shown, third = lifter.consult(
        START + timedelta(days=15), better, "1", "", "--report", "third.md"
    )
    assert code == 0, shown
    report = (lifter.workdir / "third.md").read_text(encoding="utf-8")
    timeline = report.split("## This pain over time")[1].split("##")[0]
    assert [line.split(" | ")[:3] for line in timeline.splitlines() if "| 2026" in line] == [
        ["| 2026-12-01", "1", "6"],
        ["| 2026-12-08", "8", "3"],
        ["| 2026-12-15", "15", "3"],
    ]
    assert "Next check-in: Friday 18 December 2026, day 18" in report
    assert f"that reads as {words.get('stable', 'stable')}" in shown
    assert len(third) < len(first)
    assert "See a doctor, as the pain is not following the expected recovery" in shown
    assert "check-in 3 of this episode" in shown
    assert "by Friday 18 December at the latest. Check in again that day." in shown

    env = {"TRIAGE_HISTORY": str(lifter.history), "TRIAGE_TODAY": "2026-12-15"}
    listed = runner.invoke(main, ["history", "--format", "json"], env=env)
    assert listed.exit_code == 0, listed.output
    [episode] = json.loads(listed.output)["episodes"]
    assert episode["began"] == "2026-11-30" and episode["status"] == "open"
    assert [c["day"] for c in episode["checkins"]] == [1, 8, 15]
    assert episode["severity"] == [6, 3, 3]
    assert [c["trend"] for c in episode["checkins"]] == ["worsening", "improving", "stable"]
    assert [c["urgency"] for c in episode["checkins"]][-1] == "doctor_soon"
    assert episode["sparkline"] == "▅▃▃"
    text = runner.invoke(main, ["history"], env=env).output
    assert "▅▃▃" in text
    assert "2026-12-15   15         3  about the same  see a GP within days" in text
    assert "doctor_soon" not in text and "stable" not in text, "words, not ids"

    folder = tmp_path / "exported"
    exported = runner.invoke(main, ["history", "--export", str(folder)], env=env)
    assert exported.exit_code == 0, exported.output
    assert len(list(folder.glob("*.yaml"))) == 3
    checked = runner.invoke(main, ["run", str(folder), "--format", "json"])
    assert checked.exit_code == 0, checked.output
    assert {r["status"] for r in json.loads(checked.output)["results"]} == {"pass"}


@pytest.mark.slow
def test_a_gone_pain_closes_the_episode_and_a_new_pain_starts_another(
    lifter: Lifter, runner
) -> None:
    day = START + timedelta(days=1)
    assert lifter.consult(day, STRAIN)[0] == 0
    code, shown, asked = lifter.consult(day + timedelta(days=3), STRAIN, "3")
    assert code == 0 and asked == [] and "Episode 1 is closed" in shown
    assert lifter.consult(day + timedelta(days=5), STRAIN)[2][0] == "bladder_or_bowel_change"
    code, shown, _ = lifter.consult(day + timedelta(days=6), STRAIN, "2")
    assert code == 0, shown
    with History.open(lifter.history) as store:
        episodes = store.episodes()
    assert [(e.id, e.closed_reason, len(e.checkins)) for e in episodes] == [
        (1, "gone", 1),
        (2, "new_pain", 1),
        (3, None, 1),
    ]


def test_a_damaged_history_leaves_the_consultation_working(lifter: Lifter) -> None:
    lifter.history.parent.mkdir()
    lifter.history.write_bytes(b"not a database at all\n" * 100)
    before = lifter.history.read_bytes()
    code, shown, _ = lifter.consult(START, STRAIN)
    assert code == 0, shown
    assert "History is off for this consultation" in shown and str(lifter.history) in shown
    assert "damaged" in shown and "Move it aside" in shown
    assert "Check in again on" in shown, "the result is still shown in full"
    assert lifter.history.read_bytes() == before


def _read_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_history_folder_says_history_is_off(lifter: Lifter, tmp_path) -> None:
    lifter.history = _read_only_folder(tmp_path) / "history.sqlite3"
    try:
        code, shown, _ = lifter.consult(START, STRAIN)
    finally:
        lifter.history.parent.chmod(0o700)
    assert code == 0, shown
    assert "History is off for this consultation" in shown
    assert "Check in again on" in shown and "Saved in your history" not in shown
    assert not lifter.history.exists()


def test_a_history_folder_that_cannot_be_made_says_history_is_off(lifter: Lifter, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    lifter.history = blocker / "history.sqlite3"
    code, shown, _ = lifter.consult(START, STRAIN)
    assert code == 0, shown
    assert "History is off for this consultation" in shown and str(blocker) in shown
    assert "Saved in your history" not in shown


def test_no_history_neither_reads_nor_writes(lifter: Lifter) -> None:
    code, shown, _ = lifter.consult(START, STRAIN, "1", "", "--no-history")
    assert code == 0, shown
    assert not lifter.history.exists()
    assert "Check in again on" in shown and "Saved in your history" not in shown


# --- triage history ---------------------------------------------------------------------------


def _saved(path: Path, *days: int) -> int:
    with History.open(path) as store:
        episode = None
        for day in days:
            on = START + timedelta(days=day)
            record = NewCheckIn(
                on, {"severity_0_10": 9 - day}, (), "doctor_if_not_better", ("pause_squats",),
                (), (), "v", recheck_on=on + timedelta(days=7),
            )  # fmt: skip
            episode, _ = store.save(record, episode_id=episode, onset=(START, True))
    assert episode is not None
    return episode


def test_history_due_prints_only_when_a_checkin_has_come(runner, tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    _saved(path, 1)
    env = {"TRIAGE_HISTORY": str(path), "TRIAGE_TODAY": "2026-12-07"}
    early = runner.invoke(main, ["history", "--due"], env=env)
    assert early.exit_code == 0 and early.output == ""
    env["TRIAGE_TODAY"] = "2026-12-08"
    come = runner.invoke(main, ["history", "--due"], env=env)
    assert come.exit_code == 0 and "Episode 1" in come.output and "2026-12-08" in come.output


def test_history_csv_has_a_row_per_checkin(runner, tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    _saved(path, 1, 4)
    result = runner.invoke(main, ["history", "--format", "csv"], env={"TRIAGE_HISTORY": str(path)})
    lines = result.output.splitlines()
    assert lines[0].startswith("episode,episode_began,episode_status,checkin,date,day,severity")
    assert [line.split(",")[5:7] for line in lines[1:]] == [["1", "8"], ["4", "5"]]


def test_forget_and_forget_all(runner, tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    first, second = _saved(path, 1), _saved(path, 2)
    env = {"TRIAGE_HISTORY": str(path)}
    gone = runner.invoke(main, ["history", "--forget", str(first)], env=env)
    assert gone.exit_code == 0 and f"Episode {first}" in gone.output
    missing = runner.invoke(main, ["history", "--forget", str(first)], env=env)
    assert missing.exit_code == 1 and f"no episode {first}" in missing.output
    refused = runner.invoke(main, ["history", "--forget-all"], env=env, input="n\n")
    assert refused.exit_code == 1
    with History.open(path) as store:
        assert [e.id for e in store.episodes()] == [second]
    done = runner.invoke(main, ["history", "--forget-all", "--yes"], env=env)
    assert done.exit_code == 0 and "Deleted 1 episode(s)" in done.output
    with History.open(path) as store:
        assert store.episodes() == []


def test_a_damaged_history_file_is_an_error_for_triage_history(runner, tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    result = runner.invoke(main, ["history"], env={"TRIAGE_HISTORY": str(path)})
    assert result.exit_code == 2
    assert str(path) in result.output and "damaged" in result.output
    assert "Traceback" not in result.output


def test_a_bad_triage_today_is_a_usage_error(runner) -> None:
    result = runner.invoke(main, ["history"], env={"TRIAGE_TODAY": "next tuesday"})
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output


def test_the_default_history_lives_in_the_users_data_folder(monkeypatch) -> None:
    import click

    from triage.files.history import default_path

    assert default_path({}) == Path(click.get_app_dir("squat-triage")) / "history.sqlite3"
    assert default_path({"TRIAGE_HISTORY": "/x/h.db"}) == Path("/x/h.db")
    assert ROOT  # the suite never touches the real one: conftest sets TRIAGE_HISTORY


def test_the_severity_asked_for_the_history_explains_itself_and_never_delays_an_emergency(
    lifter: Lifter,
) -> None:
    # Bladder trouble: an emergency after one question, shown at once.
    code, shown, asked = lifter.consult(START, {**STRAIN, "bladder_or_bowel_change": True})
    assert code == 0, shown
    assert shown.count("Question ") == 1 and "severity_0_10" not in asked
    # Training soreness: severity now decides soreness against a strain (8 or more is never
    # soreness), so the rules ask it inside the interview, once, before the result; the
    # history does not ask it again after the result.
    soreness = {**STRAIN, "pain_location": "lower_back_both_sides", "pain_onset": "next_day",
                "pain_trend": "stable", "recent_load_jump": False}  # fmt: skip
    code, shown, asked = lifter.consult(START, soreness)
    assert code == 0, shown
    assert asked.count("severity_0_10") == 1
    assert shown.count("How bad is the pain") == 1, "asked once"
    assert shown.index("How bad is the pain") < shown.index("Check in again"), "before the result"


def test_a_resumed_checkin_joins_its_episode_instead_of_starting_one(lifter: Lifter) -> None:
    """A progress file does not say which episode it belonged to: resuming asks again."""
    day = START + timedelta(days=1)
    assert lifter.consult(day, STRAIN)[0] == 0
    env = dict(
        os.environ,
        TRIAGE_TODAY=(day + timedelta(days=7)).isoformat(),
        TRIAGE_HISTORY=str(lifter.history),
        NO_COLOR="1",
    )
    stopped = subprocess.run(
        [sys.executable, "-m", "triage", "ask"],
        cwd=lifter.workdir,
        env=env,
        input=b"1\n0\nquit\n",
        capture_output=True,
        timeout=60,
    )
    assert stopped.returncode == 0, stopped.stderr.decode()
    assert (lifter.workdir / "triage-progress.yaml").exists()
    better = {**STRAIN, "severity_0_10": 3}
    resumed_on = day + timedelta(days=10)  # three days after the interview began
    code, shown, _ = lifter.consult(resumed_on, better, "1", "", "--resume", "triage-progress.yaml")
    assert code == 0, shown
    assert "Is this about the same pain?" in shown
    assert "check-in 2 of this episode" in shown
    with History.open(lifter.history) as store:
        episodes = store.episodes()
    assert [(e.id, e.closed_reason, len(e.checkins)) for e in episodes] == [(1, None, 2)]
    [episode] = episodes
    second = episode.checkins[1]
    day_fact = lifter.kb.follow_up.onset
    assert second.answers[day_fact] == episode.day(resumed_on), "today's day, not a stale one"
    assert day_fact in second.carried


def test_a_second_consultation_the_same_day_says_earlier_today(lifter: Lifter) -> None:
    day = START + timedelta(days=2)
    assert lifter.consult(day, STRAIN)[0] == 0
    code, shown, _ = lifter.consult(day, STRAIN, "1")
    assert code == 0, shown
    assert "Earlier today you checked a pain" in shown
    code, shown, _ = lifter.consult(day + timedelta(days=1), STRAIN, "1")
    assert code == 0, shown
    assert "Earlier today" not in shown
    assert "On Wednesday 2 December you checked a pain" in shown
