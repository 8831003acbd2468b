"""Reads `rules/*.yaml` into a KnowledgeBase, checking schema and cross-references.

Every problem is collected with its file:line:column before anything is raised, so a trainer
sees all mistakes of an edit at once rather than one per run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from triage.files import yamlio
from triage.files.schema import Validator
from triage.model.conditions import All, AnyOf, AtLeast, Condition, FactTest, FindingRef, Not
from triage.model.errors import InputError, Location, Problem, closest
from triage.model.knowledge import (
    Checklist,
    ChecklistItem,
    FollowUp,
    Headline,
    Invariant,
    KnowledgeBase,
    Outcome,
    Pattern,
    Question,
    Recommendation,
    Region,
    Rule,
    SafetyNetItem,
)
from triage.model.values import quoted_value
from triage.model.vocabulary import CATEGORIES

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")
RESULT_PLACEHOLDERS = ("date", "day")  # filled when a result is shown, not at load time

KINDS = {
    "questions": "questions.schema.json",
    "recommendations": "recommendations.schema.json",
    "rules": "rules.schema.json",
    "invariants": "invariants.schema.json",
    "notice": "notices.schema.json",
    "follow_up": "follow_up.schema.json",
}
NUMERIC_OPS = ("gt", "gte", "lt", "lte")


def default_rules_dir() -> Path:
    """The knowledge base shipped with the package (a checkout's `rules/` when run from one)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "knowledge_base"
    return packaged if packaged.is_dir() else here.parent / "rules"


class _Source:
    """One parsed file, able to turn a path inside it into a location."""

    def __init__(self, name: str, data: Any, text: str) -> None:
        self.name, self.data, self.text = name, data, text

    def at(self, *path: str | int) -> Location:
        return yamlio.locate(self.text, self.name, path)


class _Builder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self.questions: dict[str, Question] = {}
        self.recommendations: dict[str, Recommendation] = {}
        self.rules: list[Rule] = []
        self.invariants: list[Invariant] = []
        self.safety_net: list[SafetyNetItem] = []
        self.notice: str | None = None
        self.checklists: list[Checklist] = []
        self.checklist_sources: list[tuple[_Source, int]] = []
        self.regions: dict[str, Region] = {}
        self.default_region: tuple[str, Location] | None = None
        self.headlines: dict[str, Headline] = {}
        self.patterns: list[Pattern] = []
        self.notice_location: Location | None = None
        self.follow_up: FollowUp | None = None
        self.pending: list[tuple[str, _Source, Any]] = []
        # Kinds with a file that failed validation: references into them are not checked,
        # so one typo in a catalogue does not cascade into a page of "unknown" errors.
        self.broken: set[str] = set()

    def problem(
        self, location: Location, message: str, suggestion: str | None = None, *, code: str
    ) -> None:
        self.problems.append(Problem(location, message, suggestion, code=code))

    # -- files -------------------------------------------------------------------------

    def read(self, path: Path) -> None:
        name = _display(path)
        try:
            data, text = yamlio.read(path, name)
        except InputError as err:
            self.problems.extend(err.problems)
            return
        source = _Source(name, data, text)
        if not isinstance(data, dict):
            self.problem(source.at(), "expected a mapping at the top of the file", code="I307")
            return
        kinds = [key for key in KINDS if key in data]
        if len(kinds) != 1:
            keys = ", ".join(f"`{k}`" for k in KINDS)
            what = "none" if not kinds else ", ".join(f"`{k}`" for k in kinds)
            first = next(iter(data), "")
            self.problem(
                source.at(yamlio.key(str(first))) if first else source.at(),
                f"a knowledge file holds exactly one of {keys} at the top; found {what}",
                closest(str(first), KINDS) if not kinds else None,
                code="I307",
            )
            return
        kind = kinds[0]
        errors = Validator(KINDS[kind]).validate(data)
        for error in errors:
            where = list(error.path)
            if error.on_key and where:
                where[-1] = yamlio.key(str(where[-1]))
            self.problem(source.at(*where), error.message, error.suggestion, code=error.code)
        if errors:
            self.broken.add(kind)
            return
        self.pending.append((kind, source, data))

    def build_items(self) -> None:
        """Catalogues first, so rules and invariants can be checked against them."""
        order = ["questions", "recommendations", "notice", "rules", "invariants", "follow_up"]
        for kind in order:
            for item_kind, source, data in self.pending:
                if item_kind == kind:
                    getattr(self, f"_build_{kind}")(source, data)

    # -- catalogues --------------------------------------------------------------------

    def _build_questions(self, source: _Source, data: dict) -> None:
        for index, raw in enumerate(data["questions"]):
            loc = source.at("questions", index)
            qid = raw["id"]
            if qid in self.questions:
                self.problem(
                    source.at("questions", index, "id"),
                    f"question `{qid}` is defined twice (first at {self.questions[qid].location})",
                    code="I301",
                )
                continue
            kind = raw["type"]
            values = tuple(raw.get("values", ()))
            if kind == "enum" and not values:
                self.problem(
                    loc, f"question `{qid}` is an enum; expected a `values` list", code="I304"
                )
            if kind != "enum" and values:
                self.problem(
                    source.at("questions", index, "values"),
                    f"`values` only applies to enum questions; `{qid}` is {kind}",
                    code="I304",
                )
            low, high = raw.get("min"), raw.get("max")
            if kind in ("bool", "enum") and (low is not None or high is not None):
                self.problem(
                    loc,
                    f"`min`/`max` only apply to numeric questions; `{qid}` is {kind}",
                    code="I304",
                )
            if low is not None and high is not None and low > high:
                self.problem(loc, f"`min` ({low}) is above `max` ({high})", code="I304")
            for label in raw.get("labels", {}):
                if label not in values:
                    self.problem(
                        source.at("questions", index, "labels", yamlio.key(label)),
                        f"label for unknown value `{label}`",
                        closest(label, values),
                        code="I302",
                    )
            self.questions[qid] = Question(
                id=qid,
                prompt=raw["prompt"],
                type=kind,
                group=raw["group"],
                help=raw["help"],
                why=raw["why"],
                location=loc,
                values=values,
                labels=MappingProxyType(dict(raw.get("labels", {}))),
                min=low,
                max=high,
                unit=raw.get("unit", ""),
                words=MappingProxyType({k.lower(): v for k, v in raw.get("words", {}).items()}),
            )
        for index, raw in enumerate(data.get("checklists", ())):
            self.checklists.append(
                Checklist(
                    id=raw["id"],
                    prompt=raw["prompt"],
                    help=raw["help"],
                    items=tuple(
                        ChecklistItem(i["fact"], i["text"], " ".join(i.get("heading", "").split()))
                        for i in raw["items"]
                    ),
                    location=source.at("checklists", index),
                    unchecked=" ".join(raw.get("unchecked", "").split()),
                    unchecked_one=" ".join(raw.get("unchecked_one", "").split()),
                    why=" ".join(raw.get("why", "").split()),
                )
            )
            self.checklist_sources.append((source, index))

    def _build_recommendations(self, source: _Source, data: dict) -> None:
        for index, raw in enumerate(data["recommendations"]):
            rid = raw["id"]
            if rid in self.recommendations:
                self.problem(
                    source.at("recommendations", index, "id"),
                    f"recommendation `{rid}` is defined twice (first at "
                    f"{self.recommendations[rid].location})",
                    code="I301",
                )
                continue
            self.recommendations[rid] = Recommendation(
                id=rid,
                category=raw["category"],
                title=raw["title"],
                text=raw["text"].strip(),
                source=raw["source"],
                location=source.at("recommendations", index),
                steps=tuple(raw.get("steps", ())),
                max_urgency=raw.get("max_urgency"),
                displaced_by=tuple(raw.get("displaced_by", ())),
                priority=raw.get("priority"),
            )
        for index, raw in enumerate(data["recommendations"]):
            for pos, ref in enumerate(raw.get("displaced_by", ())):
                self._check_rec_ref(
                    ref, source.at("recommendations", index, "displaced_by", pos), ids_only=False
                )

    def _build_notice(self, source: _Source, data: dict) -> None:
        if self.notice is not None:
            self.problem(
                source.at(yamlio.key("notice")),
                f"the notice is defined twice (first at {self.notice_location})",
                code="I301",
            )
            return
        self.notice, self.notice_location = data["notice"].strip(), source.at("notice")
        seen = {item.id for item in self.safety_net}
        for index, raw in enumerate(data["safety_net"]):
            if raw["id"] in seen:
                self.problem(
                    source.at("safety_net", index, "id"),
                    f"safety-net item `{raw['id']}` is defined twice",
                    code="I301",
                )
                continue
            seen.add(raw["id"])
            self.safety_net.append(
                SafetyNetItem(
                    id=raw["id"],
                    text=raw["text"].strip(),
                    location=source.at("safety_net", index),
                    urgency=tuple(raw.get("urgency", ())),
                    source=raw.get("source", ""),
                    in_details=raw.get("in_details", False),
                )
            )

        self._build_result_words(source, data)

    def _build_result_words(self, source: _Source, data: dict) -> None:
        """Regions, headlines and patterns: the words a result screen is made of."""
        for index, raw in enumerate(data.get("regions", ())):
            if raw["id"] in self.regions:
                self.problem(
                    source.at("regions", index, "id"),
                    f"region `{raw['id']}` is defined twice",
                    code="I301",
                )
                continue
            self.regions[raw["id"]] = Region(
                raw["id"],
                raw["name"],
                MappingProxyType(dict(raw["words"])),
                source.at("regions", index),
            )
        words = [set(region.words) for region in self.regions.values()]
        for region in self.regions.values():
            missing = set().union(*words) - set(region.words)
            if missing:
                self.problem(
                    source.at("regions", list(self.regions).index(region.id), "words"),
                    f"region `{region.id}` has no words for "
                    + ", ".join(f"`{name}`" for name in sorted(missing))
                    + "; every region needs the same placeholders",
                    code="I304",
                )
        if "default_region" in data:
            self.default_region = (data["default_region"], source.at("default_region"))
        for urgency, raw in data.get("headlines", {}).items():
            self.headlines[urgency] = Headline(
                urgency,
                " ".join(raw["text"].split()),
                source.at("headlines", yamlio.key(urgency)),
                raw.get("days_from_today"),
                " ".join(raw.get("because", "").split()),
                " ".join(raw.get("short", "").split()),
            )
        for index, raw in enumerate(data.get("patterns", ())):
            self.patterns.append(
                Pattern(
                    text=" ".join(raw["text"].split()),
                    location=source.at("patterns", index),
                    finding=raw.get("finding"),
                    urgency=raw.get("urgency"),
                    checkpoint_day=raw.get("checkpoint_day"),
                )
            )

    def _check_checklists(self) -> None:
        """Checklist items must be yes/no questions, each on one checklist at most."""
        if "questions" in self.broken:
            return
        seen: dict[str, str] = {}
        ids: set[str] = set()
        for checklist, (source, index) in zip(self.checklists, self.checklist_sources, strict=True):
            if checklist.id in ids:
                self.problem(
                    source.at("checklists", index, "id"),
                    f"checklist `{checklist.id}` is defined twice",
                    code="I301",
                )
            ids.add(checklist.id)
            for pos, item in enumerate(checklist.items):
                loc = source.at("checklists", index, "items", pos, "fact")
                question = self.questions.get(item.fact)
                if question is None:
                    self.problem(
                        loc,
                        f"unknown fact `{item.fact}`",
                        closest(item.fact, self.questions),
                        code="I302",
                    )
                elif question.type != "bool":
                    self.problem(
                        loc,
                        f"checklist items are yes/no questions; `{item.fact}` is {question.type}",
                        code="I304",
                    )
                if item.fact in seen:
                    self.problem(
                        loc,
                        f"`{item.fact}` is already on the checklist `{seen[item.fact]}`",
                        code="I301",
                    )
                seen[item.fact] = checklist.id

    def _build_follow_up(self, source: _Source, data: dict) -> None:
        raw = data["follow_up"]
        if self.follow_up is not None:
            self.problem(
                source.at(yamlio.key("follow_up")),
                f"`follow_up` is defined twice (first at {self.follow_up.location})",
                code="I301",
            )
            return
        known = "questions" not in self.broken

        def fact(key: str, types: tuple[str, ...]) -> Question | None:
            qid = raw[key]
            question = self.questions.get(qid)
            if question is None:
                if known:
                    self.problem(
                        source.at("follow_up", key),
                        f"unknown fact `{qid}`",
                        closest(qid, self.questions),
                        code="I302",
                    )
                return None
            if question.type not in types:
                self.problem(
                    source.at("follow_up", key),
                    f"`{key}` needs a {' or '.join(types)} question; `{qid}` is {question.type}",
                    code="I304",
                )
            return question

        fact("onset", ("integer",))
        fact("severity", ("integer", "number"))
        trend = fact("trend", ("enum",))
        if trend is not None:
            for name, value in raw["trend_values"].items():
                if value not in trend.values:
                    self.problem(
                        source.at("follow_up", "trend_values", name),
                        f"`{value}` is not a value of `{trend.id}`; expected one of "
                        + ", ".join(trend.values),
                        closest(value, trend.values),
                        code="I303",
                    )
        for index, qid in enumerate(raw["carry_over"]):
            question = self.questions.get(qid)
            loc = source.at("follow_up", "carry_over", index)
            if question is None:
                if known:
                    self.problem(
                        loc, f"unknown fact `{qid}`", closest(qid, self.questions), code="I302"
                    )
            elif question.group == "red_flag":
                self.problem(
                    loc,
                    f"`{qid}` is a warning sign; warning signs are asked again at every check-in",
                    code="I304",
                )
            elif qid in (raw["onset"], raw["severity"], raw["trend"]):
                self.problem(
                    loc,
                    f"`{qid}` changes at every check-in; it cannot be carried over",
                    code="I304",
                )
        self.follow_up = FollowUp(
            onset=raw["onset"],
            severity=raw["severity"],
            trend=raw["trend"],
            trend_values=MappingProxyType(dict(raw["trend_values"])),
            trend_change=raw["trend_change"],
            carry_over=tuple(raw["carry_over"]),
            close_after_days=raw["close_after_days"],
            recheck_within_days=MappingProxyType(dict(raw["recheck_within_days"])),
            source=raw["source"],
            location=source.at("follow_up"),
        )

    # -- rules and invariants ----------------------------------------------------------

    def _build_rules(self, source: _Source, data: dict) -> None:
        known = {rule.id: rule for rule in self.rules}
        for index, raw in enumerate(data["rules"]):
            rule_id = raw["id"]
            if rule_id in known:
                self.problem(
                    source.at("rules", index, "id"),
                    f"rule `{rule_id}` is defined twice (first at {known[rule_id].location})",
                    code="I301",
                )
                continue
            then = raw["then"]
            if not then:
                self.problem(
                    source.at("rules", index, "then"),
                    "a rule must conclude something; expected `urgency`, `recommend` or `findings`",
                    code="I304",
                )
            when = self.condition(raw["when"], source, ("rules", index, "when"))
            for pos, ref in enumerate(then.get("recommend", ())):
                self._check_rec_ref(
                    ref, source.at("rules", index, "then", "recommend", pos), ids_only=True
                )
            rule = Rule(
                id=rule_id,
                area=raw["area"],
                title=raw["title"],
                when=when,
                source=raw["source"],
                location=source.at("rules", index),
                urgency=then.get("urgency"),
                recommend=tuple(then.get("recommend", ())),
                findings=tuple(then.get("findings", ())),
                note=raw.get("note", ""),
            )
            known[rule_id] = rule
            self.rules.append(rule)

    def _build_invariants(self, source: _Source, data: dict) -> None:
        seen: dict[str, Location] = {inv.id: inv.location for inv in self.invariants}
        for index, raw in enumerate(data["invariants"]):
            if raw["id"] in seen:
                self.problem(
                    source.at("invariants", index, "id"),
                    f"invariant `{raw['id']}` is defined twice (first at {seen[raw['id']]})",
                    code="I301",
                )
                continue
            loc = source.at("invariants", index)
            seen[raw["id"]] = loc
            when = None
            if "when" in raw:
                when = self.condition(raw["when"], source, ("invariants", index, "when"))
            outcomes = {}
            for part in ("when_result", "require"):
                if part in raw:
                    outcomes[part] = self._outcome(raw[part], source, ("invariants", index, part))
            self.invariants.append(
                Invariant(
                    id=raw["id"],
                    description=raw["description"],
                    require=outcomes["require"],
                    location=loc,
                    when=when,
                    when_result=outcomes.get("when_result"),
                    source=raw.get("source", ""),
                )
            )

    def _outcome(self, raw: dict, source: _Source, path: tuple) -> Outcome:
        for key in ("includes", "excludes"):
            for pos, ref in enumerate(raw.get(key, ())):
                self._check_rec_ref(ref, source.at(*path, key, pos), ids_only=False)
        return Outcome(
            urgency=raw.get("urgency"),
            urgency_at_least=raw.get("urgency_at_least"),
            urgency_at_most=raw.get("urgency_at_most"),
            includes=tuple(raw.get("includes", ())),
            excludes=tuple(raw.get("excludes", ())),
        )

    def _check_rec_ref(self, ref: str, loc: Location, ids_only: bool) -> None:
        if ref in self.recommendations or (not ids_only and ref in CATEGORIES):
            return
        if "recommendations" in self.broken:
            return
        names = list(self.recommendations) + ([] if ids_only else list(CATEGORIES))
        what = "recommendation id" if ids_only else "recommendation id or category"
        self.problem(loc, f"unknown {what} `{ref}`", closest(ref, names), code="I302")

    # -- conditions --------------------------------------------------------------------

    def condition(self, raw: dict, source: _Source, path: tuple) -> Condition:
        if "all" in raw:
            return All(self._items(raw["all"], source, (*path, "all")))
        if "any" in raw:
            return AnyOf(self._items(raw["any"], source, (*path, "any")))
        if "not" in raw:
            return Not(self.condition(raw["not"], source, (*path, "not")))
        if "at_least" in raw:
            items = self._items(raw["of"], source, (*path, "of"))
            if raw["at_least"] > len(items):
                self.problem(
                    source.at(*path, "at_least"),
                    f"at_least {raw['at_least']} of only {len(items)} conditions can never hold",
                    code="I304",
                )
            return AtLeast(raw["at_least"], items)
        if "finding" in raw:
            return FindingRef(raw["finding"])
        return self._fact_test(raw, source, path)

    def _items(self, raw: list, source: _Source, path: tuple) -> tuple[Condition, ...]:
        return tuple(self.condition(item, source, (*path, i)) for i, item in enumerate(raw))

    def _fact_test(self, raw: dict, source: _Source, path: tuple) -> Condition:
        fact = raw["fact"]
        question = self.questions.get(fact)
        if question is None:
            if "questions" in self.broken:
                return FactTest(fact, "unknown")
            self.problem(
                source.at(*path, "fact"),
                f"unknown fact `{fact}`",
                closest(fact, self.questions),
                code="I302",
            )
            return FactTest(fact, "unknown")
        ops = [op for op in ("is", "in", "unknown", *NUMERIC_OPS) if op in raw]
        numeric = [op for op in ops if op in NUMERIC_OPS]
        if not ops or (len(ops) > 1 and len(numeric) != len(ops)):
            self.problem(
                source.at(*path),
                f"a test of `{fact}` needs exactly one of `is`, `in`, "
                "`unknown`, or numeric bounds (`gt`, `gte`, `lt`, `lte`)",
                code="I304",
            )
            return FactTest(fact, "unknown")
        if numeric:
            if question.type not in ("integer", "number"):
                self.problem(
                    source.at(*path, numeric[0]),
                    f"`{numeric[0]}` needs a numeric fact; `{fact}` is {question.type} "
                    f"({question.domain_text()})",
                    code="I304",
                )
            tests = tuple(FactTest(fact, op, raw[op]) for op in numeric)
            return tests[0] if len(tests) == 1 else All(tests)
        op = ops[0]
        if op == "unknown":
            return FactTest(fact, "unknown" if raw["unknown"] else "known")
        values = [raw["is"]] if op == "is" else raw["in"]
        for pos, value in enumerate(values):
            if not question.accepts(value):
                where = (*path, "is") if op == "is" else (*path, "in", pos)
                self.problem(
                    source.at(*where),
                    f"{quoted_value(value)} is outside the domain of `{fact}`; expected "
                    f"{question.domain_text()}",
                    closest(str(value), question.values) if question.values else None,
                    code="I303",
                )
        if op == "is":
            return FactTest(fact, "is", raw["is"])
        return FactTest(fact, "in", frozenset(raw["in"]))

    # -- whole-base checks -------------------------------------------------------------

    def choose_region(self, wanted: str | None) -> Region | None:
        """The region asked for, else the declared default, else the first one declared."""
        if wanted is None and self.default_region is not None:
            wanted, where = self.default_region
            if wanted not in self.regions:
                self.problem(
                    where,
                    f"unknown default region `{wanted}`",
                    closest(wanted, self.regions),
                    code="I302",
                )
                return None
        if wanted is None:
            return next(iter(self.regions.values()), None)
        if wanted not in self.regions:
            known = ", ".join(self.regions) or "none are declared"
            # The mistake is in the command line, not in the rules folder: name the option.
            self.problem(
                Location("--region"),
                f"unknown region `{wanted}`; expected one of: {known}",
                closest(wanted, self.regions),
                code="I302",
            )
            return None
        return self.regions[wanted]

    def fill(self, region: Region | None) -> None:
        """Put the region's words into every text a lifter reads (`{emergency_number}`...)."""
        words = dict(region.words) if region is not None else {}
        known = set(words) | {name for r in self.regions.values() for name in r.words}

        def text(value: str, where: Location, keep: tuple[str, ...] = ()) -> str:
            def swap(match: re.Match[str]) -> str:
                name = match.group(1)
                if name in keep:
                    return match.group(0)
                if name in words:
                    return words[name]
                if name not in known or region is not None:
                    self.problem(
                        where,
                        f"unknown placeholder `{{{name}}}`; expected one of the region words: "
                        + (", ".join(sorted(known)) or "none (no `regions` are declared)"),
                        closest(name, known) if known else None,
                        code="I302",
                    )
                return match.group(0)

            return PLACEHOLDER.sub(swap, value) if "{" in value else value

        for qid, q in list(self.questions.items()):
            self.questions[qid] = replace(
                q,
                prompt=text(q.prompt, q.location),
                help=text(q.help, q.location),
                why=text(q.why, q.location),
            )
        for rid, r in list(self.recommendations.items()):
            self.recommendations[rid] = replace(
                r,
                title=text(r.title, r.location),
                text=text(r.text, r.location),
                steps=tuple(text(step, r.location) for step in r.steps),
            )
        self.safety_net = [replace(i, text=text(i.text, i.location)) for i in self.safety_net]
        if self.notice is not None and self.notice_location is not None:
            self.notice = text(self.notice, self.notice_location)
        self.checklists = [
            replace(
                c,
                prompt=text(c.prompt, c.location),
                help=text(c.help, c.location),
                unchecked=text(c.unchecked, c.location),
                unchecked_one=text(c.unchecked_one, c.location),
                why=text(c.why, c.location),
                items=tuple(
                    replace(
                        i,
                        text=text(i.text, c.location),
                        heading=text(i.heading, c.location, ("numbers",)),
                    )
                    for i in c.items
                ),
            )
            for c in self.checklists
        ]
        self.headlines = {
            u: replace(
                h,
                text=text(h.text, h.location, RESULT_PLACEHOLDERS),
                because=text(h.because, h.location),
                short=text(h.short, h.location),
            )
            for u, h in self.headlines.items()
        }
        self.patterns = [
            replace(p, text=text(p.text, p.location, RESULT_PLACEHOLDERS)) for p in self.patterns
        ]

    def finish(self, files: Sequence[str], region: str | None = None) -> KnowledgeBase:
        self._check_checklists()
        chosen = self.choose_region(region)
        self.fill(chosen)
        if not self.questions and not any(p for p in self.problems):
            self.problem(
                Location(_display(self.root)),
                "no question catalogue found; expected "
                "a YAML file with a top-level `questions` list",
                code="I307",
            )
        if self.notice is None and not self.problems:
            self.problem(
                Location(_display(self.root)),
                "no notice found; expected a YAML file with top-level `notice` and `safety_net`",
                code="I307",
            )
        concluded = {name for rule in self.rules for name in rule.findings}
        for pattern in self.patterns if "rules" not in self.broken else ():
            if pattern.finding is not None and pattern.finding not in concluded:
                self.problem(
                    pattern.location,
                    f"pattern for finding `{pattern.finding}`, which no rule concludes",
                    closest(pattern.finding, concluded),
                    code="I305",
                )
        for rule in self.rules if "rules" not in self.broken else ():
            for name in rule.when.findings():
                if name not in concluded:
                    self.problem(
                        rule.location,
                        f"rule `{rule.id}` uses finding `{name}`, which no rule concludes",
                        closest(name, concluded),
                        code="I305",
                    )
        ordered = self._order_rules() if not self.problems else []
        if self.problems:
            raise InputError(sorted(self.problems, key=lambda p: p.location))
        return KnowledgeBase(
            root=self.root,
            questions=self.questions,
            recommendations=self.recommendations,
            rules=tuple(ordered),
            invariants=tuple(self.invariants),
            safety_net=tuple(self.safety_net),
            notice=self.notice or "",
            files=tuple(files),
            checklists=tuple(self.checklists),
            regions=MappingProxyType(dict(self.regions)),
            region=chosen.id if chosen is not None else None,
            headlines=MappingProxyType(dict(self.headlines)),
            patterns=tuple(self.patterns),
            follow_up=self.follow_up,
        )

    def _order_rules(self) -> list[Rule]:
        """Red flags first, then strata of findings, then file order; reject cycles."""
        producers: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for name in rule.findings:
                producers.setdefault(name, []).append(rule)
        stratum: dict[str, int] = {}
        visiting: list[str] = []

        def depth(rule: Rule) -> int:
            if rule.id in stratum:
                return stratum[rule.id]
            if rule.id in visiting:
                cycle = " -> ".join([*visiting[visiting.index(rule.id) :], rule.id])
                raise _Cycle(rule, cycle)
            visiting.append(rule.id)
            level = 0
            for name in rule.when.findings():
                for producer in producers.get(name, ()):
                    if rule.is_red_flag and not producer.is_red_flag:
                        self.problem(
                            rule.location,
                            f"red-flag rule `{rule.id}` depends on "
                            f"finding `{name}` of non-red-flag rule `{producer.id}`; "
                            "red flags must not wait on training rules",
                            code="I306",
                        )
                    level = max(level, depth(producer) + 1)
            visiting.pop()
            stratum[rule.id] = level
            return level

        try:
            for rule in self.rules:
                depth(rule)
        except _Cycle as cycle:
            self.problem(
                cycle.rule.location,
                f"circular findings: {cycle.path}; a finding cannot depend on itself",
                code="I306",
            )
            return []
        index = {rule.id: i for i, rule in enumerate(self.rules)}
        return sorted(self.rules, key=lambda r: (not r.is_red_flag, stratum[r.id], index[r.id]))


class _Cycle(Exception):
    def __init__(self, rule: Rule, path: str) -> None:
        super().__init__(path)
        self.rule, self.path = rule, path


def _display(path: Path) -> str:
    """Paths relative to the working directory read best in messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def rule_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_knowledge(root: Path | str | None = None, region: str | None = None) -> KnowledgeBase:
    """Load and cross-check a knowledge base directory; raise InputError listing every problem.

    `region` picks whose emergency numbers and service names fill the texts' placeholders
    (default: the base's `default_region`); the texts are filled once here, so every command
    and renderer downstream sees plain words.
    """
    base = Path(root) if root is not None else default_rules_dir()
    if not base.is_dir():
        raise InputError(
            Problem(
                Location(str(base)),
                "rules directory not found; expected a folder of YAML knowledge files",
                code="I101",
            )
        )
    files = rule_files(base)
    if not files:
        raise InputError(
            Problem(Location(str(base)), "no .yaml files in the rules directory", code="I307")
        )
    builder = _Builder(base)
    for path in files:
        builder.read(path)
    builder.build_items()
    return builder.finish([_display(p) for p in files], region)


def rules_version(root: Path | str) -> str:
    """A hash of every knowledge file under `root`: the version of the advice given.

    Reports carry it so a reader can tell exactly which rules produced a piece of advice; it
    covers file names and bytes (not the region chosen), so it changes with any edit and only
    with an edit.
    """
    base = Path(root)
    digest = hashlib.sha256()
    for path in rule_files(base):
        name = path.relative_to(base).as_posix().encode("utf-8")
        data = path.read_bytes()
        digest.update(b"%d:%s:%d:" % (len(name), name, len(data)))
        digest.update(data)
    return "sha256:" + digest.hexdigest()[:16]
