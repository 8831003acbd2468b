"""The interview asks only what can change the result, and loses nothing by asking less."""

from __future__ import annotations

import functools
import statistics
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.evaluate.answer_space import UNKNOWN, answer_space
from triage.evaluate.engine import Engine
from triage.evaluate.partial import partial_outcome
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.cases import read_case
from triage.files.loader import load_knowledge
from triage.interview import (
    Interview,
    ReplyError,
    case_text,
    parse_reply,
    read_interview,
    replay,
)
from triage.model.conditions import MAYBE
from triage.model.errors import InputError

from .conftest import CASES

CASE_FILES = sorted(CASES.rglob("*.yaml"))

# A small knowledge base whose every path is known, so the tests can say exactly what is asked.
TINY_RULES = {
    "questions.yaml": """\
questions:
  - {id: saddle_numbness, group: red_flag, type: bool, prompt: "Any saddle numbness?",
     help: The area a bicycle saddle touches., why: It can mean nerve compression.}
  - {id: fever_or_unwell, group: red_flag, type: bool, prompt: "Any fever?",
     help: A high temperature., why: It can mean an infection.}
  - {id: age, group: lifter, type: integer, min: 10, max: 100, unit: years,
     prompt: "How old are you?", help: In whole years., why: No rule reads it.}
  - id: pain_location
    group: pain
    type: enum
    values: [lower_back_central, lower_back_both_sides, upper_back]
    labels: {lower_back_both_sides: both sides of the lower back}
    prompt: Where is the pain?
    help: Pick the best match.
    why: Soreness is usually on both sides.
  - {id: days_since_onset, group: pain, type: integer, min: 0, max: 3650, unit: days,
     prompt: "How many days ago did it start?", help: Count from the first day., why: Timing.}
  - {id: recent_load_jump, group: lifter, type: bool, prompt: "Did the load jump?",
     help: Weight or volume., why: Spikes cause strains.}
  - {id: load_jump_percent, group: lifter, type: number, min: 0, max: 500, unit: percent,
     prompt: "By how many percent?", help: Roughly., why: Over 10 percent is a lot.}
  - {id: trains_core, group: lifter, type: bool, prompt: "Do you train your core?",
     help: Planks count., why: A strong core helps.}
""",
    "recommendations.yaml": """\
recommendations:
  - {id: call_emergency, category: emergency_care, title: Go now, text: Call now., source: s}
  - {id: see_gp, category: see_doctor, title: See a GP soon, text: Book it., source: s,
     max_urgency: doctor_soon}
  - {id: reassure, category: normal_soreness_reassurance, title: Normal soreness,
     text: It fades., steps: [Keep moving., Sleep well.], source: s,
     displaced_by: [see_doctor]}
  - {id: reduce_load, category: lower_load, title: Go lighter, text: Drop the weight., source: s}
  - {id: plank, category: core_work, title: Plank, text: Hold it., steps: [Get down., Hold.],
     source: s, max_urgency: doctor_soon}
""",
    "rules.yaml": """\
rules:
  - {id: saddle, area: red_flag, title: Saddle numbness, source: src-saddle,
     when: {fact: saddle_numbness, is: true},
     then: {urgency: emergency, recommend: [call_emergency], findings: [flagged]}}
  - {id: fever, area: red_flag, title: Fever, source: src-fever,
     when: {fact: fever_or_unwell, is: true},
     then: {urgency: doctor_soon, recommend: [see_gp], findings: [flagged]}}
  - id: soreness
    area: symptoms
    title: Soreness pattern
    when:
      all:
        - {fact: pain_location, is: lower_back_both_sides}
        - {fact: days_since_onset, lte: 7}
    then: {findings: [doms]}
    source: src-soreness
  - id: reassure-doms
    area: symptoms
    title: Reassure
    when:
      all:
        - {finding: doms}
        - not: {finding: flagged}
    then: {recommend: [reassure]}
    source: src-reassure
  - id: jump
    area: load
    title: A load jump of over 10 percent
    when:
      all:
        - {fact: recent_load_jump, is: true}
        - any:
            - {fact: load_jump_percent, gt: 10}
            - {fact: load_jump_percent, unknown: true}
    then: {urgency: doctor_if_not_better, recommend: [reduce_load]}
    source: src-jump
  - {id: core, area: core, title: No core work, source: src-core,
     when: {not: {fact: trains_core, is: true}}, then: {recommend: [plank]}}
""",
    "notices.yaml": """\
notice: This is not a diagnosis.
safety_net:
  - {id: always, text: Get help at once if new numbness appears.}
""",
    "invariants.yaml": """\
invariants:
  - id: saddle-emergency
    description: Saddle numbness is an emergency.
    when: {fact: saddle_numbness, is: true}
    require: {urgency: emergency}
""",
}


