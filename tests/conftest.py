"""Shared fixtures (the shipped knowledge base, its engines, a CLI runner), and which tests
are unit tests and which are acceptance tests.

An acceptance test drives the product from outside (the CLI, a pseudo-terminal, a fresh
process) or holds the shipped knowledge base and case corpus to their promises; a unit test
checks one module on small inputs made for it. Every test gets one of the two markers:
`acceptance` when it uses the `runner`, `kb`, `engine` or `reference` fixture below, or is
listed in `ACCEPTANCE`; `unit` otherwise. `-m unit` is the fast inner loop when changing the
core; `-m "not slow"` is the quick subset for daily work (README, "Tests").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.evaluate.engine import Engine
from triage.evaluate.reference import ReferenceEvaluator
from triage.files.loader import load_knowledge
from triage.model.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
CASES = ROOT / "cases"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge(RULES)


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb)


@pytest.fixture(scope="session")
def reference(kb: KnowledgeBase) -> ReferenceEvaluator:
    return ReferenceEvaluator(kb)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def private_history(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own history file, never the user's real one."""
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    monkeypatch.setenv("TRIAGE_HISTORY", str(path))
    monkeypatch.delenv("TRIAGE_TODAY", raising=False)
    return path


ACCEPTANCE_FIXTURES = {"runner", "kb", "engine", "reference"}
ACCEPTANCE: dict[str, set[str] | None] = {
    # module: the acceptance tests in it that use none of those fixtures (None: all of them)
    "test_ask_pty": None,
    "test_case_corpus": None,
    "test_check_shipped": None,
    "test_knowledge_base": None,
    "test_check": {"test_the_report_is_byte_identical_under_any_hash_seed"},
    "test_check_search": {
        "test_three_valued_conclusions_bound_every_completion",
        "test_each_answer_acts_like_the_value_the_search_tries_for_it",
    },
    "test_engine": {"test_json_output_is_byte_identical_under_any_hash_seed"},
    "test_history_store": {
        "test_two_processes_saving_at_once_both_land",
        "test_a_save_cut_short_leaves_the_history_as_it_was",
    },
    "test_graph": {"test_output_is_identical_under_any_hash_seed"},
    "test_interview": {
        "test_every_question_is_new_and_could_still_matter",
        "test_replay_equals_batch_for_generated_answers",
    },
    "test_run_parallel": {"test_the_cli_report_is_byte_identical_across_hash_seeds_and_jobs"},
    "test_schemas": {"test_each_file_validates_against_its_schema_in_both_validators"},
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    named: dict[str, set[str]] = {}
    for item in items:
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        function = getattr(item, "originalname", item.name)
        named.setdefault(module, set()).add(function)
        listed = ACCEPTANCE.get(module, set())
        fixtures = set(getattr(item, "fixturenames", ()))
        if listed is None or function in listed or fixtures & ACCEPTANCE_FIXTURES:
            item.add_marker(pytest.mark.acceptance)
        else:
            item.add_marker(pytest.mark.unit)
    stale = [
        f"{module}::{name}"
        for module, names in ACCEPTANCE.items()
        if names and module in named
        for name in sorted(names - named[module])
    ]
    if stale:
        raise pytest.UsageError(f"tests/conftest.py ACCEPTANCE names no such test: {stale}")
