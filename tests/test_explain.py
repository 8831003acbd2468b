"""`triage explain`: the fired rules in order, near misses, and the open questions that matter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.cli import main
from triage.evaluate.answer_space import UNKNOWN, representatives
from triage.model.conditions import FactTest
from triage.model.errors import Location
from triage.model.knowledge import Question
from triage.tools.explain import describe_values, value_spans

from .conftest import RULES

# A small base whose every explanation can be worked out by hand. Rules are evaluated red
# flags first, then rules reading no finding, then rules reading findings.
QUESTIONS = """\
questions:
  - {id: saddle_numbness, group: red_flag, type: bool, prompt: "Saddle?", help: h, why: w}
  - {id: fever_or_unwell, group: red_flag, type: bool, prompt: "Fever?", help: h, why: w}
  - id: pain_location
    group: pain
    type: enum
    values: [lower_back_both_sides, lower_back_central, upper_back]
    prompt: Where?
    help: h
    why: w
  - {id: days_since_onset, group: pain, type: integer, min: 0, max: 3650, prompt: "Days?",
     help: h, why: w}
  - {id: trains_core, group: lifter, type: bool, prompt: "Core?", help: h, why: w}
  - {id: sbst_a, group: screening, type: bool, prompt: "A?", help: h, why: w}
  - {id: sbst_b, group: screening, type: bool, prompt: "B?", help: h, why: w}
"""
RECOMMENDATIONS = """\
recommendations:
  - {id: call_emergency, category: emergency_care, title: Go now, text: t, source: s}
  - {id: see_gp, category: see_doctor, title: See a GP, text: t, source: s,
     max_urgency: doctor_soon}
  - {id: reassure, category: normal_soreness_reassurance, title: Fine, text: t, source: s,
     displaced_by: [see_doctor, emergency_care], max_urgency: doctor_soon}
  - {id: plank, category: core_work, title: Plank, text: t, source: s, max_urgency: doctor_soon}
  - {id: physio, category: see_professional, title: Physio, text: t, source: s}
"""
NOTICE = """\
notice: Not a diagnosis.
safety_net:
  - {id: always, text: Watch for new signs.}
"""
RULES_YAML = """\
rules:
  - id: saddle
    area: red_flag
    title: Saddle numbness
    when: {fact: saddle_numbness, is: true}
    then: {urgency: emergency, recommend: [call_emergency], findings: [flagged]}
    source: Red flag guide, cauda equina
    note: One sign is enough.
  - id: fever
    area: red_flag
    title: Fever
    when: {fact: fever_or_unwell, is: true}
    then: {urgency: doctor_soon, recommend: [see_gp], findings: [flagged]}
    source: Red flag guide, infection
  - id: soreness
    area: symptoms
    title: Soreness pattern
    when:
      all:
        - {fact: pain_location, is: lower_back_both_sides}
        - {fact: days_since_onset, lte: 7}
    then: {findings: [doms]}
    source: DOMS leaflet
  - id: reassure-doms
    area: symptoms
    title: Reassure
    when:
      all:
        - {finding: doms}
        - not: {finding: flagged}
    then: {urgency: self_care, recommend: [reassure]}
    source: DOMS leaflet, timeline
  - id: slow-recovery
    area: symptoms
    title: Slow recovery
    when: {fact: days_since_onset, gte: 5}
    then: {urgency: doctor_if_not_better, recommend: [see_gp]}
    source: GP guide
  - id: core
    area: core
    title: No core work
    when: {fact: trains_core, is: false}
    then: {recommend: [plank]}
    source: Core guide
  - id: screen
    area: screening
    title: Two screening answers
    when:
      all:
        - {fact: sbst_a, is: true}
        - {fact: sbst_b, is: true}
    then: {findings: [elevated]}
    source: Screening tool
  - id: refer
    area: screening
    title: Refer after the screen
    when: {finding: elevated}
    then: {recommend: [physio]}
    source: Screening tool
"""


def write_base(folder: Path, rules: str = RULES_YAML) -> Path:
    """A knowledge base folder with the small catalogue above and the given rules."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "questions.yaml").write_text(QUESTIONS, encoding="utf-8")
    (folder / "recommendations.yaml").write_text(RECOMMENDATIONS, encoding="utf-8")
    (folder / "notices.yaml").write_text(NOTICE, encoding="utf-8")
    (folder / "rules.yaml").write_text(rules, encoding="utf-8")
    return folder


