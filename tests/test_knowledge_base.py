"""The shipped knowledge base behaves as the brief says: what a lifter and a trainer rely on.

Each test states one promise of the rules (red flags win, checkpoints fall on the right day,
swaps respect experience, every category is reachable...) and checks it with both evaluators,
on the case corpus and on generated answers hidden around the sign under test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.evaluate.answer_space import UNKNOWN, answer_space
from triage.files.cases import read_case
from triage.model.knowledge import KnowledgeBase, Outcome
from triage.model.result import Result
from triage.model.vocabulary import CATEGORIES, URGENCY_RANK

from .conftest import CASES

pytestmark = pytest.mark.acceptance  # the shipped rules, cases or questionnaire

CASE_FILES = sorted(CASES.rglob("*.yaml"))

# Every source names at least one of the works the brief cites (by the brief's own names).
BRIEF_SOURCES = (
    "Seed", "NHS", "NICE", "Chou", "ACP", "ACSM", "Cheung", "AANS", "AHCPR", "BMJ", "BASS",
    "Downie", "Henschke", "Verhagen", "Keele", "Myer", "Kushner", "Swinton", "Hecker",
    "Johansson", "Layer", "Gullett", "Gabbett", "Helms", "Zourdos", "NSCA", "Brief",
)  # fmt: skip

EMERGENCY_SIGNS = {
    "bladder_or_bowel_change": True,
    "saddle_numbness": True,
    "both_legs_affected": True,
    "recent_trauma": True,
    "chest_pain": True,
}
DOCTOR_SOON_SIGNS = {
    "fever_or_unwell": True,
    "recent_infection": True,
    "history_of_cancer": True,
    "unexplained_weight_loss": True,
    "night_or_rest_pain": True,
    "leg_weakness": True,
    "stops_daily_activities": True,
}
RED_FLAG_FACTS = (
    "bladder_or_bowel_change", "saddle_numbness", "both_legs_affected", "leg_weakness",
    "recent_trauma", "chest_pain", "history_of_cancer", "fever_or_unwell", "recent_infection",
    "unexplained_weight_loss", "night_or_rest_pain", "osteoporosis_or_steroids",
    "radiates_below_knee", "numbness_or_tingling",
)  # fmt: skip
SBST_ITEMS = (
    "sbst_leg_pain", "sbst_shoulder_or_neck_pain", "sbst_walked_short_distances",
    "sbst_dressed_slowly", "sbst_not_safe_to_be_active", "sbst_worrying_thoughts",
    "sbst_terrible_never_better", "sbst_not_enjoying", "sbst_very_or_extremely_bothersome",
)  # fmt: skip
PATTERNS = ("training_soreness", "strain_pattern", "nerve_root_pattern")
VARIANT_RECS = {
    "goblet": "goblet_squat",
    "bodyweight": "bodyweight_squat",
    "box_squat": "box_squat",
    "front_squat": "front_squat",
    "safety_bar": "safety_bar_squat",
    "belt_squat": "belt_squat",
}


def clear(**overrides: Any) -> dict[str, Any]:
    """Every warning sign answered "no", then the story's own answers."""
    return {fact: False for fact in RED_FLAG_FACTS} | overrides


def names(result: Result) -> set[str]:
    return result.names()


@pytest.fixture(scope="module")
def corpus(kb: KnowledgeBase, engine, reference) -> list[tuple[str, Mapping[str, Any], Result]]:
    """Every case file with its answers and its result, checked to agree across evaluators."""
    out = []
    for path in CASE_FILES:
        case = read_case(str(path), kb)
        result = engine.evaluate(case.answers)
        oracle = reference.evaluate(case.answers)
        assert (result.urgency, result.fired) == (oracle.urgency, oracle.fired), path.stem
        out.append((path.stem, case.answers, result))
    return out


def both(engine, reference, answers: Mapping[str, Any]) -> Result:
    """The engine's result, after checking that the reference evaluator agrees with it."""
    result = engine.evaluate(answers)
    oracle = reference.evaluate(answers)
    assert result.urgency == oracle.urgency
    assert result.fired == oracle.fired
    assert [r.id for r in result.recommendations] == [r.id for r in oracle.recommendations]
    return result