def write_tiny_rules(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TINY_RULES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_rules(tmp_path_factory.mktemp("tiny") / "rules")


@pytest.fixture(scope="session")
def tiny(tiny_dir: Path):
    return load_knowledge(tiny_dir)


def ids(result) -> list[str]:
    return [rec.id for rec in result.recommendations]


# --- soundness: replay equals batch ---------------------------------------------------------


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_replaying_a_case_gives_the_batch_result(path, kb, engine) -> None:
    case = read_case(str(path), kb)
    interview = replay(kb, case.answers, evaluator=engine)
    replayed, batch = interview.result(), engine.evaluate(case.answers)
    assert replayed.urgency == batch.urgency
    assert ids(replayed) == ids(batch)
    assert len(set(interview.asked)) == len(interview.asked), "a question was asked twice"


def _ordinary_screens(kb) -> tuple[list[int], dict[str, int]]:
    """Screens per interview over the corpus, and those of ordinary soreness and strain."""
    screens, ordinary = {}, []
    for path in CASE_FILES:
        interview = replay(kb, read_case(str(path), kb).answers)
        screens[path.stem] = interview.screens
        result = interview.result()
        if result.urgency in ("self_care", "doctor_if_not_better") and (
            {"training_soreness", "strain_pattern"} & set(result.findings)
        ):
            ordinary.append(interview.screens)
    ordinary.sort()
    return ordinary, screens


def test_interviews_over_the_corpus_take_few_screens(kb) -> None:
    """Screens are what a lifter counts. The questionnaire's target: ordinary soreness and
    strain stories take 12 screens or fewer at the median (README, "Screens answered per
    interview"), and no story needs more than 14 (about a third of the catalogue's 43
    questions: checklists ask several facts on one screen)."""
    ordinary, screens = _ordinary_screens(kb)
    assert len(ordinary) >= 10, "the corpus has ordinary stories to measure"
    assert statistics.median(ordinary) <= 12, f"median of {ordinary}"
    longest = max(screens, key=screens.__getitem__)
    assert screens[longest] <= 14, f"{longest}: {screens[longest]} screens"


@functools.cache
def _shipped():
    """The shipped base and its evaluators, outside pytest fixtures so that hypothesis's
    failure reports show the answers rather than the whole knowledge base."""
    kb = load_knowledge()
    return kb, Engine(kb), ReferenceEvaluator(kb), answer_space(kb)


@st.composite
def answer_sets(draw) -> dict:
    *_, space = _shipped()
    drawn = {fact: draw(st.sampled_from(values)) for fact, values in space.items()}
    return {fact: value for fact, value in drawn.items() if value is not UNKNOWN}


@pytest.mark.acceptance
@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_sets())
def test_replay_equals_batch_for_generated_answers(answers) -> None:
    kb, engine, reference, _ = _shipped()
    interview = replay(kb, answers, evaluator=engine)
    replayed, batch = interview.result(), engine.evaluate(answers)
    oracle = reference.evaluate(answers)
    assert (batch.urgency, ids(batch)) == (oracle.urgency, ids(oracle)), (
        "the Experta engine disagrees with the reference evaluator on the full answers "
        f"(fired {batch.fired} against {oracle.fired}); the interview cannot match both"
    )
    assert (replayed.urgency, ids(replayed)) == (batch.urgency, ids(batch))


