"""Shared fixtures (the shipped knowledge base, its engines, a CLI runner), and which tests
are unit tests and which are acceptance tests.

An acceptance test drives the product from outside (the CLI, a pseudo-terminal, `triage` in a
fresh process) or holds the shipped knowledge base and case corpus to their promises; a unit test
checks one module on small inputs made for it. Every test gets one of the two markers:
`acceptance` when it is marked so in its file (`pytestmark` for a whole module) or uses the
`runner`, `kb`, `engine` or `reference` fixture below; `unit` otherwise. `-m unit` is the
inner loop when changing the core; `-m "not slow"` is the quick subset for daily work.
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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The long fuzz profile runs only when asked for by name (`-m fuzz`), whatever other `-m`
    # is given: `-m "not slow"` must stay the quick subset.
    if "fuzz" not in (config.getoption("markexpr") or ""):
        fuzz = [item for item in items if item.get_closest_marker("fuzz")]
        if fuzz:
            items[:] = [item for item in items if not item.get_closest_marker("fuzz")]
            config.hook.pytest_deselected(items=fuzz)
    for item in items:
        if item.get_closest_marker("acceptance") is None:
            if ACCEPTANCE_FIXTURES & set(getattr(item, "fixturenames", ())):
                item.add_marker(pytest.mark.acceptance)
            else:
                item.add_marker(pytest.mark.unit)