def outcome_holds(kb: KnowledgeBase, outcome: Outcome, result: Result) -> bool:
    rank = URGENCY_RANK[result.urgency]
    given_names = names(result)
    return (
        (outcome.urgency is None or outcome.urgency == result.urgency)
        and (outcome.urgency_at_least is None or rank >= URGENCY_RANK[outcome.urgency_at_least])
        and (outcome.urgency_at_most is None or rank <= URGENCY_RANK[outcome.urgency_at_most])
        and all(name in given_names for name in outcome.includes)
        and not any(name in given_names for name in outcome.excludes)
    )


_strategies: dict[int, st.SearchStrategy[dict[str, Any]]] = {}


def answer_sets(kb: KnowledgeBase) -> st.SearchStrategy[dict[str, Any]]:
    """Random answers drawn from the representative values of every fact, unknown included."""
    if id(kb) not in _strategies:
        space = answer_space(kb)
        drawn = st.fixed_dictionaries({f: st.sampled_from(vals) for f, vals in space.items()})
        _strategies[id(kb)] = drawn.map(lambda d: {k: v for k, v in d.items() if v is not UNKNOWN})
    return _strategies[id(kb)]


# --- the corpus ---------------------------------------------------------------------------


def test_the_corpus_has_at_least_sixty_stories_with_titles(kb) -> None:
    assert len(CASE_FILES) >= 60
    for path in CASE_FILES:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# yaml-language-server: $schema=../triage/schemas/case.schema.json")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", path.stem), path.name
        case = read_case(str(path), kb)
        assert case.title, f"{path.name} has no title telling its story"
        assert case.expect is not None and case.expect.urgency, f"{path.name} expects no urgency"


def test_every_rule_fires_in_some_case(kb, corpus) -> None:
    fired = {rule_id for _, _, result in corpus for rule_id in result.fired}
    assert [rule.id for rule in kb.rules if rule.id not in fired] == []


def test_every_category_and_recommendation_is_produced_by_some_case(kb, corpus) -> None:
    given_names = set().union(*(names(result) for _, _, result in corpus))
    assert [c for c in CATEGORIES if c not in given_names] == []
    assert [r for r in kb.recommendations if r not in given_names] == []


def test_every_urgency_level_appears_in_the_corpus(corpus) -> None:
    assert {result.urgency for _, _, result in corpus} == set(URGENCY_RANK)


def test_invariants_hold_on_every_case(kb, corpus) -> None:
    for stem, answers, result in corpus:
        for inv in kb.invariants:
            applies = inv.when is None or inv.when.compile()(answers, frozenset())
            if inv.when_result is not None:
                applies = applies and outcome_holds(kb, inv.when_result, result)
            if applies:
                assert outcome_holds(kb, inv.require, result), f"{stem} breaks {inv.id}"


def test_every_result_has_a_notice_and_a_safety_net(corpus) -> None:
    for stem, _, result in corpus:
        assert result.notice and "not a diagnosis" in result.notice
        assert result.safety_net, f"{stem} ({result.urgency}) has no safety net"


# --- the texts ----------------------------------------------------------------------------


def _all_text(kb: KnowledgeBase) -> list[tuple[str, str]]:
    texts = []
    for rec in kb.recommendations.values():
        texts += [(rec.id, rec.title), (rec.id, rec.text), *((rec.id, s) for s in rec.steps)]
    texts += [(item.id, item.text) for item in kb.safety_net]
    texts.append(("notice", kb.notice))
    return texts


def test_every_rule_recommendation_and_safety_net_item_names_a_brief_source(kb) -> None:
    items = [("rule " + r.id, r.source) for r in kb.rules]
    items += [("recommendation " + r.id, r.source) for r in kb.recommendations.values()]
    items += [("safety net " + s.id, s.source) for s in kb.safety_net]
    unsourced = [name for name, source in items if not any(k in source for k in BRIEF_SOURCES)]
    assert unsourced == []


