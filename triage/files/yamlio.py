"""Safe YAML reading that never builds Python objects and always knows where a value came from.

PyYAML's safe loader still accepts duplicate keys silently and reports errors as free text, so
this module adds duplicate-key detection, a size limit, strict UTF-8 and a way to find the
line and column of any value by its path, which the loader uses to locate schema errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from triage.model.errors import InputError, Location, Problem

MAX_FILE_BYTES = 2_000_000
PathPart = str | int

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKey(Exception):
    def __init__(self, key: object, mark: Any, first: Any) -> None:
        super().__init__(key)
        self.key, self.mark, self.first = key, mark, first


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict:
    written = list(node.value)  # before merge keys (`<<`) are expanded into it
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    if len(mapping) == len(node.value):
        return mapping  # no key was given twice: the usual case costs one comparison
    seen: dict[object, Any] = {}
    for key_node, _ in written:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark, seen[key])
        seen[key] = key_node.start_mark
    return mapping


class StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, plus an error on duplicate mapping keys."""


StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
# Timestamps would arrive as datetime objects; the formats only want plain scalars.
StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def _mark_location(name: str, mark: Any) -> Location:
    if mark is None:
        return Location(name)
    return Location(name, mark.line + 1, mark.column + 1)


def stream_bytes(stream: Any) -> bytes:
    """Everything left in a stream, as bytes, whether it was opened as text or binary
    (`sys.stdin.buffer`, or `sys.stdin` where there is no buffer); no stream is no bytes."""
    raw = stream.read() if stream is not None else b""
    return raw.encode("utf-8") if isinstance(raw, str) else raw


def decode(data: bytes, name: str) -> str:
    """Strict UTF-8, with the line and column of the first bad byte."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            Problem(Location(name), f"file is {len(data)} bytes; at most {MAX_FILE_BYTES} expected")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = err.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            Problem(
                Location(name, line, column),
                f"file is not UTF-8 text (byte 0x{data[err.start]:02x}); save it as UTF-8",
            )
        ) from None


def parse(text: str, name: str) -> Any:
    """Parse one YAML document into plain data, or raise a located InputError."""
    try:
        loader = StrictLoader(text)
        try:
            value = loader.get_single_data()
        finally:
            loader.dispose()
    except _DuplicateKey as dup:
        first = _mark_location(name, dup.first)
        raise InputError(
            Problem(
                _mark_location(name, dup.mark),
                f"duplicate key `{dup.key}` (first given at line {first.line}); "
                "each key may appear once in a mapping",
            )
        ) from None
    except yaml.constructor.ConstructorError as err:
        problem = str(err.problem or "unsupported value")
        if "constructor for the tag" in problem:
            tag = problem.split("tag", 1)[1].strip(" '").replace("tag:yaml.org,2002:", "!!")
            problem = (
                f"the YAML tag `{tag}` is not allowed; expected plain data "
                "(strings, numbers, true/false, lists and mappings)"
            )
        raise InputError(Problem(_mark_location(name, err.problem_mark), problem)) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = " ".join(part for part in (err.context, err.problem) if part)
        raise InputError(
            Problem(_mark_location(name, mark), f"YAML syntax error: {what or 'invalid YAML'}")
        ) from None
    except yaml.YAMLError as err:  # pragma: no cover - PyYAML always marks its errors
        raise InputError(Problem(Location(name), f"YAML error: {err}")) from None
    except RecursionError:
        raise InputError(
            Problem(Location(name), "YAML nesting is too deep; expected a shallow document")
        ) from None
    if value is None:
        raise InputError(Problem(Location(name, 1, 1), "file is empty; expected a YAML mapping"))
    return value


def read(path: Path, name: str | None = None) -> tuple[Any, str]:
    """Read, decode and parse a file; return its data and its text (kept for locating)."""
    label = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(Problem(Location(label), f"cannot read file: {err.strerror}")) from None
    text = decode(data, label)
    return parse(text, label), text


def locate(text: str, name: str, path: Sequence[PathPart]) -> Location:
    """Line and column of the value at `path` (keys and indexes), or of its nearest parent.

    Composing is only done when an error needs a location, so the fast path pays nothing.
    """
    node = _compose(text)
    if node is None:
        return Location(name)
    best = node
    for part in path:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    nxt = value_node if not isinstance(part, _KeyMarker) else key_node
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            nxt = node.value[part]
        if nxt is None:
            break
        node = best = nxt
    if best is None:
        return Location(name, 1, 1)
    return _mark_location(name, best.start_mark)


@lru_cache(maxsize=16)
def _compose(text: str) -> yaml.Node | None:
    """The node tree of a text, kept for the next lookups: the loader locates every item."""
    try:
        return yaml.compose(text, Loader=_BaseLoader)
    except yaml.YAMLError:
        return None


class _KeyMarker(str):
    """A path part that locates a mapping key itself rather than its value."""


def key(name: str) -> str:
    """Mark the last part of a path as a key, for errors about the key (unknown names)."""
    return _KeyMarker(name)
