"""Every place where squat-triage reaches inside Experta, in one module.

`engine.py` compiles the knowledge base into Experta rules through Experta's public API
(`KnowledgeEngine`, `Rule`, `Fact`, `NOT`, `MATCH`, `P`, `declare`, `run`). Everything that
depends on how Experta 1.9.4 works inside is here, so that an upgrade of Experta is reviewed in
this one file, and an Experta other than the one these patches were written for stops the
import with `ExpertaVersionError` instead of evaluating differently without a word.

None of these patches changes which rules fire or in what order; they change how much work
Experta does per case, or fix an agenda bug. The oracle tests (`tests/test_engine_oracle.py`)
hold the engine to the engine-free reference evaluator; `docs/engine-performance.md` gives
the figures behind each patch.

Experta internals this module touches, and why:

- `logging.basicConfig()`, called by `experta.engine` and `experta.watchers` at import: it
  adds a handler to the root logger of the importing program. The root logger's handlers are
  put back as they were after the import.
- `frozendict` 1.2, which Experta pins: it subclasses `collections.Mapping`, an alias Python
  3.10 removed, so it fails to import on the Pythons we support. The `collections.abc` names
  are lent to `collections` for that one import and taken back (`_import_frozendict`). A
  newer frozendict (as in the uv development environment) imports without the loan.
- `experta.__version__`: checked against `EXPERTA_VERSION` before any internal is imported.
- `DepthStrategy._update_agenda`, `Agenda.activations` (a list, next activation last),
  `Activation.key`, `Activation.rule.salience`, `Activation.facts`, `Fact["__factid__"]`:
  `ExactRemovalStrategy` keeps the agenda in the order of Experta's depth strategy, inserting
  by bisection on the key, and removes an activation by scanning every activation with an
  equal key. `Activation.__eq__` compares keys too, and a removal notice arrives without one,
  so the key is computed first; the stock removal looks only at the bisect position and its
  two neighbours, where the activation to remove need not be. An activation left behind would
  fire a rule guarded by `NOT(Finding)` after the finding appeared.
- `ConflictSetNode._activate`, `ConflictSetNode.get_activations`, and
  `ReteMatcher._get_conflict_set_nodes`: after every fired rule the stock matcher asks every
  conflict-set node for news; `_Matcher` asks only those that received a token since
  (`_TrackedConflictSet` marks itself).
- `FeatureTesterNode` (`activate`, `matcher`, `children`), `ChildNode`, `Token.data`,
  `Token.context`, `Token.copy`, the `(False, name)` form of a negated binding in a token's
  context, and the check classes `TypeCheck.fact_type`, `FactCapture.bind`,
  `FeatureCheck.what` / `.check` / `.expected`: Experta's alpha nodes copy every token before
  testing it and build the arguments of a log call on every test. `_QuietTester` replaces
  each of them once the network is built: the same test, a copy only when the test adds a
  binding. Parents hold the bound `activate` of the node in `ChildNode`s, which are rebuilt.
- `ReteMatcher.root_node`, `ReteMatcher.changes(adding, deleting)`, `NoMemory` and each
  memory node's `_reset`: `_Matcher.reset` clears only the nodes that have a memory, listed
  once, instead of walking the whole network on every reset.
- `KnowledgeEngine.reset`, `KnowledgeEngine.__declare` (name-mangled
  `_KnowledgeEngine__declare`), `KnowledgeEngine.agenda` / `facts` / `matcher` / `running`,
  `Agenda`, `FactList`, `InitialFact`: `FastResetEngine.reset` does what the stock reset does
  for an engine without deffacts, without looking the deffacts up with `inspect.getmembers`.
- `KnowledgeEngine.__strategy__` and `__matcher__`: the class attributes through which the
  two classes above are put in place.
- `Fact.__setitem__` freezes (copies into a frozendict) any value that is not hashable:
  `Box` makes the answers of a case hashable by identity, so they are not copied per fact.
"""

from __future__ import annotations

import bisect
import collections
import collections.abc
import importlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from triage.model.errors import TriageError

EXPERTA_VERSION = "1.9.4"
"""The one Experta release these patches were written and tested against."""


class ExpertaVersionError(TriageError):
    """The installed Experta is not the release this module patches."""

    def __init__(self, found: str) -> None:
        super().__init__(
            f"squat-triage needs Experta {EXPERTA_VERSION}, found Experta {found}: the engine "
            "relies on Experta internals listed in triage/evaluate/experta_patches.py; "
            f"install experta=={EXPERTA_VERSION}",
            "X101",
            f"pip install experta=={EXPERTA_VERSION}",
        )
        self.found = found


def check_version(found: str) -> None:
    if found != EXPERTA_VERSION:
        raise ExpertaVersionError(found)


_ABC_ALIASES = ("Mapping", "MutableMapping", "Sequence", "Iterable", "Hashable", "Callable")


def _import_frozendict() -> None:
    """Import frozendict before Experta does, lending the `collections` aliases it may need."""
    try:
        importlib.import_module("frozendict")
    except AttributeError:  # frozendict 1.2 on Python 3.10 or newer
        lent = [name for name in _ABC_ALIASES if not hasattr(collections, name)]
        for name in lent:
            setattr(collections, name, getattr(collections.abc, name))
        try:
            importlib.import_module("frozendict")
        finally:
            for name in lent:
                delattr(collections, name)


_root = logging.getLogger()
_handlers = list(_root.handlers)
try:
    _import_frozendict()
    import experta
finally:
    _root.handlers[:] = _handlers
del _handlers

check_version(experta.__version__)