def test_nothing_tells_the_lifter_to_clear_lactic_acid(kb) -> None:
    assert [rid for rid, text in _all_text(kb) if "lactic" in text.lower()] == []


def test_medicine_advice_never_gives_a_dose(kb) -> None:
    dose = re.compile(r"\d+\s*(mg|milligram|g\b|tablet|pill)", re.IGNORECASE)
    assert [rid for rid, text in _all_text(kb) if dose.search(text)] == []


def test_recommendations_a_lifter_acts_on_have_steps(kb) -> None:
    """Exercises and drills say how to do them, not only what they are for."""
    how_to = ("core_work", "variant_swap", "mobility_stretching", "reduce_depth", "gradual_return")
    missing = [
        r.id for r in kb.recommendations.values()
        if r.category in how_to and r.id != "low_risk_outlook" and len(r.steps) < 2
    ]  # fmt: skip
    assert missing == []


# --- red flags win, whatever else is answered ---------------------------------------------


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), sign=st.sampled_from(sorted(EMERGENCY_SIGNS)))
def test_an_emergency_sign_hidden_in_any_story_gives_emergency(
    data, sign, kb, engine, reference
) -> None:
    answers = data.draw(answer_sets(kb)) | {sign: EMERGENCY_SIGNS[sign]}
    result = both(engine, reference, answers)
    assert result.urgency == "emergency"
    assert [r.category for r in result.recommendations] == ["emergency_care"]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), sign=st.sampled_from(sorted(DOCTOR_SOON_SIGNS)))
def test_a_doctor_soon_sign_hidden_in_any_story_gives_at_least_doctor_soon(
    data, sign, kb, engine, reference
) -> None:
    answers = data.draw(answer_sets(kb)) | {sign: DOCTOR_SOON_SIGNS[sign]}
    result = both(engine, reference, answers)
    assert URGENCY_RANK[result.urgency] >= URGENCY_RANK["doctor_soon"]
    categories = {r.category for r in result.recommendations}
    if result.urgency == "emergency":
        assert categories == {"emergency_care"}
    else:
        # The doctor, no lifting until seen, the care while waiting, and a physiotherapist
        # when the screen calls for one; never training advice or reassurance.
        assert {"see_doctor", "stop_squatting_for_now", "manage_pain"} <= categories
        allowed = {"see_doctor", "see_professional", "stop_squatting_for_now", "manage_pain"}
        assert categories <= allowed
        assert {"stay_active", "heat_packs", "otc_pain_relief"} <= names(result)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_cancer_history_with_any_nerve_symptom_is_an_emergency(data, kb, engine, reference) -> None:
    nerve = data.draw(
        st.sampled_from(
            [
                {"radiates_below_knee": True},
                {"numbness_or_tingling": True},
                {"leg_weakness": True},
                {"pain_location": "lower_back_and_leg"},
            ]
        )
    )
    answers = data.draw(answer_sets(kb)) | {"history_of_cancer": True} | nerve
    assert both(engine, reference, answers).urgency == "emergency"


@pytest.mark.parametrize(
    ("risk", "story"),
    [
        ({"osteoporosis_or_steroids": True}, {"pain_onset": "during_lift_sudden"}),
        (
            {"osteoporosis_or_steroids": True},
            {"pain_onset": "after_accident", "recent_trauma": False},
        ),
        ({"age": 58}, {"pain_onset": "during_lift_sudden"}),
    ],
)
@pytest.mark.parametrize("severity", [7, 10, None])
def test_weak_bones_or_older_age_with_sudden_severe_pain_needs_a_doctor(
    risk, story, severity, engine, reference
) -> None:
    answers = clear(**risk, **story, pain_location="lower_back_central", days_since_onset=1)
    answers |= {"pain_trend": "stable", "stops_daily_activities": False}
    if severity is not None:
        answers["severity_0_10"] = severity
    result = both(engine, reference, answers)
    assert result.urgency == "doctor_soon"
    assert "fracture-risk-sudden-severe-pain" in result.fired


