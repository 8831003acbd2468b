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
