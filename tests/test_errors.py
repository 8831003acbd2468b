"""Every input problem carries a stable code; users and tests match on codes, not wording.

The table of codes lives in `triage.model.errors.CODES` (and, generated from it, in
docs/errors.md). Here each family is provoked with a small bad input and recognised by its
code alone, and the table is held to the source: every code raised is declared, and every
declared code is raised somewhere.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from triage.files import yamlio
from triage.files.cases import parse_case
from triage.files.loader import load_knowledge
from triage.interview import parse_reply
from triage.model.errors import CODES, FAMILIES, InputError, Problem, ReplyError, TriageError

MINI = Path(__file__).parent / "fixtures" / "mini_rules"
PACKAGE = Path(__file__).parent.parent / "triage"


def codes_of(action) -> list[str]:
    with pytest.raises(InputError) as caught:
        action()
    assert isinstance(caught.value, TriageError)
    assert caught.value.code == caught.value.codes[0]
    return caught.value.codes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: 1\na: 2\n", "I105"),
        ("a: [1, 2\n", "I104"),
        ("a: !!python/object:os.system x\n", "I106"),
        ("", "I107"),
        ("# only a comment\n", "I107"),
    ],
)
def test_yaml_problems_have_their_codes(text: str, code: str) -> None:
    assert codes_of(lambda: yamlio.parse(text, "f.yaml")) == [code]


def test_bytes_that_are_not_utf8_are_i103() -> None:
    assert codes_of(lambda: yamlio.decode(b"a: \xff\n", "f.yaml")) == ["I103"]


@pytest.fixture(scope="module")
def mini():
    return load_knowledge(MINI)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("answers: {sadle_numbness: true}\n", ["I401"]),
        ("answers: {age: 500}\n", ["I402"]),
        ("answers: {age: 30}\nexpect: {includes: [plonk]}\n", ["I403"]),
        ("answers: [age]\n", ["I201"]),
        ("title: no answers\n", ["I202"]),
        ("answers: {age: 30}\nexpected: {urgency: self_care}\n", ["I203"]),
        ("answers: {age: 30}\nexpect: {urgency: soon}\n", ["I204"]),
        ("answers: {age: 30}\nexpect: {includes: [plank, plank]}\n", ["I205"]),
        ("answers: {age: 500, sadle_numbness: true}\n", ["I401", "I402"]),
    ],
)
def test_case_file_problems_have_their_codes(mini, text: str, codes: list[str]) -> None:
    assert sorted(codes_of(lambda: parse_case(text, "case.yaml", mini))) == codes


def broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(MINI, rules)
    path = rules / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return rules


@pytest.mark.parametrize(
    ("file", "old", "new", "code"),
    [
        ("rules.yaml", "id: fever", "id: saddle", "I301"),
        ("rules.yaml", "{fact: fever_or_unwell, is: true}", "{fact: fevr, is: true}", "I302"),
        ("rules.yaml", "{fact: fever_or_unwell, is: true}", "{fact: age, is: 500}", "I303"),
        ("rules.yaml", "{fact: fever_or_unwell, is: true}", "{fact: trains_core, gt: 1}", "I304"),
        ("rules.yaml", "- {finding: doms}", "- {finding: dom}", "I305"),
        ("rules.yaml", "{fact: fever_or_unwell, is: true}", "{finding: flagged}", "I306"),
        ("rules.yaml", "area: red_flag", "area: red_flags", "I204"),
    ],
)
def test_knowledge_base_problems_have_their_codes(tmp_path, file, old, new, code) -> None:
    rules = broken_copy(tmp_path, file, old, new)
    assert code in codes_of(lambda: load_knowledge(rules))


def test_a_base_without_a_notice_is_i307(tmp_path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(MINI, rules)
    (rules / "notices.yaml").unlink()
    assert "I307" in codes_of(lambda: load_knowledge(rules))


def test_a_missing_rules_folder_is_i101(tmp_path) -> None:
    assert codes_of(lambda: load_knowledge(tmp_path / "nowhere")) == ["I101"]


@pytest.mark.parametrize(
    ("fact", "reply", "code"),
    [
        ("saddle_numbness", "maybe", "R101"),
        ("pain_location", "lower", "R102"),
        ("age", "old", "R103"),
    ],
)
def test_typed_replies_have_their_codes(mini, fact: str, reply: str, code: str) -> None:
    with pytest.raises(ReplyError) as caught:
        parse_reply(mini.questions[fact], reply)
    assert caught.value.code == code


def test_a_problem_needs_a_declared_code() -> None:
    with pytest.raises(ValueError, match="Z123 is not declared"):
        Problem(yamlio.Location("f"), "message", code="Z123")


def declared_in_source() -> set[str]:
    """Codes passed where errors are raised: `code="I302"`, or as an argument literal."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py" and path.parent.name == "model":
            text = path.read_text().split("def _known", 1)[1]  # the table itself not counted
        else:
            text = path.read_text()
        found.update(re.findall(r"""["']([IRPX][1-9]\d\d)["']""", text))
    return found


def test_every_code_raised_is_declared_and_every_declared_code_is_raised() -> None:
    assert declared_in_source() == set(CODES)


def test_every_code_belongs_to_a_family_and_says_what_it_means() -> None:
    for code, meaning in CODES.items():
        assert re.fullmatch(r"[A-Z][1-9]\d\d", code)
        assert code[:2] in FAMILIES
        assert meaning and meaning[0].islower()