@pytest.mark.parametrize(
    "story",
    [
        {"pain_onset": "during_lift_sudden", "pain_location": "lower_back_one_side"},
        {"pain_onset": "next_day", "pain_location": "lower_back_both_sides"},
        {"pain_onset": "next_day", "pain_location": "lower_back_central", "pain_trend": "stable"},
    ],
)
def test_weak_bones_alone_need_a_doctor_whatever_the_training_story(
    story, engine, reference
) -> None:
    answers = clear(osteoporosis_or_steroids=True, days_since_onset=1, severity_0_10=3)
    answers |= {"pain_trend": "stable", "stops_daily_activities": False, "age": 40} | story
    result = both(engine, reference, answers)
    assert result.urgency == "doctor_soon"
    assert {"see_doctor_soon", "no_lifting_until_seen", "heat_packs"} <= names(result)
    assert "normal_soreness_reassurance" not in names(result)


@pytest.mark.parametrize("age", [16, 19, 51, 70])
def test_age_alone_does_not_flag_but_age_with_a_stalled_week_does(age, engine, reference) -> None:
    doms = clear(age=age, pain_location="lower_back_both_sides", pain_onset="next_day")
    doms |= {"days_since_onset": 2, "pain_trend": "stable", "stops_daily_activities": False}
    assert both(engine, reference, doms).urgency == "self_care"
    stalled = doms | {"pain_location": "lower_back_central", "pain_onset": "gradual"}
    stalled |= {"days_since_onset": 8}
    assert both(engine, reference, stalled).urgency == "doctor_soon"
    middle_aged = stalled | {"age": 35}
    assert both(engine, reference, middle_aged).urgency == "doctor_if_not_better"


@pytest.mark.parametrize(("age", "arch", "urgency"), [
    (16, True, "doctor_soon"),
    (16, False, "doctor_if_not_better"),
    (25, True, "doctor_if_not_better"),
])  # fmt: skip
def test_a_young_lifter_with_lasting_one_sided_pain_and_an_arch_sees_a_doctor(
    age, arch, urgency, engine, reference
) -> None:
    answers = clear(age=age, back_overarches=arch, pain_location="lower_back_one_side")
    answers |= {"pain_onset": "gradual", "days_since_onset": 20, "pain_trend": "improving"}
    answers |= {"stops_daily_activities": False}
    assert both(engine, reference, answers).urgency == urgency


# --- what kind of pain, and its checkpoints -----------------------------------------------


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_story_gets_exactly_one_pain_pattern(data, kb, engine, reference) -> None:
    answers = data.draw(answer_sets(kb))
    result = both(engine, reference, answers)
    assert sum(pattern in result.findings for pattern in PATTERNS) == 1


def _doms(days: int, trend: str) -> dict[str, Any]:
    return clear(
        pain_location="lower_back_both_sides",
        pain_onset="next_day",
        days_since_onset=days,
        pain_trend=trend,
        stops_daily_activities=False,
    )


@pytest.mark.parametrize("days", [0, 1, 2, 3])
def test_soreness_getting_worse_in_the_first_three_days_is_normal(days, engine, reference) -> None:
    result = both(engine, reference, _doms(days, "worsening"))
    assert result.urgency == "self_care"
    assert {"doms_reassurance", "doms_rises_before_fading"} <= names(result)


@pytest.mark.parametrize("days", [4, 5, 7])
def test_soreness_still_getting_worse_after_day_three_needs_a_doctor(
    days, engine, reference
) -> None:
    result = both(engine, reference, _doms(days, "worsening"))
    assert result.urgency == "doctor_soon"
    assert "normal_soreness_reassurance" not in names(result)


@pytest.mark.parametrize(("days", "urgency"), [(7, "self_care"), (8, "doctor_if_not_better")])
def test_soreness_past_seven_days_is_treated_as_a_strain(days, urgency, engine, reference) -> None:
    result = both(engine, reference, _doms(days, "improving"))
    assert result.urgency == urgency
    assert ("strain_pattern" in result.findings) == (days > 7)