def write_case(path: Path, answers: dict[str, object], title: str = "") -> Path:
    lines = [f"title: {title}"] if title else []
    lines.append("answers:")
    for fact, value in answers.items():
        shown = ("true" if value else "false") if isinstance(value, bool) else value
        lines.append(f"  {fact}: {shown}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_base(tmp_path / "rules")


def explain_json(runner, rules: Path, case: Path) -> dict:
    result = runner.invoke(main, ["explain", str(case), "--rules", str(rules), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_fired_rules_are_listed_in_order_with_matched_answers_and_sources(
    runner, base: Path, tmp_path: Path
) -> None:
    case = write_case(
        tmp_path / "sore.yaml",
        {
            "saddle_numbness": False,
            "pain_location": "lower_back_both_sides",
            "days_since_onset": 2,
            "trains_core": False,
        },
        title="Sore on day two",
    )
    data = explain_json(runner, base, case)
    assert data["fired"] == ["soreness", "core", "reassure-doms"]
    assert [step["rule"] for step in data["trace"]] == data["fired"]
    soreness, core, reassure = data["trace"]
    assert soreness["matched"] == [
        {"fact": "pain_location", "value": "lower_back_both_sides"},
        {"fact": "days_since_onset", "value": 2},
    ]
    assert soreness["findings"] == ["doms"]
    assert soreness["source"] == "DOMS leaflet"
    assert reassure["findings_read"] == ["doms"]
    assert reassure["urgency"] == "self_care"
    assert reassure["recommends"] == [{"id": "reassure", "given": True}]
    assert core["recommends"] == [{"id": "plank", "given": True}]
    assert data["urgency"] == "self_care"
    assert [r["id"] for r in data["recommendations"]] == ["plank", "reassure"]
    assert data["safety_net"] == ["Watch for new signs."]
    assert data["notice"] == "Not a diagnosis."

    text = runner.invoke(main, ["explain", str(case), "--rules", str(base)]).output
    first, second, third = (text.index(f". {rule}:") for rule in data["fired"])
    assert first < second < third
    assert "matched: pain_location = lower_back_both_sides, days_since_onset = 2" in text
    assert "source: DOMS leaflet, timeline" in text
    assert "Urgency: self_care" in text


def test_near_misses_name_the_answer_or_finding_that_would_make_a_rule_fire(
    runner, base: Path, tmp_path: Path
) -> None:
    case = write_case(
        tmp_path / "sore.yaml",
        {
            "saddle_numbness": False,
            "pain_location": "lower_back_both_sides",
            "days_since_onset": 2,
            "trains_core": False,
        },
    )
    data = explain_json(runner, base, case)
    misses = {miss["rule"]: miss for miss in data["near_misses"]}
    # `screen` needs two answers, so it is not one condition short.
    assert set(misses) == {"saddle", "fever", "slow-recovery", "refer"}
    assert misses["saddle"]["answers"] == [
        {"fact": "saddle_numbness", "now": False, "values": [True], "text": "= yes"}
    ]
    assert misses["saddle"]["would_conclude"]["urgency"] == "emergency"
    assert misses["fever"]["answers"] == [
        {"fact": "fever_or_unwell", "now": None, "values": [True], "text": "= yes"}
    ]
    # Days 5 to 7 and 8 onwards are the two classes of answer the rules tell apart above 4.
    assert misses["slow-recovery"]["answers"] == [
        {"fact": "days_since_onset", "now": 2, "values": [5, 8], "text": ">= 5"}
    ]
    assert misses["refer"]["answers"] == []
    assert misses["refer"]["findings"] == [
        {"finding": "elevated", "needed": True, "concluded_by": ["screen"]}
    ]

    text = runner.invoke(main, ["explain", str(case), "--rules", str(base)]).output
    assert "fires if saddle_numbness = yes (now no)" in text
    assert "fires if days_since_onset >= 5 (now 2)" in text
    assert "fires if finding elevated were concluded (concluded by screen)" in text


def test_a_finding_that_blocks_a_rule_is_a_near_miss(runner, base: Path, tmp_path: Path) -> None:
    case = write_case(
        tmp_path / "flagged.yaml",
        {"fever_or_unwell": True, "pain_location": "lower_back_both_sides", "days_since_onset": 2},
    )
    data = explain_json(runner, base, case)
    misses = {miss["rule"]: miss for miss in data["near_misses"]}
    assert misses["reassure-doms"]["findings"] == [
        {"finding": "flagged", "needed": False, "concluded_by": ["fever"]}
    ]
    # Dropping the fever answer is a single change that lets the reassurance through.
    assert {
        "fact": "fever_or_unwell",
        "now": True,
        "values": [False, None],
        "text": "= no or unknown",
    } in misses["reassure-doms"]["answers"]


def test_unknown_answers_are_listed_only_when_they_could_change_the_result(
    runner, base: Path, tmp_path: Path
) -> None:
    case = write_case(
        tmp_path / "sore.yaml",
        {
            "saddle_numbness": False,
            "pain_location": "lower_back_both_sides",
            "days_since_onset": 2,
            "trains_core": True,
        },
    )
    data = explain_json(runner, base, case)
    # sbst_a and sbst_b are open too, but either alone cannot complete the screen.
    assert data["open_questions"] == [
        {
            "fact": "fever_or_unwell",
            "prompt": "Fever?",
            "effects": [
                {
                    "values": [True],
                    "text": "= yes",
                    "urgency": "doctor_soon",
                    "adds": ["see_gp"],
                    "drops": ["reassure"],
                }
            ],
        }
    ]
    text = runner.invoke(main, ["explain", str(case), "--rules", str(base)]).output
    assert (
        "fever_or_unwell = yes: would raise the urgency to doctor_soon; would add see_gp; "
        "would drop reassure" in text
    )


def test_held_back_recommendations_say_why(runner, base: Path, tmp_path: Path) -> None:
    emergency = write_case(
        tmp_path / "emergency.yaml",
        {"saddle_numbness": True, "fever_or_unwell": True, "trains_core": False},
    )
    data = explain_json(runner, base, emergency)
    assert data["urgency"] == "emergency"
    assert [r["id"] for r in data["recommendations"]] == ["call_emergency"]
    reason = "given only up to doctor_soon, and the urgency is emergency"
    assert data["withheld"] == [
        {"id": "see_gp", "reason": reason},
        {"id": "plank", "reason": reason},
    ]
    fever = next(step for step in data["trace"] if step["rule"] == "fever")
    assert fever["recommends"] == [{"id": "see_gp", "given": False, "held_back": reason}]

    slow = write_case(
        tmp_path / "slow.yaml",
        {"pain_location": "lower_back_both_sides", "days_since_onset": 6},
    )
    data = explain_json(runner, base, slow)
    assert data["withheld"] == [{"id": "reassure", "reason": "displaced by see_gp"}]
    text = runner.invoke(main, ["explain", str(slow), "--rules", str(base)]).output
    assert "recommends reassure (held back: displaced by see_gp)" in text
    assert "Held back:\n  - reassure: displaced by see_gp" in text


def test_a_bad_case_file_exits_2_with_its_location(runner, base: Path, tmp_path: Path) -> None:
    case = tmp_path / "typo.yaml"
    case.write_text("answers:\n  sadle_numbness: true\n", encoding="utf-8")
    result = runner.invoke(main, ["explain", str(case), "--rules", str(base)])
    assert result.exit_code == 2
    assert f"error: {case}:2:3: I401 unknown fact `sadle_numbness`" in result.output
    assert "did you mean `saddle_numbness`?" in result.output
    assert "Traceback" not in result.output

    missing = runner.invoke(main, ["explain", str(tmp_path / "nope.yaml"), "--rules", str(base)])
    assert missing.exit_code == 2
    assert "cannot read case file" in missing.output


def test_explain_reads_a_case_from_stdin(runner, base: Path) -> None:
    result = runner.invoke(
        main,
        ["explain", "-", "--rules", str(base), "--format", "json"],
        input="answers:\n  saddle_numbness: true\n",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["case"] == "<stdin>"
    assert data["fired"] == ["saddle"]


# -- the shipped knowledge base: only red-flag semantics that every version keeps ---------


def test_shipped_saddle_numbness_is_explained_as_an_emergency(
    runner, engine, tmp_path: Path
) -> None:
    answers = {"saddle_numbness": True, "pain_location": "lower_back_both_sides"}
    case = write_case(tmp_path / "saddle.yaml", answers)
    data = explain_json(runner, RULES, case)
    assert data["urgency"] == "emergency"
    assert data["fired"] == list(engine.evaluate(answers).fired)
    flags = [step for step in data["trace"] if step["red_flag"]]
    assert flags, "a red-flag rule must explain the emergency"
    assert any({"fact": "saddle_numbness", "value": True} in s["matched"] for s in flags)
    assert all(step["source"] for step in data["trace"])
    assert any(step["urgency"] == "emergency" for step in flags)

    text = runner.invoke(main, ["explain", str(case)]).output
    assert "Urgency: emergency" in text
    assert "[red flag]" in text


def test_shipped_open_red_flag_question_is_decisive(runner, tmp_path: Path) -> None:
    case = write_case(
        tmp_path / "open.yaml",
        {
            "pain_location": "lower_back_both_sides",
            "pain_onset": "next_day",
            "days_since_onset": 1,
            "bladder_or_bowel_change": False,
            "both_legs_affected": False,
        },
    )
    data = explain_json(runner, RULES, case)
    assert data["urgency"] != "emergency"
    saddle = next(q for q in data["open_questions"] if q["fact"] == "saddle_numbness")
    assert {"values": [True], "urgency": "emergency"}.items() <= saddle["effects"][0].items()
    misses = [
        m
        for m in data["near_misses"]
        if {"fact": "saddle_numbness", "now": None, "values": [True], "text": "= yes"}
        in m["answers"]
    ]
    assert any(m["would_conclude"]["urgency"] == "emergency" for m in misses)
    answered = {"bladder_or_bowel_change", "both_legs_affected"} | {
        "pain_location",
        "pain_onset",
        "days_since_onset",
    }
    assert not answered & {q["fact"] for q in data["open_questions"]}

    text = runner.invoke(main, ["explain", str(case)]).output
    assert "saddle_numbness = yes: would raise the urgency to emergency" in text


def test_the_case_expectation_is_judged_but_does_not_change_the_exit_code(
    runner, base: Path, tmp_path: Path
) -> None:
    case = tmp_path / "expects.yaml"
    case.write_text(
        "answers:\n  trains_core: false\nexpect:\n  urgency: emergency\n  includes: [plank]\n",
        encoding="utf-8",
    )
    data = explain_json(runner, base, case)
    assert data["status"] == "fail"
    assert data["failures"] == ["urgency: expected emergency, got self_care"]
    text = runner.invoke(main, ["explain", str(case), "--rules", str(base)])
    assert text.exit_code == 0
    assert "Expectation: fail\n  urgency: expected emergency, got self_care" in text.output
    plain = write_case(tmp_path / "plain.yaml", {"trains_core": False})
    assert explain_json(runner, base, plain)["status"] == "unchecked"


def _question(kind: str, low: float | None, high: float | None) -> Question:
    return Question("x", "p", kind, "pain", "h", "w", Location("q.yaml"), min=low, max=high)


@pytest.mark.parametrize(
    ("kind", "low", "high", "tests", "values", "text"),
    [
        ("integer", 0, 3650, [("lte", 7), ("gte", 5)], [0], "<= 4"),
        ("integer", 0, 3650, [("lte", 7), ("gte", 5)], [5], "5 to 7"),
        ("integer", 0, 3650, [("lte", 7), ("gte", 5)], [0, 8], "<= 4 or >= 8"),
        ("integer", 0, 3650, [("lte", 7), ("gte", 5)], [0, 5, 8], "any value"),
        ("integer", 0, 3650, [("lte", 7)], [8, UNKNOWN], ">= 8 or unknown"),
        ("integer", 0, 10, [("is", 10)], [0], "<= 9"),
        ("integer", None, None, [("gte", 65)], [65], ">= 65"),
        ("number", 0, 500, [("gt", 10)], [10.5], "> 10"),
        ("number", 0, 500, [("gt", 10)], [0], "<= 10"),
        ("number", 1, 10, [("gte", 9.5), ("lt", 3)], [3], ">= 3 and < 9.5"),
        ("number", 1, 10, [("gte", 9.5)], [UNKNOWN], "is unknown"),
    ],
)
def test_numeric_answers_are_described_as_the_ranges_they_stand_for(
    kind, low, high, tests, values, text
) -> None:
    question = _question(kind, low, high)
    facts = [FactTest("x", op, ref) for op, ref in tests]
    assert describe_values(question, facts, values) == text


OPS = st.sampled_from(["lt", "lte", "gt", "gte", "is"])


@pytest.mark.parametrize("kind", ["integer", "number"])
@settings(max_examples=100, deadline=None)
@given(
    tests=st.lists(st.tuples(OPS, st.integers(0, 30)), min_size=1, max_size=4),
    pick=st.data(),
)
def test_described_ranges_hold_exactly_the_answers_that_behave_alike(kind, tests, pick) -> None:
    question = _question(kind, 0, 30)
    facts = [FactTest("x", op, ref) for op, ref in tests]
    reps = [v for v in representatives(question, facts) if v is not UNKNOWN]
    chosen = pick.draw(st.lists(st.sampled_from(reps), min_size=1, unique=True))

    def signature(v: float) -> tuple[bool, ...]:
        return tuple(t.holds(v) for t in facts)

    wanted = {signature(v) for v in chosen}
    spans = value_spans(question, facts, chosen)
    grid = range(31) if kind == "integer" else [k / 4 for k in range(121)]
    for v in grid:
        inside = any(
            (a is None or v > a or (a_closed and v == a))
            and (b is None or v < b or (b_closed and v == b))
            for a, a_closed, b, b_closed in spans
        )
        assert inside == (signature(v) in wanted), (v, spans)
