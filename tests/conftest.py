"""Shared fixtures: the shipped knowledge base, its engines, and a CLI runner."""

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