@pytest.mark.parametrize(
    ("leg", "trend", "days", "urgency"),
    [
        (False, "stable", 13, "doctor_if_not_better"),
        (False, "stable", 14, "doctor_soon"),
        (False, "improving", 27, "doctor_if_not_better"),
        (False, "improving", 28, "doctor_soon"),
        (True, "stable", 27, "doctor_if_not_better"),
        (True, "stable", 28, "doctor_soon"),
        (True, "improving", 41, "doctor_if_not_better"),
        (True, "improving", 42, "doctor_soon"),
        (True, "worsening", 1, "doctor_soon"),
        (False, "worsening", 2, "doctor_if_not_better"),
        (False, "worsening", 4, "doctor_soon"),
    ],
)
def test_checkpoints_fall_on_the_right_day(leg, trend, days, urgency, engine, reference) -> None:
    answers = clear(
        radiates_below_knee=leg,
        pain_location="lower_back_and_leg" if leg else "lower_back_one_side",
        pain_onset="during_lift_sudden",
        days_since_onset=days,
        pain_trend=trend,
        stops_daily_activities=False,
        age=30,
    )
    result = both(engine, reference, answers)
    assert result.urgency == urgency
    if urgency == "doctor_soon":
        assert "see_doctor_not_settling" in names(result)


def test_one_sided_sciatica_with_normal_strength_is_self_managed(engine, reference) -> None:
    answers = clear(radiates_below_knee=True, pain_location="lower_back_and_leg")
    answers |= {"pain_onset": "gradual", "days_since_onset": 5, "pain_trend": "stable"}
    answers |= {"stops_daily_activities": False}
    result = both(engine, reference, answers)
    assert result.urgency == "doctor_if_not_better"
    assert "sciatica_self_care" in names(result)
    weak = both(engine, reference, answers | {"leg_weakness": True})
    assert weak.urgency == "doctor_soon"


@pytest.mark.parametrize("place", ["lower_back_central", "lower_back_both_sides"])
@pytest.mark.parametrize("onset", ["next_day", "end_of_session"])
def test_a_delayed_ache_in_the_middle_or_across_is_soreness(place, onset, engine, reference):
    answers = _doms(2, "stable") | {"pain_location": place, "pain_onset": onset}
    answers |= {"severity_0_10": 4, "back_rounds_at_bottom": True, "load_level": "heavy"}
    result = both(engine, reference, answers)
    assert result.urgency == "self_care"
    assert "training_soreness" in result.findings
    assert {"doms_reassurance", "controlled_depth", "load_where_form_holds"} <= names(result)


@pytest.mark.parametrize(
    ("story", "pattern"),
    [
        ({"pain_location": "lower_back_one_side"}, "strain_pattern"),
        ({"pain_onset": "during_lift_sudden"}, "strain_pattern"),
        ({"pain_onset": "gradual"}, "strain_pattern"),
        ({"severity_0_10": 8}, "strain_pattern"),
    ],
)
def test_a_one_sided_twinged_gradual_or_severe_ache_is_not_called_soreness(
    story, pattern, engine, reference
) -> None:
    answers = _doms(2, "stable") | {"severity_0_10": 4, "pain_location": "lower_back_central"}
    result = both(engine, reference, answers | story)
    assert pattern in result.findings
    assert result.urgency == "doctor_if_not_better"


@pytest.mark.parametrize("place", ["lower_back_central", "upper_back", "lower_back_both_sides"])
@pytest.mark.parametrize("severity", [8, 10])
def test_severe_pain_is_never_plain_self_care(place, severity, engine, reference) -> None:
    answers = _doms(1, "stable") | {"pain_location": place, "severity_0_10": severity}
    result = both(engine, reference, answers)
    assert result.urgency == "doctor_if_not_better"
    assert "severe_pain_checkpoint" in names(result)
    late = both(engine, reference, answers | {"days_since_onset": 4})
    assert late.urgency == "doctor_soon", "severe pain not easing after day 3 needs a doctor"
    easing = both(engine, reference, answers | {"days_since_onset": 4, "pain_trend": "improving"})
    assert easing.urgency == "doctor_if_not_better"