@pytest.mark.acceptance
@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_sets())
def test_every_question_is_new_and_could_still_matter(answers) -> None:
    kb, _, reference, _ = _shipped()
    interview = Interview(kb, evaluator=reference)
    while (question := interview.next_question()) is not None:
        assert question.id not in interview.asked
        pending = {fact for fact in kb.questions if fact not in interview.asked}
        outcome = partial_outcome(kb, interview.answers, pending)
        open_rules = [rule for rule in kb.rules if outcome.rules[rule.id] is MAYBE]
        assert any(question.id in set(rule.when.facts()) for rule in open_rules)
        if question.id in answers:
            interview.answer(question.id, answers[question.id])
        else:
            interview.skip()
    assert interview.outcome().determined
    result, oracle = interview.result(), reference.evaluate(answers)
    assert (result.urgency, ids(result)) == (oracle.urgency, ids(oracle))


# --- which questions, in which order --------------------------------------------------------


def test_red_flags_are_asked_first(kb) -> None:
    red = [q.id for q in kb.questions.values() if q.group == "red_flag"]
    interview = replay(kb, {})
    asked_red = [fact for fact in interview.asked if fact in red]
    assert asked_red, "with nothing known, some red flag must be asked"
    assert list(interview.asked[: len(asked_red)]) == asked_red


def test_the_tiny_interview_asks_only_what_matters(tiny) -> None:
    interview = Interview(tiny)
    order = []
    answers = {
        "saddle_numbness": False,
        "fever_or_unwell": False,
        "pain_location": "upper_back",
        "recent_load_jump": False,
        "trains_core": True,
    }
    while (question := interview.next_question()) is not None:
        order.append(question.id)
        interview.answer(question.id, answers[question.id])
    # Upper-back pain settles the soreness rule without the day count, no jump means the
    # percentage cannot matter, and no rule reads the age.
    assert order == list(answers)
    assert interview.result().urgency == "self_care"
    assert ids(interview.result()) == []


def test_a_refining_question_comes_only_after_the_answer_that_makes_it_relevant(tiny) -> None:
    interview = Interview(tiny)
    for fact, value in [
        ("saddle_numbness", False),
        ("fever_or_unwell", False),
        ("pain_location", "upper_back"),
    ]:
        assert interview.next_question().id == fact
        interview.answer(fact, value)
    assert interview.next_question().id == "recent_load_jump"
    interview.answer("recent_load_jump", True)
    assert interview.next_question().id == "load_jump_percent"
    interview.answer("load_jump_percent", 25)
    assert interview.next_question().id == "trains_core"


def test_an_emergency_stops_everything_but_what_still_changes_the_advice(tiny) -> None:
    interview = Interview(tiny)
    interview.answer("saddle_numbness", True)
    # At emergency the plank is held back (max_urgency) and reassurance is displaced: only
    # the load jump can still add advice.
    assert interview.next_question().id == "recent_load_jump"
    interview.answer("recent_load_jump", False)
    assert interview.next_question() is None
    result = interview.result()
    assert result.urgency == "emergency"
    assert ids(result) == ["call_emergency"]


# --- skip, back, why ------------------------------------------------------------------------


def test_skip_records_dont_know_and_back_undoes(tiny) -> None:
    interview = Interview(tiny)
    interview.answer("saddle_numbness", False)
    interview.skip()
    assert interview.asked == ("saddle_numbness", "fever_or_unwell")
    assert interview.skipped == ("fever_or_unwell",)
    assert "fever_or_unwell" not in interview.answers
    assert interview.back() == "fever_or_unwell"
    assert interview.next_question().id == "fever_or_unwell"
    assert interview.back() == "saddle_numbness"
    assert interview.answers == {}
    assert interview.back() is None
    assert interview.next_question().id == "saddle_numbness"


def test_why_names_the_rule_and_what_is_known(tiny) -> None:
    interview = Interview(tiny)
    interview.answer("saddle_numbness", False)
    interview.skip()
    interview.answer("pain_location", "lower_back_both_sides")
    why = interview.why()
    assert why.question.id == "days_since_onset"
    assert why.rule.id == "soreness"
    assert "days_since_onset <= 7" in why.condition
    assert why.known == (("saddle_numbness", False), ("pain_location", "lower_back_both_sides"))
    assert why.unknown == ("fever_or_unwell",)


