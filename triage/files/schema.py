"""A small JSON Schema validator for the subset our shipped schemas use.

The schemas in `triage/schemas/` are standard JSON Schema (draft 2020-12) so editors can use
them; validating with our own walker keeps the runtime dependencies to the three the product
allows, gives messages in the user's terms with a "did you mean", and bounds the work so an
alias bomb cannot make validation explode.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from triage.model.errors import TriageError, closest
from triage.model.values import quoted_value, yaml_value

MAX_VALUES = 100_000
MAX_ERRORS = 50  # a page of messages; beyond it, checking more only costs time

_TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "nothing (null)",
}


@dataclass(frozen=True)
class SchemaError:
    """One violation: where (a path of keys and indexes) and what was expected."""

    path: tuple[str | int, ...]
    message: str
    suggestion: str | None = None
    on_key: bool = False
    code: str = field(kw_only=True)  # from `triage.model.errors.CODES` (I2xx, or I108)


class _Budget(Exception):
    pass


# What this validator enforces, and what it may ignore because it constrains nothing.
ENFORCED = frozenset(
    {
        "$ref", "anyOf", "type", "const", "enum", "minimum", "maximum", "minLength", "pattern",
        "items", "minItems", "uniqueItems", "properties", "required", "additionalProperties",
        "propertyNames", "minProperties",
    }
)  # fmt: skip
ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples",
     "x-pattern-hint"}
)  # fmt: skip
_SUBSCHEMA_MAPS = ("properties", "$defs")
_SUBSCHEMAS = ("items", "additionalProperties", "propertyNames")


class UnsupportedSchema(TriageError):
    """A shipped schema uses a keyword this validator would silently skip.

    Skipping it would accept documents the schema rejects (an invariant with an empty
    `require` once passed because `minProperties` was skipped), so validation fails closed:
    the schema is refused when it is first loaded, before any document is read.
    """


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema by file name, parsed once per process and checked to be enforceable."""
    text = resources.files("triage.schemas").joinpath(name).read_text(encoding="utf-8")
    schema = json.loads(text)
    unknown = list(unsupported_keywords(schema))
    if unknown:
        raise UnsupportedSchema(
            f"triage/schemas/{name}: keyword(s) the validator does not enforce: "
            + ", ".join(f"`{word}` at {where}" for where, word in unknown),
            code="X102",
        )
    return schema