@pytest.mark.parametrize(
    ("leg", "days", "severity", "trend"),
    [
        (False, 10, 0, "stable"),
        (False, 20, 0, "stable"),
        (False, 35, 0, "improving"),
        (False, 35, 2, "improving"),
        (True, 50, 0, "stable"),
        (True, 30, 1, "improving"),
        (False, 5, 0, "worsening"),
    ],
)
def test_recovered_means_recovered(leg, days, severity, trend, engine, reference) -> None:
    answers = clear(
        radiates_below_knee=leg,
        pain_location="lower_back_and_leg" if leg else "lower_back_one_side",
        pain_onset="during_lift_sudden",
        days_since_onset=days,
        pain_trend=trend,
        severity_0_10=severity,
        stops_daily_activities=False,
        age=30,
        experience="intermediate",
        squat_variant="back_squat",
        hips_rise_first=True,
    )
    result = both(engine, reference, answers)
    assert result.urgency == "self_care"
    assert "return_sequence" in names(result)
    assert not {"see_doctor", "stop_squatting_for_now"} & names(result)
    assert "chest_and_hips_together" in names(result), "the fixes come with the return"
    still = both(engine, reference, answers | {"severity_0_10": 3})
    assert URGENCY_RANK[still.urgency] >= URGENCY_RANK["doctor_if_not_better"]


def test_a_recovered_lifter_with_a_red_flag_still_sees_a_doctor(engine, reference) -> None:
    answers = clear(pain_location="lower_back_central", pain_onset="gradual")
    answers |= {"history_of_cancer": True, "days_since_onset": 30, "severity_0_10": 0}
    answers |= {"pain_trend": "improving"}
    assert both(engine, reference, answers).urgency == "doctor_soon"


@pytest.mark.parametrize("trend", ["improving"])
@pytest.mark.parametrize("onset", ["during_lift_sudden", "gradual"])
@pytest.mark.parametrize("leg", [False, True])
def test_easing_pain_is_not_told_to_stop_squatting(trend, onset, leg, engine, reference) -> None:
    answers = clear(pain_onset=onset, days_since_onset=3, pain_trend=trend, severity_0_10=5)
    answers |= {"radiates_below_knee": leg, "stops_daily_activities": False, "age": 30}
    answers |= {"pain_location": "lower_back_and_leg" if leg else "lower_back_central"}
    result = both(engine, reference, answers)
    assert result.urgency == "doctor_if_not_better"
    assert "stop_squatting_for_now" not in names(result)
    assert "gradual_return" in names(result)
    stuck = both(engine, reference, answers | {"pain_trend": "stable"})
    paused = onset == "during_lift_sudden" or leg
    assert ("pause_squats" in names(stuck)) == paused, "a pause after a twinge or with leg pain"


@pytest.mark.parametrize("experience", ["beginner", "intermediate", "advanced"])
@pytest.mark.parametrize("fault", ["back_rounds_at_bottom", "back_overarches", "hips_rise_first"])
@pytest.mark.parametrize("load", ["heavy", "near_max"])
def test_a_form_fault_at_a_heavy_load_brings_lower_load(
    experience, fault, load, engine, reference
) -> None:
    answers = _plain_soreness(experience=experience, load_level=load, recent_load_jump=False)
    result = both(engine, reference, answers | {fault: True})
    assert "load_where_form_holds" in names(result)
    light = both(engine, reference, answers | {fault: True, "load_level": "moderate"})
    assert "load_where_form_holds" not in names(light)


# --- STarT Back ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(st.booleans(), min_size=9, max_size=9))
def test_startback_is_scored_as_keele_scores_it(items, engine, reference) -> None:
    screen = dict(zip(SBST_ITEMS, items, strict=True))
    total, distress = sum(items), sum(items[4:])
    stalled = clear(pain_location="lower_back_central", pain_onset="during_lift_sudden")
    stalled |= {"days_since_onset": 10, "pain_trend": "stable", "age": 35}
    stalled |= {"stops_daily_activities": False} | screen
    result = both(engine, reference, stalled)
    given_names = names(result)
    assert ("see_physio_supported" in given_names) == (distress >= 4)
    assert ("see_physio" in given_names) == (total >= 4 and distress < 4)
    assert ("low_risk_outlook" in given_names) == (total <= 3)
    assert result.urgency == "doctor_if_not_better", "a screen never changes the urgency"