def test_answers_are_checked(tiny) -> None:
    interview = Interview(tiny)
    with pytest.raises(InputError, match="outside the domain"):
        interview.answer("age", 7)
    with pytest.raises(InputError, match="did you mean `trains_core`"):
        interview.answer("trains_cor", True)
    interview.answer("age", 40.0)
    assert interview.answers["age"] == 40 and isinstance(interview.answers["age"], int)
    with pytest.raises(InputError, match="already asked"):
        interview.answer("age", 41)


# --- typed replies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fact", "text", "value"),
    [
        ("saddle_numbness", "y", True),
        ("saddle_numbness", " YES ", True),
        ("saddle_numbness", "n", False),
        ("saddle_numbness", "no", False),
        ("pain_location", "2", "lower_back_both_sides"),
        ("pain_location", "upper_back", "upper_back"),
        ("pain_location", "upper back", "upper_back"),
        ("pain_location", "upp", "upper_back"),
        ("days_since_onset", "3", 3),
        ("days_since_onset", "3.0", 3),
        ("days_since_onset", "4 days", 4),
        ("load_jump_percent", "12.5", 12.5),
        ("load_jump_percent", "20%", 20),
    ],
)
def test_replies_in_the_domain_are_understood(tiny, fact, text, value) -> None:
    parsed = parse_reply(tiny.questions[fact], text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize(
    ("fact", "text", "hint"),
    [
        ("saddle_numbness", "maybe", "yes or no"),
        ("pain_location", "4", "the number of your answer, from 1 to 3"),
        ("pain_location", "lower", r"1 \(lower_back_central\) or 2 \(both sides of the lower"),
        ("pain_location", "uper_back", "did you mean `upper_back`"),
        ("days_since_onset", "2.5", "whole number"),
        ("days_since_onset", "-1", "from 0 to 3650"),
        ("age", "ten", "a whole number from 10 to 100"),
        ("load_jump_percent", "600", "from 0 to 500"),
    ],
)
def test_replies_outside_the_domain_say_what_is_allowed(tiny, fact, text, hint) -> None:
    with pytest.raises(ReplyError, match=hint):
        parse_reply(tiny.questions[fact], text)


# --- saving and resuming --------------------------------------------------------------------


def test_a_saved_interview_resumes_with_its_order_and_skips(tiny, tmp_path) -> None:
    interview = Interview(tiny)
    interview.answer("saddle_numbness", False)
    interview.skip()
    interview.answer("pain_location", "lower_back_both_sides")
    path = tmp_path / "progress.yaml"
    path.write_text(case_text(interview, "In progress", path, final=False), encoding="utf-8")
    resumed, case = read_interview(str(path), tiny)
    assert case.expect is None
    assert resumed.asked == interview.asked
    assert resumed.skipped == ("fever_or_unwell",)
    assert resumed.next_question().id == "days_since_onset"


def test_a_finished_interview_saves_a_case_that_expects_its_result(tiny, tmp_path) -> None:
    interview = replay(tiny, {"saddle_numbness": False, "fever_or_unwell": True})
    path = tmp_path / "done.yaml"
    path.write_text(case_text(interview, "Done", path), encoding="utf-8")
    case = read_case(str(path), tiny)
    result = interview.result()
    assert case.expect.urgency == result.urgency == "doctor_soon"
    assert list(case.expect.includes) == ids(result)
    assert list(case.answers) == [f for f in tiny.questions if f in case.answers]


def test_without_the_asked_comment_skipped_questions_are_asked_again(tiny, tmp_path) -> None:
    path = tmp_path / "edited.yaml"
    path.write_text("answers:\n  saddle_numbness: false\n", encoding="utf-8")
    resumed, _ = read_interview(str(path), tiny)
    assert resumed.asked == ("saddle_numbness",)
    assert resumed.next_question().id == "fever_or_unwell"


def test_an_unknown_fact_in_the_asked_comment_is_located(tiny, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("# asked: saddle_numbness fevr_or_unwell\nanswers: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_interview(str(path), tiny)
    assert str(err.value.location) == f"{path}:1:26"
    assert "did you mean `fever_or_unwell`" in str(err.value)