def unsupported_keywords(schema: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """(JSON pointer, keyword) for every keyword neither enforced nor a mere annotation."""
    if not isinstance(schema, dict):
        return
    for word, value in schema.items():
        if word not in ENFORCED and word not in ANNOTATIONS:
            yield where, word
        if word in _SUBSCHEMA_MAPS and isinstance(value, dict):
            for name, sub in value.items():
                yield from unsupported_keywords(sub, f"{where}/{word}/{name}")
        elif word in _SUBSCHEMAS:
            yield from unsupported_keywords(value, f"{where}/{word}")
        elif word == "anyOf" and isinstance(value, list):
            for index, sub in enumerate(value):
                yield from unsupported_keywords(sub, f"{where}/anyOf/{index}")


@cache
def _whole(pattern: str) -> re.Pattern[str]:
    """A JSON Schema pattern with ECMAScript's `$`: the very end, not before a final newline.

    In Python `$` also matches before a trailing newline, which let an id `"x\n"` through.
    """
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    return value is None


def describe(value: Any) -> str:
    """How a value reads to a person, for 'expected X, got Y' messages."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return quoted_value(value)
    return yaml_value(value)


class Validator:
    """Validates one document against one shipped schema file."""

    def __init__(self, schema_file: str) -> None:
        self.schema_file = schema_file
        self.count = 0

    def validate(self, value: Any) -> list[SchemaError]:
        self.count = 0
        errors: list[SchemaError] = []
        try:
            self._check(value, load_schema(self.schema_file), self.schema_file, (), errors)
        except _Budget:
            if len(errors) > MAX_ERRORS:
                last = SchemaError((), "too many problems; the rest was not checked", code="I108")
                return [*errors, last]
            return [
                SchemaError(
                    (),
                    f"document expands to more than {MAX_VALUES} values (anchors and aliases?); "
                    "expected a small plain document",
                    code="I108",
                )
            ]
        return errors

    def _resolve(self, ref: str, doc: str) -> tuple[dict[str, Any], str]:
        file, _, pointer = ref.partition("#")
        doc = file or doc
        node: Any = load_schema(doc)
        for part in filter(None, pointer.split("/")):
            node = node[part]
        return node, doc

    def _check(
        self,
        value: Any,
        schema: dict[str, Any],
        doc: str,
        path: tuple[str | int, ...],
        errors: list[SchemaError],
    ) -> None:
        self.count += 1
        if self.count > MAX_VALUES or len(errors) > MAX_ERRORS:
            raise _Budget
        if "$ref" in schema:
            target, target_doc = self._resolve(schema["$ref"], doc)
            self._check(value, target, target_doc, path, errors)
        if "anyOf" in schema:
            self._any_of(value, schema["anyOf"], doc, path, errors)
            return
        kinds = schema.get("type")
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else kinds
            if not any(_type_ok(value, k) for k in kinds):
                wanted = " or ".join(_TYPE_NAMES[k] for k in kinds)
                errors.append(
                    SchemaError(path, f"expected {wanted}, got {describe(value)}", code="I201")
                )
                return
        if "const" in schema and value != schema["const"]:
            errors.append(
                SchemaError(
                    path,
                    f"expected {describe(schema['const'])}, got {describe(value)}",
                    code="I204",
                )
            )
        if "enum" in schema and value not in schema["enum"]:
            allowed = ", ".join(str(describe(v)) for v in schema["enum"])
            errors.append(
                SchemaError(
                    path,
                    f"{describe(value)} is not allowed here; expected one of: {allowed}",
                    closest(str(value), [str(v) for v in schema["enum"]]),
                    code="I204",
                )
            )
        if isinstance(value, str):
            self._check_string(value, schema, path, errors)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                errors.append(
                    SchemaError(
                        path, f"{value} is below the minimum {schema['minimum']}", code="I204"
                    )
                )
            if "maximum" in schema and value > schema["maximum"]:
                errors.append(
                    SchemaError(
                        path, f"{value} is above the maximum {schema['maximum']}", code="I204"
                    )
                )
        elif isinstance(value, list):
            self._check_list(value, schema, doc, path, errors)
        elif isinstance(value, dict):
            self._check_mapping(value, schema, doc, path, errors)

    def _check_string(
        self, value: str, schema: dict[str, Any], path: tuple, errors: list[SchemaError]
    ) -> None:
        if len(value) < schema.get("minLength", 0):
            errors.append(SchemaError(path, "expected a non-empty text", code="I204"))
        pattern = schema.get("pattern")
        if pattern and not _whole(pattern).search(value):
            hint = schema.get("x-pattern-hint", f"text matching {pattern}")
            errors.append(
                SchemaError(path, f"{describe(value)} is not valid; expected {hint}", code="I204")
            )

    def _check_list(
        self, value: list, schema: dict[str, Any], doc: str, path: tuple, errors: list[SchemaError]
    ) -> None:
        if len(value) < schema.get("minItems", 0):
            errors.append(
                SchemaError(path, f"expected at least {schema['minItems']} item(s)", code="I204")
            )
        if "items" in schema:
            for index, item in enumerate(value):
                self._check(item, schema["items"], doc, (*path, index), errors)
        if schema.get("uniqueItems"):
            seen: list[Any] = []
            for index, item in enumerate(value):
                if item in seen:
                    errors.append(
                        SchemaError(
                            (*path, index), f"{describe(item)} is listed twice", code="I205"
                        )
                    )
                seen.append(item)

    def _check_mapping(
        self, value: dict, schema: dict[str, Any], doc: str, path: tuple, errors: list[SchemaError]
    ) -> None:
        props: dict[str, Any] = schema.get("properties", {})
        least = schema.get("minProperties", 0)
        if len(value) < least:
            errors.append(
                SchemaError(
                    path,
                    "expected a mapping with at least one key; an empty one states nothing"
                    if least == 1
                    else f"expected a mapping with at least {least} keys",
                    code="I204",
                )
            )
        for name in schema.get("required", []):
            if name not in value:
                errors.append(SchemaError(path, f"missing required key `{name}`", code="I202"))
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if not isinstance(key, str):
                errors.append(
                    SchemaError(
                        path, f"key {describe(key)} is not text; expected a name", code="I201"
                    )
                )
                continue
            if key in props:
                self._check(item, props[key], doc, (*path, key), errors)
            elif extra is False:
                allowed = ", ".join(f"`{p}`" for p in props)
                errors.append(
                    SchemaError(
                        (*path, key),
                        f"unknown key `{key}`; expected one of: {allowed}",
                        closest(key, props),
                        on_key=True,
                        code="I203",
                    )
                )
            elif isinstance(extra, dict):
                names = schema.get("propertyNames")
                if names:
                    self._check(key, names, doc, (*path, key), errors)
                self._check(item, extra, doc, (*path, key), errors)

    def _any_of(
        self, value: Any, options: list[dict], doc: str, path: tuple, errors: list[SchemaError]
    ) -> None:
        """Report the errors of the option the value most looks like, not of every option."""
        best: list[SchemaError] | None = None
        best_score = -1
        resolved_options = [
            self._resolve(option["$ref"], doc) if "$ref" in option else (option, doc)
            for option in options
        ]
        if isinstance(value, dict):
            # Options are told apart by their required keys; only those whose keys are all
            # present can match, so the others need not be tried (nor their errors built).
            fitting = [
                (o, d)
                for o, d in resolved_options
                if all(k in value for k in o.get("required", []))
            ]
            resolved_options = fitting or resolved_options
        for resolved, option_doc in resolved_options:
            found: list[SchemaError] = []
            self._check(value, resolved, option_doc, path, found)
            if not found:
                return
            score = 0
            if isinstance(value, dict):
                required = resolved.get("required", [])
                score = sum(1 for name in required if name in value) * 10
                score += sum(1 for name in value if name in resolved.get("properties", {}))
            elif _type_ok(value, resolved.get("type", "null")):
                score = 1
            if score > best_score:
                best, best_score = found, score
        if best_score <= 0 and isinstance(value, dict):
            keys = sorted({k for o in options for k in o.get("required", [])[:1]})
            errors.append(
                SchemaError(
                    path, f"expected a mapping with one of the keys: {', '.join(keys)}", code="I202"
                )
            )
            return
        errors.extend(best or [])
