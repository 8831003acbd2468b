"""The schema validator fails closed: it enforces every keyword the schemas use, or refuses
to start; and on mutated documents of every kind it rejects whatever `jsonschema` rejects."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage.cli import main
from triage.files import schema as schema_module
from triage.files.schema import UnsupportedSchema, Validator, unsupported_keywords

from .test_schemas import KIND_SCHEMA, SCHEMAS, registry, yaml_files

ROOT = Path(__file__).resolve().parent.parent


def test_every_shipped_schema_uses_only_enforced_keywords() -> None:
    for path in SCHEMAS.glob("*.json"):
        assert list(unsupported_keywords(json.loads(path.read_text()))) == [], path.name


def test_a_keyword_the_validator_skips_is_an_error_when_the_schema_loads(monkeypatch) -> None:
    schema = {"type": "object", "properties": {"id": {"type": "string", "maxLength": 3}}}
    assert list(unsupported_keywords(schema)) == [("#/properties/id", "maxLength")]

    class Files:
        def joinpath(self, name: str) -> Any:
            return self

        def read_text(self, encoding: str) -> str:
            return json.dumps(schema)

    monkeypatch.setattr(schema_module.resources, "files", lambda package: Files())
    schema_module.load_schema.cache_clear()
    try:
        with pytest.raises(UnsupportedSchema, match=r"`maxLength` at #/properties/id"):
            schema_module.load_schema("made-up.schema.json")
    finally:
        schema_module.load_schema.cache_clear()


def _documents() -> list[tuple[str, Any]]:
    found = []
    for path in yaml_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        kind = next(key for key in KIND_SCHEMA if key in data)
        found.append((KIND_SCHEMA[kind], data))
    return found


DOCUMENTS = _documents()
BY_SCHEMA: dict[str, list[Any]] = {}
for _name, _data in DOCUMENTS:
    BY_SCHEMA.setdefault(_name, []).append(_data)
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-1e3, 1e3, allow_nan=False),
    st.sampled_from(["", "x", "Not-An-Id", "a b", "emergency", "self_care", "0", "9x", "é"]),
    st.just([]),
    st.just({}),
    st.just(["x", "x"]),
    st.just({"unknown_key": 1}),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


def _get(value: Any, path: tuple) -> Any:
    for part in path:
        value = value[part]
    return value


@st.composite
def mutated(draw) -> tuple[str, Any]:
    """A shipped document with one part replaced, deleted, emptied or given an extra key."""
    schema_name = draw(st.sampled_from(sorted(BY_SCHEMA)))  # each kind as often as the others
    original = draw(st.sampled_from(BY_SCHEMA[schema_name]))
    data = copy.deepcopy(original)
    paths = _paths(data)
    path = draw(st.sampled_from(paths[1:] if len(paths) > 1 else paths))
    parent = _get(data, path[:-1]) if path else None
    action = draw(st.sampled_from(["replace", "delete", "empty", "empty", "extra", "duplicate"]))
    target = _get(data, path)
    if action == "replace" and path:
        parent[path[-1]] = draw(JUNK)
    elif action == "delete" and path:
        del parent[path[-1]]
    elif action == "empty" and isinstance(target, dict | list | str):
        target_empty = type(target)()
        if path:
            parent[path[-1]] = target_empty
    elif action == "extra" and isinstance(target, dict):
        target[draw(st.sampled_from(["extra", "Extra", "require", "when", "id"]))] = draw(JUNK)
    elif action == "duplicate" and isinstance(target, list) and target:
        target.append(copy.deepcopy(target[0]))
    return schema_name, data


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_our_validator_rejects_exactly_what_jsonschema_rejects(document) -> None:
    schema_name, data = document
    schema = json.loads((SCHEMAS / schema_name).read_text())
    theirs = jsonschema.Draft202012Validator(schema, registry=registry()).is_valid(data)
    ours = Validator(schema_name).validate(data) == []
    assert ours == theirs, (schema_name, Validator(schema_name).validate(data)[:3])


def test_an_id_with_a_trailing_newline_is_refused_although_python_dollar_allows_it() -> None:
    document = {"answers": {}, "expect": {"includes": ["plank"]}}
    assert Validator("case.schema.json").validate(document) == []
    document = {"answers": {"age\n": 3}}
    assert Validator("case.schema.json").validate(document) != []


@pytest.mark.acceptance
def test_an_invariant_with_an_empty_require_is_an_error(tmp_path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "invariants.yaml").read_text()
    start = text.index("    require:")
    end = text.index("\n", start)
    (rules / "invariants.yaml").write_text(text[:start] + "    require: {}" + text[end:])
    line = text[:start].count("\n") + 1
    result = CliRunner().invoke(main, ["check", str(rules)])
    assert result.exit_code == 2
    assert (
        f"invariants.yaml:{line}:14: I204 expected a mapping with at least one key" in result.output
    )


@pytest.mark.acceptance
@pytest.mark.parametrize(
    "invariant",
    [
        "require: {urgency_at_least: self_care}",
        "require: {urgency_at_most: emergency}",
        "when_result: {urgency: emergency}\n    require: {urgency_at_least: doctor_soon}",
        "when_result: {includes: [see_doctor]}\n    require: {includes: [see_doctor]}",
    ],
)
def test_an_invariant_that_can_never_be_violated_is_a_warning(tmp_path, invariant) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "tests" / "fixtures" / "check" / "clean", rules)
    with (rules / "invariants.yaml").open("a") as handle:
        handle.write(
            f"  - id: proves-nothing\n    description: d\n"
            f"    when: {{fact: fever_or_unwell, is: true}}\n    {invariant}\n"
        )
    result = CliRunner().invoke(main, ["check", str(rules)])
    assert "W210 invariant `proves-nothing` can never be violated" in result.output
    assert result.exit_code == 0
    strict = CliRunner().invoke(main, ["check", str(rules), "--strict"])
    assert strict.exit_code == 1


@pytest.mark.acceptance
def test_a_case_file_name_with_a_newline_cannot_fake_a_report_line(tmp_path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "a\nPASS      fake.yaml").write_text("answers:\n  age: 30\n")
    (folder / "b.yaml\nPASS      fake2.yaml").write_text("answers: [\n")
    result = CliRunner().invoke(main, ["run", str(folder), "--jobs", "1"])
    lines = result.output.splitlines()
    assert not any(line.startswith("PASS") for line in lines), result.output
