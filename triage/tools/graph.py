"""The rule network as a graph: questions and findings feed rules, rules conclude.

Nodes are the facts (questions) rules read, the rules, the findings, the recommendations and
the urgency levels rules set; items no rule touches are left out (`triage check` lists them).
Edges run fact -> rule and finding -> rule (labelled with the test, `not` when the rule
needs the input to be false or absent), and rule -> finding, rule -> recommendation and
rule -> urgency. Red-flag rules are marked so a renderer can colour them.

The graph is plain data; Mermaid, DOT and JSON are three renderings of it. Node ids are
sanitised once, so both text syntaxes accept them (rule ids are kebab-case, which neither
takes bare).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from triage.model.conditions import Condition, FactTest, FindingRef, Not, render
from triage.model.errors import InputError, Location, Problem, closest
from triage.model.knowledge import KnowledgeBase, Rule
from triage.model.vocabulary import URGENCY_LEVELS

FACT, RULE, FINDING, RECOMMENDATION, URGENCY = (
    "fact",
    "rule",
    "finding",
    "recommendation",
    "urgency",
)
KINDS = (FACT, RULE, FINDING, RECOMMENDATION, URGENCY)
_PREFIX = {FACT: "q_", RULE: "r_", FINDING: "f_", RECOMMENDATION: "rec_", URGENCY: "u_"}


@dataclass(frozen=True)
class Node:
    key: str  # "kind:name", unique and stable, used in JSON
    kind: str
    name: str
    label: str
    red_flag: bool = False


@dataclass(frozen=True)
class Edge:
    source: str  # node keys
    target: str
    label: str = ""
    negated: bool = False


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    focus: str | None = None  # the rule of a neighbourhood graph

    def ids(self) -> dict[str, str]:
        """Node key -> an id valid in Mermaid and DOT, unique, stable across runs."""
        taken: set[str] = set()
        ids = {}
        for node in self.nodes:
            base = _PREFIX[node.kind] + re.sub(r"[^A-Za-z0-9_]", "_", node.name)
            candidate, n = base, 1
            while candidate in taken:
                n += 1
                candidate = f"{base}_{n}"
            taken.add(candidate)
            ids[node.key] = candidate
        return ids


def _key(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def _reads(cond: Condition, negated: bool = False) -> Iterator[tuple[Condition, bool]]:
    """Every fact test and finding reference, with whether it sits under an odd `not`."""
    if isinstance(cond, FactTest | FindingRef):
        yield cond, negated
        return
    inner = not negated if isinstance(cond, Not) else negated
    for child in cond.children():
        yield from _reads(child, inner)


def _inputs(rule: Rule) -> list[Edge]:
    target = _key(RULE, rule.id)
    facts: dict[str, list[tuple[str, bool]]] = {}
    findings: dict[str, list[bool]] = {}
    for item, negated in _reads(rule.when):
        if isinstance(item, FactTest):
            test = render(item)[len(item.fact) + 1 :]
            facts.setdefault(item.fact, []).append((test, negated))
        else:
            assert isinstance(item, FindingRef)
            findings.setdefault(item.name, []).append(negated)
    edges = []
    for fact, tests in facts.items():
        shown = list(dict.fromkeys(f"not ({test})" if neg else test for test, neg in tests))
        edges.append(
            Edge(
                _key(FACT, fact),
                target,
                " / ".join(shown),
                all(neg for _, neg in tests),
            )
        )
    for name, flags in findings.items():
        negated = all(flags)
        edges.append(Edge(_key(FINDING, name), target, "not" if negated else "", negated))
    return edges


def _outputs(rule: Rule) -> list[Edge]:
    source = _key(RULE, rule.id)
    edges = [Edge(source, _key(FINDING, name)) for name in rule.findings]
    edges += [Edge(source, _key(RECOMMENDATION, rec)) for rec in rule.recommend]
    if rule.urgency:
        edges.append(Edge(source, _key(URGENCY, rule.urgency)))
    return edges


def build_graph(kb: KnowledgeBase, rule_id: str | None = None) -> Graph:
    """The whole network, or with `rule_id` one rule's neighbourhood: the rule, everything
    that feeds it (including, transitively, the rules concluding the findings it reads), and
    what it concludes."""
    if rule_id is None:
        rules = list(kb.rules)
        edges = [edge for rule in rules for edge in (*_inputs(rule), *_outputs(rule))]
    else:
        if rule_id not in kb.rule_by_id:
            raise InputError(
                Problem(
                    Location("--rule"),
                    f"unknown rule id `{rule_id}`; expected one of the {len(kb.rules)} rule "
                    f"ids in {kb.root}",
                    closest(rule_id, kb.rule_by_id),
                    code="I302",
                )
            )
        edges = _neighbourhood(kb, kb.rule_by_id[rule_id])
    return _assemble(kb, edges, rule_id)


def _neighbourhood(kb: KnowledgeBase, focus: Rule) -> list[Edge]:
    producers: dict[str, list[Rule]] = {}
    for rule in kb.rules:
        for name in rule.findings:
            producers.setdefault(name, []).append(rule)
    upstream: dict[str, Rule] = {}
    needed: set[str] = set()
    queue = [focus]
    while queue:
        rule = queue.pop()
        for name in rule.when.findings():
            if name in needed:
                continue
            needed.add(name)
            for producer in producers.get(name, []):
                if producer.id != focus.id and producer.id not in upstream:
                    upstream[producer.id] = producer
                    queue.append(producer)
    edges: list[Edge] = []
    for rule in kb.rules:  # evaluation order keeps the output stable
        if rule.id == focus.id:
            edges += _inputs(rule) + _outputs(rule)
        elif rule.id in upstream:
            edges += _inputs(rule)
            edges += [
                Edge(_key(RULE, rule.id), _key(FINDING, n)) for n in rule.findings if n in needed
            ]
    return edges


def _assemble(kb: KnowledgeBase, edges: list[Edge], focus: str | None) -> Graph:
    used = {edge.source for edge in edges} | {edge.target for edge in edges}
    if focus is not None:
        used.add(_key(RULE, focus))
    nodes = []
    for fact, question in kb.questions.items():
        if _key(FACT, fact) in used:
            nodes.append(Node(_key(FACT, fact), FACT, fact, question.id))
    for rule in kb.rules:
        if _key(RULE, rule.id) in used:
            nodes.append(
                Node(
                    _key(RULE, rule.id), RULE, rule.id, f"{rule.id}\n{rule.title}", rule.is_red_flag
                )
            )
    seen_findings: dict[str, None] = {}
    for rule in kb.rules:
        for name in (*rule.findings, *rule.when.findings()):
            if _key(FINDING, name) in used:
                seen_findings.setdefault(name)
    nodes += [Node(_key(FINDING, name), FINDING, name, name) for name in seen_findings]
    for rec_id, rec in kb.recommendations.items():
        if _key(RECOMMENDATION, rec_id) in used:
            nodes.append(
                Node(
                    _key(RECOMMENDATION, rec_id),
                    RECOMMENDATION,
                    rec_id,
                    f"{rec_id}\n{rec.category}",
                )
            )
    for level in URGENCY_LEVELS:
        if _key(URGENCY, level) in used:
            nodes.append(Node(_key(URGENCY, level), URGENCY, level, level))
    return Graph(nodes, edges, focus)


# -- renderings -----------------------------------------------------------------------