@pytest.mark.parametrize("trend", ["improving", "stable", "worsening"])
def test_startback_is_scored_whatever_the_trend(trend, engine, reference) -> None:
    afraid = {item: item in SBST_ITEMS[4:] for item in SBST_ITEMS}
    story = clear(pain_location="lower_back_one_side", pain_onset="during_lift_sudden", age=35)
    story |= {"days_since_onset": 16, "pain_trend": trend, "severity_0_10": 4}
    story |= {"stops_daily_activities": False} | afraid
    result = both(engine, reference, story)
    assert "see_physio_supported" in names(result), "shown next to a doctor's referral too"
    if trend == "improving":
        assert result.urgency == "doctor_if_not_better"
        assert "stop_squatting_for_now" not in names(result), "NICE NG59: stay active"
        assert "gradual_return" in names(result)
    else:
        assert result.urgency == "doctor_soon"
        assert "see_doctor" in names(result)


def test_startback_is_scored_for_plain_soreness_without_raising_the_urgency(
    engine, reference
) -> None:
    every_item_yes = {item: True for item in SBST_ITEMS}
    result = both(engine, reference, _doms(2, "stable") | every_item_yes)
    assert "see_physio_supported" in names(result), "answered items are scored on any day"
    assert result.urgency == "self_care", "a screen never changes the urgency"
    every_item_no = {item: False for item in SBST_ITEMS}
    calm = both(engine, reference, _doms(2, "stable") | every_item_no)
    assert "see_professional" not in names(calm) and "low_risk_outlook" in names(calm)


def test_a_high_screen_swaps_the_pause_for_wall_squats(engine, reference) -> None:
    afraid = {item: item in SBST_ITEMS[4:] for item in SBST_ITEMS}
    story = clear(pain_location="lower_back_central", pain_onset="during_lift_sudden", age=35)
    story |= {"days_since_onset": 10, "pain_trend": "stable", "severity_0_10": 4}
    story |= {"stops_daily_activities": False}
    assert "pause_squats" in names(both(engine, reference, story))
    result = both(engine, reference, story | afraid)
    assert "pause_squats" not in names(result), "NICE NG59: stay active"
    assert "wall_squats_to_pain_point" in names(result)


def test_unanswered_screen_items_never_count_as_low_risk(engine, reference) -> None:
    stalled = clear(pain_location="lower_back_central", pain_onset="gradual", age=35)
    stalled |= {"days_since_onset": 9, "pain_trend": "stable", "stops_daily_activities": False}
    stalled |= {item: False for item in SBST_ITEMS[:5]}
    assert "low_risk_outlook" not in names(both(engine, reference, stalled))


# --- training advice ----------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_variant_swaps_respect_experience_and_the_current_variant(
    data, kb, engine, reference
) -> None:
    answers = data.draw(answer_sets(kb))
    given_names = names(both(engine, reference, answers))
    if answers.get("experience") != "advanced":
        assert "front_squat" not in given_names
    if answers.get("experience") == "beginner":
        assert not given_names & {"front_squat", "safety_bar_squat", "belt_squat"}
    current = VARIANT_RECS.get(answers.get("squat_variant", ""))
    assert current is None or current not in given_names


def _plain_soreness(**training: Any) -> dict[str, Any]:
    return _doms(1, "stable") | {"trains_core": True, "age": 30} | training


@pytest.mark.parametrize(
    ("experience", "expected"),
    [
        ("beginner", {"goblet_squat"}),
        ("intermediate", {"safety_bar_squat"}),
        ("advanced", {"front_squat"}),
        (None, {"goblet_squat"}),
    ],
)
def test_a_sore_back_squatter_is_offered_a_swap_that_suits_their_level(
    experience, expected, engine, reference
) -> None:
    answers = _plain_soreness(squat_variant="back_squat")
    if experience:
        answers["experience"] = experience
    result = both(engine, reference, answers)
    assert {r.id for r in result.recommendations if r.category == "variant_swap"} == expected


