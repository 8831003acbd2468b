"""Every case file in cases/ is a test: its `expect` block must hold, with both evaluators."""

from __future__ import annotations

import pytest

from triage.files.cases import read_case
from triage.tools.outcomes import judge

from .conftest import CASES

pytestmark = pytest.mark.acceptance  # the shipped rules, cases or questionnaire

CASE_FILES = sorted(CASES.rglob("*.yaml"))


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_file_meets_its_expectations(path, kb, engine, reference):
    case = read_case(str(path), kb)
    assert case.expect is not None, "every shipped case states what it expects"
    outcome = judge(case, engine.evaluate(case.answers))
    assert outcome.status == "pass", "\n".join(outcome.failures)
    oracle = reference.evaluate(case.answers)
    assert oracle.urgency == outcome.result.urgency
    assert oracle.fired == outcome.result.fired
    assert [r.id for r in oracle.recommendations] == [r.id for r in outcome.result.recommendations]
