"""Fuzzing the readers as an attacker or a careless editor would.

Case files and rule folders are generated from the question catalogue and the shipped
rules, then broken: wrong types, explicit tags, YAML 1.1 forms, bad encodings, control
characters, deep nesting, oversize input, aliases, duplicate keys, NaN, surrogates,
truncation and flipped bytes. Each input is read in-process (and batches of them through
`triage run` in a real process) and must end in a valid result or a located error: never
another exception, a traceback, an invalid value accepted, or more than 2 seconds (of CPU
time: on a shared machine the wall clock measures the neighbours too).

Two profiles: the quick one runs with the normal suite (a few seconds); the long one,
`uv run pytest -m fuzz tests/test_fuzz.py -s`, runs at least 10,000 case files and 1,000
rule folders and prints its figures (README, "Hardening").
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.evaluate.reference import ReferenceEvaluator
from triage.files import yamlio
from triage.files.cases import read_case
from triage.files.loader import load_knowledge
from triage.model.errors import InputError
from triage.model.knowledge import KnowledgeBase, Question
from triage.model.vocabulary import URGENCY_RANK

pytestmark = pytest.mark.acceptance  # the shipped rules, and the CLI in a real process

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
LIMIT_SECONDS = 2.0
QUICK_CASES, LONG_CASES = 60, 10_000
QUICK_FOLDERS, LONG_FOLDERS = 6, 1_000
FIGURES: Counter[str] = Counter()
SLOWEST: dict[str, float] = {"case": 0.0, "rules": 0.0}

KB = load_knowledge(RULES)


def valid_value(rng: random.Random, question: Question) -> Any:
    if question.type == "bool":
        return rng.random() < 0.5
    if question.type == "enum":
        return rng.choice(question.values)
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else low + 100
    if question.type == "integer":
        return rng.randint(int(low), int(high))
    return round(rng.uniform(low, high), rng.choice([0, 1, 2]))


def valid_case(rng: random.Random, kb: KnowledgeBase) -> dict[str, Any]:
    questions = rng.sample(list(kb.questions.values()), rng.randint(0, 12))
    data: dict[str, Any] = {}
    if rng.random() < 0.5:
        data["title"] = rng.choice(["Sore after squats", "on", "055", "yes", "Day 2: worse"])
    data["answers"] = {q.id: valid_value(rng, q) for q in questions}
    if rng.random() < 0.5:
        data["expect"] = {
            "urgency": rng.choice(list(URGENCY_RANK)),
            "includes": rng.sample(sorted(kb.recommendations), 2),
        }
    return data


# Forms that must never be accepted as a value, with what makes them bad.
REFUSED_SCALARS = [
    "!!int abc", "!!int ''", "!!float x", "!!bool maybe", "!!set {a, b}", "!!binary aGk=",
    "!!timestamp 2020-01-01", "!!python/object:os.system x", "!foo bar", "055", "0x1e", "0o17",
    "1:05", "1_0", "on", "off", "On", ".nan", ".NaN", ".inf", "-.inf", "1e400",
    "1" + "0" * 400, "9" * 5000, "&a [*a]", "[1, 2]", "{x: 1}",
]  # fmt: skip


def _answer_line(text: str, fact: str, value: str) -> str:
    text = text.replace("answers: {}\n", "answers:\n", 1)
    return text.replace("answers:\n", f"answers:\n  {fact}: {value}\n", 1)


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


Mutation = Callable[[random.Random, str], bytes]


def m_refused_scalar(rng: random.Random, text: str) -> bytes:
    fact = rng.choice([q for q in KB.questions if KB.questions[q].type != "enum"])
    return _answer_line(text, fact, rng.choice(REFUSED_SCALARS)).encode()


def m_wrong_type(rng: random.Random, text: str) -> bytes:
    question = rng.choice(list(KB.questions.values()))
    wrong = {"bool": ["maybe", "2", "[true]"], "enum": ["7", "not_a_value", "{a: b}"]}.get(
        question.type, ["'7'", "seven", "[]", "-1000000", "true"]
    )
    return _answer_line(text, question.id, rng.choice(wrong)).encode()


def m_unknown_key(rng: random.Random, text: str) -> bytes:
    where = rng.choice(["answers:\n", "expect:\n", ""])
    text = text.replace("answers: {}\n", "answers:\n", 1)
    if where and where in text:
        return text.replace(where, where + "  sadle_numbness: true\n", 1).encode()
    return (text + "extra: 1\n").encode()


def m_duplicate_key(rng: random.Random, text: str) -> bytes:
    return _answer_line(_answer_line(text, "age", "30"), "age", "31").encode()


def m_deep(rng: random.Random, text: str) -> bytes:
    depth = rng.choice([65, 1_000, 40_000])
    body = rng.choice(["[" * depth + "]" * depth, "{a: " * depth + "1" + "}" * depth])
    if rng.random() < 0.3:
        return (
            text + "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(depth % 200 + 65))
        ).encode()
    return (text + "title: " + body + "\n").encode()


def m_alias_bomb(rng: random.Random, text: str) -> bytes:
    lines = ["expect:", "  includes: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  k{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return (text.split("expect:")[0] + "\n".join(lines) + "\n").encode()


def m_encoding(rng: random.Random, text: str) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:
        return text.encode("utf-16")
    if choice == 1:
        return text.encode() + b"title: caf\xe9\n"
    if choice == 2:
        index = rng.randrange(len(text) + 1)
        return (
            text[:index] + rng.choice(["\x00", "\x07", "\x1b", "\x7f", "\ufffe"]) + text[index:]
        ).encode("utf-8", "surrogatepass")
    if choice == 3:
        return ('title: "\\ud800"\n' + text.split("\n", 1)[-1]).encode()
    return (text + 'title: "\\ud83d"\n').encode()


def m_oversize(rng: random.Random, text: str) -> bytes:
    return (text + "# " + "x" * (yamlio.MAX_FILE_BYTES + 10) + "\n").encode()


def m_truncate(rng: random.Random, text: str) -> bytes:
    return text.encode()[: rng.randrange(len(text.encode()) + 1)]


def m_flip(rng: random.Random, text: str) -> bytes:
    data = bytearray(text.encode())
    for _ in range(rng.randint(1, 4)):
        if data:
            data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def m_none(rng: random.Random, text: str) -> bytes:
    return text.encode()


# (mutation, must it be refused?) Random damage may leave a valid file; the rest may not.
MUTATIONS: list[tuple[Mutation, bool]] = [
    (m_refused_scalar, True), (m_wrong_type, True), (m_unknown_key, True),
    (m_duplicate_key, True), (m_deep, True), (m_alias_bomb, True), (m_encoding, True),
    (m_truncate, False), (m_flip, False), (m_none, False),
]  # fmt: skip


def check_case_input(path: Path, must_refuse: bool, original: dict[str, Any] | None) -> str:
    """Read one case in-process; return `accepted` or `refused`, asserting the contract."""
    start = time.process_time()
    try:
        case = read_case(str(path), KB)
    except InputError as err:
        for problem in err.problems:
            assert str(problem).startswith(str(path)), problem
        outcome = "refused"
    else:
        assert not must_refuse, f"accepted: {path.read_bytes()[:300]!r}"
        for fact, value in case.answers.items():
            assert KB.questions[fact].accepts(value), (fact, value)
        if original is not None:  # untouched: read exactly as written, nothing reinterpreted
            assert dict(case.answers) == original["answers"]
            assert case.title == original.get("title", "")
        REFERENCE.evaluate(case.answers)
        outcome = "accepted"
    elapsed = time.process_time() - start
    SLOWEST["case"] = max(SLOWEST["case"], elapsed)
    assert elapsed < LIMIT_SECONDS, f"{elapsed:.2f} s for {path}"
    return outcome


REFERENCE = ReferenceEvaluator(KB)


def one_case(rng: random.Random, folder: Path, number: int) -> tuple[Path, bool, dict | None]:
    data = valid_case(rng, KB)
    mutation, must_refuse = rng.choice(MUTATIONS)
    if mutation is m_refused_scalar and rng.random() < 0.02:
        mutation = m_oversize
    raw = mutation(rng, _dump(data))
    path = folder / f"case-{number:05d}.yaml"
    path.write_bytes(raw)
    FIGURES[mutation.__name__] += 1
    return path, must_refuse, data if mutation is m_none else None


def run_cases(seed: int, count: int, folder: Path) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    made = [one_case(rng, folder, n) for n in range(count)]
    for path, must_refuse, original in made:
        FIGURES[check_case_input(path, must_refuse, original)] += 1
    FIGURES["case files"] += count
    # The same files through the real command: one process, both workers, JSON lines.
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "triage",
            "run",
            str(folder),
            "--format",
            "jsonl",
            "--jobs",
            "2",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=60 + count * LIMIT_SECONDS / 10,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    assert "Traceback" not in done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == count
    for result, (path, must_refuse, _) in zip(results, made, strict=True):
        assert result["case"] == str(path)
        if result["status"] == "error":
            assert all(e["location"].startswith(str(path)) for e in result["errors"])
        else:
            assert not must_refuse
    FIGURES["cli seconds"] += round(time.perf_counter() - start)


# -- rule folders ----------------------------------------------------------------------


def m_rules_structure(rng: random.Random, text: str) -> bytes:
    lines = text.splitlines(keepends=True)
    index = rng.randrange(len(lines))
    action = rng.randrange(4)
    if action == 0:
        del lines[index]
    elif action == 1:
        lines.insert(index, lines[rng.randrange(len(lines))])
    elif action == 2:
        lines[index] = lines[index].replace(": ", ": !!int ", 1)
    else:
        key, _, _ = lines[index].partition(":")
        lines[index] = f"{key}: {rng.choice([*REFUSED_SCALARS, '', '[]', '{}', 'x'])}\n"
    return "".join(lines).encode()


RULE_MUTATIONS: list[Mutation] = [
    m_rules_structure, m_rules_structure, m_flip, m_truncate, m_encoding, m_deep,
]  # fmt: skip


def check_rule_folder(rng: random.Random, folder: Path) -> str:
    shutil.copytree(RULES, folder)
    target = rng.choice(sorted(folder.glob("*.yaml")))
    mutation = rng.choice(RULE_MUTATIONS)
    target.write_bytes(mutation(rng, target.read_text(encoding="utf-8")))
    start = time.process_time()
    try:
        kb = load_knowledge(folder)
    except InputError as err:
        for problem in err.problems:
            assert str(problem).startswith(str(folder)), problem
        outcome = "rules refused"
    else:
        for rule in kb.rules:
            for test in _numeric_tests(rule.when):
                assert test.value == test.value and abs(test.value) != float("inf")
        outcome = "rules accepted"
    elapsed = time.process_time() - start
    SLOWEST["rules"] = max(SLOWEST["rules"], elapsed)
    assert elapsed < LIMIT_SECONDS, f"{elapsed:.2f} s for {target}"
    shutil.rmtree(folder)
    return outcome


def _numeric_tests(cond: Any) -> list[Any]:
    from triage.evaluate.answer_space import fact_tests

    return [t for t in fact_tests(cond) if isinstance(t.value, int | float) and t.op != "in"]


# -- the two profiles ------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1))
def test_quick_fuzz_of_case_files(tmp_path_factory, seed: int) -> None:
    run_cases(seed, QUICK_CASES // 2, tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=QUICK_FOLDERS, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1))
def test_quick_fuzz_of_rule_folders(tmp_path_factory, seed: int) -> None:
    check_rule_folder(random.Random(seed), tmp_path_factory.mktemp("rules") / "rules")


@pytest.mark.fuzz
def test_long_fuzz_profile(tmp_path) -> None:
    FIGURES.clear()
    start = time.perf_counter()
    for batch in range(LONG_CASES // 500):
        run_cases(1_000 + batch, 500, tmp_path / f"cases-{batch}")
        shutil.rmtree(tmp_path / f"cases-{batch}")
    rng = random.Random(7)
    for number in range(LONG_FOLDERS):
        FIGURES[check_rule_folder(rng, tmp_path / f"rules-{number}")] += 1
    FIGURES["rule folders"] += LONG_FOLDERS
    print(f"\nlong fuzz profile, {time.perf_counter() - start:.0f} s:")
    for name, count in sorted(FIGURES.items()):
        print(f"  {name:24} {count:>7,}")
    print(f"  slowest case file       {SLOWEST['case']:.3f} s of CPU")
    print(f"  slowest rule folder     {SLOWEST['rules']:.3f} s of CPU")
    print("  tracebacks 0, crashes 0, over 2 s 0, invalid accepted 0 (each asserted)")
