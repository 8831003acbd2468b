"""The fixed public vocabulary: urgency levels and recommendation categories.

These are a contract with case files and result readers (see VOCABULARY.md), so they live
in code rather than in the editable knowledge base; the facts themselves are declared by the
question catalogue in `rules/`.
"""

from __future__ import annotations

URGENCY_LEVELS: tuple[str, ...] = ("self_care", "doctor_if_not_better", "doctor_soon", "emergency")
URGENCY_RANK: dict[str, int] = {level: rank for rank, level in enumerate(URGENCY_LEVELS)}
DEFAULT_URGENCY = URGENCY_LEVELS[0]

URGENCY_WORDS: dict[str, str] = {
    "self_care": "Look after it yourself: no medical contact needed for now",
    "doctor_if_not_better": (
        "Self-manage now, and see a doctor if it is not clearly better by the checkpoint"
    ),
    "doctor_soon": "See a doctor within the next few days",
    "emergency": "Get emergency care now",
}

CATEGORIES: tuple[str, ...] = (
    "emergency_care",
    "see_doctor",
    "see_professional",
    "stop_squatting_for_now",
    "fix_technique",
    "core_work",
    "reduce_depth",
    "variant_swap",
    "lower_load",
    "manage_pain",
    "mobility_stretching",
    "normal_soreness_reassurance",
    "gradual_return",
)
CATEGORY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(CATEGORIES)}

CATEGORY_TITLES: dict[str, str] = {
    "emergency_care": "Emergency care",
    "see_doctor": "See a doctor",
    "see_professional": "See a physiotherapist or qualified coach",
    "stop_squatting_for_now": "Pause squatting for now",
    "fix_technique": "Fix your technique",
    "core_work": "Core work",
    "reduce_depth": "Squat depth",
    "variant_swap": "Swap the squat variant",
    "lower_load": "Lower the load",
    "manage_pain": "Manage the pain",
    "mobility_stretching": "Mobility and stretching",
    "normal_soreness_reassurance": "This looks like normal soreness",
    "gradual_return": "Return to squatting gradually",
}

# Advice that sits badly next to an emergency, or reassurance next to "see a doctor": `triage
# check` reports rules that can produce such a pair without a declared resolution.
INCOMPATIBLE_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("normal_soreness_reassurance", "see_doctor"),
    ("normal_soreness_reassurance", "emergency_care"),
    ("core_work", "emergency_care"),
    ("mobility_stretching", "emergency_care"),
    ("gradual_return", "emergency_care"),
)