@pytest.mark.parametrize(("experience", "planks"), [
    ("beginner", {"plank"}),
    ("intermediate", {"plank", "side_plank"}),
    ("advanced", {"plank", "side_plank"}),
])  # fmt: skip
def test_core_work_is_the_plank_for_all_and_the_side_plank_from_intermediate(
    experience, planks, engine, reference
) -> None:
    result = both(engine, reference, _plain_soreness(trains_core=False, experience=experience))
    assert {r.id for r in result.recommendations if r.category == "core_work"} == planks


@pytest.mark.parametrize(
    ("fault", "fixes"),
    [
        ({"back_rounds_at_bottom": True}, {"neutral_spine_cue", "controlled_depth"}),
        ({"back_overarches": True}, {"neutral_spine_cue", "bracing", "plank"}),
        ({"hips_rise_first": True}, {"chest_and_hips_together", "hip_drive_drills"}),
        ({"heels_lift": True}, {"heels_down", "ankle_mobility"}),
        ({"heels_lift": True, "ankle_dorsiflexion_limited": False}, {"heels_down"}),
        ({"recent_load_jump": True, "load_jump_percent": 20}, {"reduce_load"}),
        ({"recent_load_jump": True}, {"reduce_load"}),
        ({"rpe_top_set": 10}, {"rpe_targets"}),
        ({"recent_load_jump": True, "load_jump_percent": 5, "hips_rise_first": True},
         {"load_where_form_holds"}),
    ],
)  # fmt: skip
def test_each_form_or_load_fault_gets_its_fix(fault, fixes, engine, reference) -> None:
    result = both(engine, reference, _plain_soreness(**fault))
    assert fixes <= names(result)
    assert result.urgency == "self_care", "a training fault alone never raises the urgency"


def test_a_small_jump_with_clean_form_does_not_lower_the_load(engine, reference) -> None:
    answers = _plain_soreness(recent_load_jump=True, load_jump_percent=8, rpe_top_set=8)
    assert "lower_load" not in names(both(engine, reference, answers))


def test_depth_is_not_the_fix_when_the_back_stays_neutral(engine, reference) -> None:
    answers = _plain_soreness(depth="full_depth", back_rounds_at_bottom=False, heels_lift=False)
    assert "reduce_depth" not in names(both(engine, reference, answers))


def test_fixes_wait_while_the_pain_is_not_settling(engine, reference) -> None:
    fault = {"hips_rise_first": True, "recent_load_jump": True, "squat_variant": "back_squat"}
    recent = clear(pain_location="lower_back_one_side", pain_onset="during_lift_sudden")
    recent |= {"days_since_onset": 3, "pain_trend": "stable", "experience": "intermediate"}
    recent |= {"stops_daily_activities": False, "age": 30} | fault
    assert {"fix_technique", "lower_load", "variant_swap"} <= names(both(engine, reference, recent))
    stalled = both(engine, reference, recent | {"days_since_onset": 10})
    assert not {"fix_technique", "lower_load", "variant_swap"} & names(stalled)
    assert {"pause_squats", "return_sequence"} <= names(stalled)


def test_a_strain_is_managed_without_bed_rest_belts_or_doses(engine, reference) -> None:
    answers = clear(pain_location="lower_back_one_side", pain_onset="during_lift_sudden")
    answers |= {"days_since_onset": 1, "pain_trend": "stable", "stops_daily_activities": False}
    result = both(engine, reference, answers)
    assert {"stay_active", "heat_packs", "otc_pain_relief", "massage"} <= names(result)
    assert {"pause_squats", "return_sequence"} <= names(result)
    assert "normal_soreness_reassurance" not in names(result)
    by_id = {r.id: r for r in result.recommendations}
    assert "pharmacist" in by_id["otc_pain_relief"].text
    assert any("belt" in step for step in by_id["return_sequence"].steps)
