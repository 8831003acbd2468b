"""The shipped JSON Schemas are valid, agree with our validator, and every YAML file uses one."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from triage.files.schema import Validator

from .conftest import CASES, RULES

SCHEMAS = Path(__file__).resolve().parent.parent / "triage" / "schemas"
MINI = Path(__file__).parent / "fixtures" / "mini_rules"
KIND_SCHEMA = {
    "questions": "questions.schema.json",
    "recommendations": "recommendations.schema.json",
    "rules": "rules.schema.json",
    "invariants": "invariants.schema.json",
    "notice": "notices.schema.json",
    "follow_up": "follow_up.schema.json",
    "answers": "case.schema.json",
}


def registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text())))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def yaml_files() -> list[Path]:
    return sorted([*RULES.rglob("*.yaml"), *CASES.rglob("*.yaml"), *MINI.rglob("*.yaml")])


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.name)
def test_each_schema_is_valid_draft_2020_12(path: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.acceptance
@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_file_validates_against_its_schema_in_both_validators(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    kind = next(key for key in KIND_SCHEMA if key in data)
    schema_name = KIND_SCHEMA[kind]
    schema = json.loads((SCHEMAS / schema_name).read_text())
    jsonschema.Draft202012Validator(schema, registry=registry()).validate(data)
    assert Validator(schema_name).validate(data) == []
    if path.is_relative_to(MINI):
        return
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    pointer = (path.parent / first.split("=", 1)[1]).resolve()
    assert pointer == (SCHEMAS / schema_name).resolve(), "the editor hint points at the schema"


@pytest.mark.parametrize(
    "document",
    [
        {"answers": {"age": [1]}},
        {"answers": {}, "expect": {"urgency": "soon"}},
        {"answers": {}, "extra": 1},
        {"title": 3, "answers": {}},
    ],
)
def test_our_validator_rejects_what_jsonschema_rejects(document: dict) -> None:
    schema = json.loads((SCHEMAS / "case.schema.json").read_text())
    assert not jsonschema.Draft202012Validator(schema).is_valid(document)
    assert Validator("case.schema.json").validate(document)
