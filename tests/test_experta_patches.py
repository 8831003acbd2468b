"""What `experta_patches` promises besides speed: it refuses an Experta it was not written for,
and Experta imports with the frozendict release Experta pins (what `pip install` gives)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import experta
import pytest

from triage.evaluate import experta_patches
from triage.evaluate.experta_patches import EXPERTA_VERSION, ExpertaVersionError
from triage.model.errors import TriageError

from .conftest import ROOT

MINI = Path(__file__).parent / "fixtures" / "mini_rules"


def test_the_installed_experta_is_the_patched_release() -> None:
    assert experta.__version__ == EXPERTA_VERSION


def test_another_experta_release_stops_the_import_with_a_clear_error(monkeypatch) -> None:
    monkeypatch.setattr(experta, "__version__", "1.9.5")
    for name in ("triage.evaluate.experta_patches", "triage.evaluate.engine"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(TriageError) as caught:  # the module's class, defined anew
        importlib.import_module("triage.evaluate.engine")
    assert type(caught.value).__name__ == ExpertaVersionError.__name__
    assert caught.value.code == "X101"
    message = str(caught.value)
    assert "found Experta 1.9.5" in message
    assert f"install experta=={EXPERTA_VERSION}" in message
    assert "experta_patches.py" in message


def test_importing_experta_leaves_the_root_logger_as_it_was() -> None:
    """Experta calls `logging.basicConfig()` when imported; a program using triage keeps its
    own logging set-up."""
    code = textwrap.dedent(
        """
        import logging
        before = list(logging.getLogger().handlers)
        import triage.evaluate.engine
        assert logging.getLogger().handlers == before, logging.getLogger().handlers
        """
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


OLD_FROZENDICT = '''
import collections

class frozendict(collections.Mapping):
    """The shape of frozendict 1.2: a subclass of the alias Python 3.10 removed."""

    def __init__(self, *args, **kwargs):
        self._dict = dict(*args, **kwargs)

    def __getitem__(self, key):
        return self._dict[key]

    def __iter__(self):
        return iter(self._dict)

    def __len__(self):
        return len(self._dict)

    def __hash__(self):
        return hash(frozenset(self._dict.items()))
'''


def test_experta_runs_with_a_frozendict_that_needs_the_removed_collections_aliases(
    tmp_path: Path,
) -> None:
    """Experta 1.9.4 pins frozendict 1.2, which subclasses `collections.Mapping`; the engine
    imports it anyway, evaluates, and leaves `collections` without the aliases."""
    (tmp_path / "frozendict").mkdir()
    (tmp_path / "frozendict" / "__init__.py").write_text(OLD_FROZENDICT)
    code = textwrap.dedent(
        f"""
        import collections
        from triage.evaluate.engine import Engine
        from triage.files.loader import load_knowledge
        import frozendict
        assert frozendict.__file__.startswith({str(tmp_path)!r}), frozendict.__file__
        assert not hasattr(collections, "Mapping")
        engine = Engine(load_knowledge({str(MINI)!r}))
        print(engine.evaluate({{"saddle_numbness": True}}).urgency)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": f"{tmp_path}:{ROOT}", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "emergency"


def test_the_module_lists_every_experta_internal_it_imports() -> None:
    """The list at the top of the module is the guide to an Experta upgrade: every name taken
    from inside Experta is in it."""
    source = Path(experta_patches.__file__).read_text(encoding="utf-8")
    doc = experta_patches.__doc__ or ""
    imported = [
        name.strip()
        for line in source.splitlines()
        if line.startswith("from experta.")
        for name in line.split(" import ", 1)[1].split("#")[0].split(",")
    ]
    assert imported, "the patches import Experta's internals by name"
    missing = [name for name in imported if f"`{name}" not in doc]
    assert missing == []