from experta.agenda import Agenda  # noqa: E402  (only once the version is known)
from experta.fact import InitialFact  # noqa: E402
from experta.factlist import FactList  # noqa: E402
from experta.matchers import ReteMatcher  # noqa: E402
from experta.matchers.rete.check import FactCapture, FeatureCheck, TypeCheck  # noqa: E402
from experta.matchers.rete.mixins import ChildNode, NoMemory  # noqa: E402
from experta.matchers.rete.nodes import ConflictSetNode, FeatureTesterNode  # noqa: E402
from experta.strategies import DepthStrategy  # noqa: E402


def _order_key(act: Any) -> Any:
    return act.key


class ExactRemovalStrategy(DepthStrategy):
    """Depth strategy with an ordered insert and a removal that finds the right activation.

    Experta compares activations including their ordering key, and a removal notice arrives
    without one, so the key is computed before looking; equal keys are scanned, not assumed
    adjacent to the bisect position as the stock strategy does.
    """

    @staticmethod
    def _key(act: Any) -> tuple[int, list[int]]:
        return (act.rule.salience, sorted((f["__factid__"] for f in act.facts), reverse=True))

    def _update_agenda(self, agenda: Any, added: Any, removed: Any) -> None:
        acts = agenda.activations
        for act in removed:
            act.key = key = self._key(act)
            index = bisect.bisect_left(acts, key, key=_order_key)
            while index < len(acts) and acts[index].key == key:
                if acts[index] == act:
                    del acts[index]
                    break
                index += 1
        for act in added:
            act.key = self._key(act)
            bisect.insort(acts, act, key=_order_key)


class _TrackedConflictSet(ConflictSetNode):
    """A conflict-set node that tells the matcher it has news."""

    dirty: dict[ConflictSetNode, None]

    def _activate(self, token: Any) -> None:
        self.dirty[self] = None
        super()._activate(token)


def quiet_test(check: Any) -> Callable[[Any], Any]:
    """The same test as an alpha node's Experta check, without the log call Experta makes on
    every test (its arguments are built even when logging is off)."""
    if type(check) is TypeCheck:
        fact_type = check.fact_type
        return lambda fact: type(fact) == fact_type  # noqa: E721  (Experta's exact-type test)
    if type(check) is FactCapture:
        bind = check.bind
        return lambda fact: {bind: fact}
    if type(check) is FeatureCheck and isinstance(check.what, str) and "__" not in check.what:
        what, test, expected = check.what, check.check, check.expected

        def feature(fact: Any) -> Any:
            try:
                record = fact[what]
            except (IndexError, KeyError, TypeError):
                return False
            return test(record, expected)

        return feature
    return check  # any other kind keeps Experta's own call


_NONE = object()


class QuietTester(FeatureTesterNode):
    """An alpha node that copies the token only when its test adds a binding to it.

    Experta copies every token on arrival, before testing, although a failed or plain `True`
    test leaves it untouched; every node that changes a token copies it first, so passing the
    same token on is safe. Bindings are checked against the context exactly as
    `FeatureTesterNode._activate` does.
    """

    quiet_test: Callable[[Any], Any]

    def activate(self, token: Any) -> None:
        (fact,) = token.data
        match = self.quiet_test(fact)
        if not match:
            return
        if match is not True:
            context = token.context
            for key, value in match.items():
                if isinstance(key, tuple):  # a negated binding
                    if key[1] in context and context[key[1]] == value:
                        return
                elif context.get(key, value) != value or context.get((False, key), _NONE) == value:
                    return
            token = token.copy()
            token.context.update(match)
        for child in self.children:
            child.callback(token)


class _Matcher(ReteMatcher):
    """The Rete matcher, asking only conflict-set nodes that saw a token since the last call,
    with quiet alpha nodes (`QuietTester`)."""

    def __init__(self, engine: Any) -> None:
        super().__init__(engine)
        self.dirty: dict[ConflictSetNode, None] = {}
        for node in self._get_conflict_set_nodes():
            node.__class__ = _TrackedConflictSet
            node.dirty = self.dirty
        self.memories: list[Any] = []
        nodes = self._nodes()
        for node in nodes:
            if not isinstance(node, NoMemory):
                self.memories.append(node)
            if type(node) is FeatureTesterNode:
                node.__class__ = QuietTester
                node.quiet_test = quiet_test(node.matcher)
        for node in nodes:  # parents hold the bound `activate` of the old class: rebind
            node.children[:] = [
                ChildNode(c.node, c.node.activate) if type(c.node) is QuietTester else c
                for c in node.children
            ]

    def _nodes(self) -> list[Any]:
        """Every node of the network, once."""
        found: dict[int, Any] = {}
        stack = [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) not in found:
                found[id(node)] = node
                stack.extend(child.node for child in node.children)
        return list(found.values())

    def reset(self) -> None:
        for node in self.memories:
            node._reset()

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list, list]:
        if deleting is not None:
            for fact in deleting:
                self.root_node.remove(fact)
        if adding is not None:
            for fact in adding:
                self.root_node.add(fact)
        added: list[Any] = []
        removed: list[Any] = []
        if self.dirty:
            for node in self.dirty:
                new, gone = node.get_activations()
                added.extend(new)
                removed.extend(gone)
            self.dirty.clear()
        return added, removed


class FastResetEngine(experta.KnowledgeEngine):
    """A knowledge engine with the strategy, matcher and reset above; the base of every
    compiled engine."""

    __strategy__ = ExactRemovalStrategy
    __matcher__ = _Matcher

    def reset(self, **kwargs: Any) -> None:
        """What KnowledgeEngine.reset does for an engine without deffacts, minus the lookups."""
        self.agenda = Agenda()
        self.facts = FactList()
        self.matcher.reset()
        self._KnowledgeEngine__declare(InitialFact())
        self.running = False


class Box:
    """Hashable by identity, so Experta does not copy the answers into a frozendict."""

    __slots__ = ("data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
