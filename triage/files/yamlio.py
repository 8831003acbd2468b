"""Safe YAML reading that never builds Python objects and always knows where a value came from.

PyYAML's safe loader follows YAML 1.1, accepts duplicate keys silently, lets explicit tags end
in Python exceptions, recurses in C on deep nesting (a stack overflow on a few kilobytes of
`[`), and expands aliases without limit. This module reads with PyYAML's C parser but:

- resolves plain scalars by the YAML 1.2 core schema (plus `yes`/`no` as booleans), and
  refuses the YAML 1.1 forms whose meaning differs between readers (`055`, `0x1e`, `1:05`,
  `1_0`, `on`/`off`) with a message saying how to write the value;
- accepts only the JSON types (no `!!set`, `!!binary`, timestamps...), finite numbers, and
  integers small enough to be exact as floats;
- bounds every cost before it is paid: the size before reading, the nesting depth before the
  C parser sees the text, the keys per mapping and the alias expansion before constructing;
- reports every problem, NUL and control characters included, at file:line:column.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import yaml

from triage.model.errors import InputError, Location, Problem

MAX_FILE_BYTES = 1_048_576
MAX_DEPTH = 64
MAX_KEYS = 5_000
MAX_ALIASES = 1_000
MAX_NODES = 100_000
MAX_INTEGER = 2**53  # beyond this an integer is no longer exact as a number
PathPart = str | int

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_AMBIGUOUS = "tag:squat-triage,2026:yaml-1.1-form"


class _DuplicateKey(Exception):
    def __init__(self, key: object, mark: Any, first: Any) -> None:
        super().__init__(key)
        self.key, self.mark, self.first = key, mark, first


def _refuse(node: yaml.Node, problem: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict:
    if len(node.value) > MAX_KEYS:
        raise _refuse(node, f"mapping has {len(node.value)} keys; at most {MAX_KEYS} expected")
    written = list(node.value)
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    if len(mapping) == len(node.value):
        return mapping  # no key was given twice: the usual case costs one comparison
    seen: dict[object, Any] = {}
    for key_node, _ in written:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark, seen[key])
        seen[key] = key_node.start_mark
    raise _refuse(node, "mapping keys must be plain text")  # pragma: no cover - unhashable keys


_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
# A dot or an exponent: plain digits are an integer (or, with a leading zero, ambiguous).
_FLOAT = re.compile(
    r"[-+]?(?:(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)\Z"
)
_TRUE = frozenset({"true", "True", "TRUE", "yes", "Yes", "YES"})
_FALSE = frozenset({"false", "False", "FALSE", "no", "No", "NO"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})


def _int_value(text: str, node: yaml.Node) -> int:
    digits = text.lstrip("+-")
    if len(digits) > len(str(MAX_INTEGER)) or abs(int(text)) > MAX_INTEGER:
        raise _refuse(
            node, f"the number `{_short(text)}` is too large; expected at most {MAX_INTEGER}"
        )
    return int(text)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if not _INT.match(text):
        raise _refuse(node, f"`{_short(text)}` is not a whole number; expected digits such as 42")
    return _int_value(text, node)


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float | int:
    text = loader.construct_scalar(node)
    if _INT.match(text):
        return _int_value(text, node)
    if not _FLOAT.match(text):
        raise _refuse(node, f"`{_short(text)}` is not a number; expected a number such as 7.5")
    value = float(text)
    if not math.isfinite(value):
        raise _refuse(node, f"the number `{_short(text)}` is too large; expected a finite number")
    return value


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise _refuse(node, f"`{_short(text)}` is not true or false; expected true or false")


def _construct_null(loader: Any, node: yaml.ScalarNode) -> None:
    text = loader.construct_scalar(node)
    if text not in _NULL:
        raise _refuse(node, f"`{_short(text)}` is not null; expected nothing, `~` or `null`")
    return None


def _construct_ambiguous(loader: Any, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)
    raise _refuse(node, _ambiguity(text))


def _ambiguity(text: str) -> str:
    """Why a YAML 1.1 form is refused, and how to write what was probably meant."""
    shown = f"`{_short(text)}`"
    if text.lstrip("+-").lower() in (".inf", ".nan"):
        return f"{shown} is not a finite number; expected a number such as 7.5"
    if text.lower() in ("on", "off"):
        word = "true" if text.lower() == "on" else "false"
        return (
            f"{shown} is read as {word} by some YAML readers and as text by others; "
            f'write {word}, or quote it ("{text}") for text'
        )
    try:
        old = yaml.load(text, Loader=yaml.SafeLoader)  # what a YAML 1.1 reader makes of it
    except yaml.YAMLError:  # pragma: no cover - the resolver only matches well-formed numbers
        old = None
    meant = f" as {old!r}" if isinstance(old, int | float) and math.isfinite(old) else ""
    if ":" in text:
        form = "a base-60 number"
    elif "_" in text:
        form = "a number with `_` separators"
    elif text.lstrip("+-")[:2].lower() in ("0x", "0o", "0b"):
        form = "a number in another base"
    else:
        decimal = text.lstrip("+-").lstrip("0") or "0"
        sign = "-" if text.startswith("-") else ""
        return (
            f"{shown} has a leading zero, which some YAML readers take for octal (reading it"
            f'{meant}); write {sign}{decimal} without the zero, or quote it ("{text}") for text'
        )
    plain = f"write {old!r}" if meant else "write it in plain decimal digits"
    return (
        f"{shown} is {form}, which YAML readers disagree about (some read it{meant}); "
        f'{plain}, or quote it ("{text}") for text'
    )


def _construct_refused(loader: Any, node: yaml.Node) -> Any:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise _refuse(
        node,
        f"the YAML tag `{tag}` is not allowed; expected plain data "
        "(strings, numbers, true/false, lists and mappings)",
    )


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


class StrictLoader(_BaseLoader):
    """The safe loader: YAML 1.2 core scalars, JSON types only, duplicate keys refused."""


# The YAML 1.2 core schema, replacing PyYAML's YAML 1.1 resolvers, plus a resolver that
# catches the 1.1 forms a reader might read differently, so they are refused rather than
# silently read either way.
StrictLoader.yaml_implicit_resolvers = {}
_RESOLVERS = [
    (
        "tag:yaml.org,2002:bool",
        r"(?:true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO)\Z",
        "tTfFyYnN",
    ),
    ("tag:yaml.org,2002:null", r"(?:~|null|Null|NULL|)\Z", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", _INT.pattern, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT.pattern, "-+.0123456789"),
    (
        _AMBIGUOUS,
        r"""(?:[-+]?0[0-9_]+
        |[-+]?0[xXoObB][0-9a-fA-F_]*
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
        |[-+]?(?:[0-9][0-9_]*)?_[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
        |on|On|ON|off|Off|OFF)\Z""",
        "-+.0123456789oO",
    ),
]
for _tag, _pattern, _first in _RESOLVERS:
    StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern, re.X), list(_first))

StrictLoader.yaml_constructors = dict(StrictLoader.yaml_constructors)
StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
StrictLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
StrictLoader.add_constructor("tag:yaml.org,2002:null", _construct_null)
StrictLoader.add_constructor(_AMBIGUOUS, _construct_ambiguous)
for _name in ("set", "omap", "pairs", "binary", "timestamp"):
    StrictLoader.add_constructor(f"tag:yaml.org,2002:{_name}", _construct_refused)


def _mark_location(name: str, mark: Any) -> Location:
    if mark is None:
        return Location(name)
    return Location(name, mark.line + 1, mark.column + 1)


def stream_bytes(stream: IO[bytes] | IO[str] | None) -> bytes:
    """A stream's bytes (stdin), whether it was opened as text or binary, up to one byte past
    the size limit: enough for whoever parses them to report the size, never a read in full."""
    raw = stream.read(MAX_FILE_BYTES + 1) if stream is not None else b""
    return raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw


def _position(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _too_big(name: str, size: int) -> InputError:
    return InputError(
        Problem(
            Location(name),
            f"file is {size:,} bytes or more; at most {MAX_FILE_BYTES:,} bytes expected",
            code="I102",
        )
    )


def read_stream(stream: IO[bytes] | IO[str] | None, name: str) -> bytes:
    """Up to the size limit from a stream (stdin); more is an error, never read in full."""
    data = stream_bytes(stream)
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(name, len(data))
    return data


def read_bytes(path: Path, name: str) -> bytes:
    """A file's bytes, size-checked before reading: a huge or endless file costs nothing.

    Raises OSError when the file cannot be opened or read (the caller words the message).
    """
    with path.open("rb") as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
        except OSError:  # pragma: no cover - fstat on an open file does not fail
            size = 0
        if size > MAX_FILE_BYTES:
            raise _too_big(name, size)
        data = handle.read(MAX_FILE_BYTES + 1)  # a device or a pipe reports no size
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(name, len(data))
    return data


def decode(data: bytes, name: str) -> str:
    """Strict UTF-8, with the line and column of the first bad byte."""
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(name, len(data))
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
                code="I103",
            )
        ) from None


_FLOW = re.compile(r"[^\[\]{}]+")
_BLOCK_PREFIX = re.compile(r"^[ \t\-?:]*", re.M)
_DEEP_PREFIX = re.compile(rf"^[ \t\-?:]{{{MAX_DEPTH // 2 - 1}}}", re.M)


def check_depth(text: str, name: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before PyYAML's C composer recurses into it.

    A cheap bound comes first (bracket counts, then the widest run of indentation and
    `- `/`? ` indicators at a line start); only a text past it is parsed, by the pure-Python
    parser, which keeps no recursion and stops at the first event too deep.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH // 2 and not _DEEP_PREFIX.search(text):
        return  # at most 32 flow levels and 32 block levels: two scans in C, no list built
    depth = flow = 0
    for char in _FLOW.sub("", text):
        flow = flow + 1 if char in "[{" else max(0, flow - 1)
        depth = max(depth, flow)
    if depth + _block_bound(text) <= MAX_DEPTH:
        return
    level = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                level += 1
                if level > MAX_DEPTH:
                    raise InputError(
                        Problem(
                            _mark_location(name, event.start_mark),
                            f"lists and mappings are nested more than {MAX_DEPTH} deep; "
                            "expected a shallower document",
                            code="I108",
                        )
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                level -= 1
    except yaml.YAMLError:
        return  # a syntax error: the C parser reports it with its location


def _block_bound(text: str) -> int:
    return max(map(len, _BLOCK_PREFIX.findall(text)), default=0) + 1


def _check_graph(root: yaml.Node, name: str) -> None:
    """Bound what aliases can do: count them, the values they expand to, and the depth."""
    expanded: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth) once finished
    on_path: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            children = _children(node)
            size = 1 + sum(expanded[id(c)][0] for c in children)
            depth = 1 + max((expanded[id(c)][1] for c in children), default=0)
            expanded[key] = (size, depth)
            if size > MAX_NODES or depth > MAX_DEPTH:
                what = (
                    f"expands to more than {MAX_NODES:,} values"
                    if size > MAX_NODES
                    else f"is nested more than {MAX_DEPTH} deep"
                )
                raise InputError(
                    Problem(
                        _mark_location(name, node.start_mark),
                        f"through its aliases this value {what}; expected a small plain document",
                        code="I108",
                    )
                )
            continue
        if key in expanded or key in on_path:
            if key in on_path:
                raise InputError(
                    Problem(
                        _mark_location(name, node.start_mark),
                        "an alias refers to the value that contains it; expected plain data",
                        code="I108",
                    )
                )
            aliases += 1
            if aliases > MAX_ALIASES:
                raise InputError(
                    Problem(
                        _mark_location(name, node.start_mark),
                        f"more than {MAX_ALIASES} aliases; expected a plain document",
                        code="I108",
                    )
                )
            continue
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def parse(text: str, name: str) -> Any:
    """Parse one YAML document into plain data, or raise a located InputError."""
    check_depth(text, name)
    try:
        loader = StrictLoader(text)
        try:
            if "*" in text:  # aliases need an asterisk: the usual file skips the graph walk
                node = loader.get_single_node()
                if node is not None:
                    _check_graph(node, name)
                value = loader.construct_document(node) if node is not None else None
            else:
                value = loader.get_single_data()
        finally:
            loader.dispose()
    except _DuplicateKey as dup:
        first = _mark_location(name, dup.first)
        raise InputError(
            Problem(
                _mark_location(name, dup.mark),
                f"duplicate key `{_short(str(dup.key))}` (first given at line {first.line}); "
                "each key may appear once in a mapping",
                code="I105",
            )
        ) from None
    except yaml.constructor.ConstructorError as err:
        problem = str(err.problem or "unsupported value")
        if "constructor for the tag" in problem:
            tag = problem.split("tag", 1)[1].strip(" '").replace("tag:yaml.org,2002:", "!!")
            problem = (
                f"the YAML tag `{_short(tag)}` is not allowed; expected plain data "
                "(strings, numbers, true/false, lists and mappings)"
            )
        raise InputError(
            Problem(_mark_location(name, err.problem_mark), problem, code="I106")
        ) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = " ".join(part for part in (err.context, err.problem) if part)
        raise InputError(
            Problem(
                _mark_location(name, mark),
                f"YAML syntax error: {what or 'invalid YAML'}",
                code="I104",
            )
        ) from None
    except yaml.reader.ReaderError as err:
        line, column = _position(text, err.position)
        char = text[err.position] if err.position < len(text) else ""
        raise InputError(
            Problem(
                Location(name, line, column),
                f"character U+{ord(char):04X} is not allowed in YAML; remove it"
                if char
                else f"YAML error: {err.reason}",
                code="I103",
            )
        ) from None
    except UnicodeEncodeError as err:
        line, column = _position(text, err.start)
        raise InputError(
            Problem(
                Location(name, line, column),
                f"character U+{ord(text[err.start]):04X} is not valid text; remove it",
                code="I103",
            )
        ) from None
    except yaml.YAMLError as err:  # pragma: no cover - PyYAML marks its other errors
        raise InputError(Problem(Location(name), f"YAML error: {err}", code="I104")) from None
    except RecursionError:  # pragma: no cover - check_depth refuses such nesting first
        raise InputError(
            Problem(
                Location(name), "YAML nesting is too deep; expected a shallow document", code="I108"
            )
        ) from None
    if value is None:
        raise InputError(
            Problem(Location(name, 1, 1), "file is empty; expected a YAML mapping", code="I107")
        )
    return value


def read(path: Path, name: str | None = None) -> tuple[Any, str]:
    """Read, decode and parse a file; return its data and its text (kept for locating)."""
    label = name or str(path)
    try:
        data = read_bytes(path, label)
    except OSError as err:
        raise InputError(
            Problem(Location(label), f"cannot read file: {err.strerror}", code="I101")
        ) from None
    text = decode(data, label)
    return parse(text, label), text


def locate(text: str, name: str, path: Sequence[PathPart]) -> Location:
    """Line and column of the value at `path` (keys and indexes), or of its nearest parent.

    Composing is only done when an error needs a location, so the fast path pays nothing;
    each mapping is indexed once, so locating many errors in a large mapping stays linear.
    """
    node = _compose(text)
    if node is None:
        return Location(name)
    best = node
    for part in path:
        nxt = None
        if isinstance(node, yaml.MappingNode):
            found = _index(node).get(str(part))
            if found is not None:
                nxt = found[0] if isinstance(part, _KeyMarker) else found[1]
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


_INDEXES: dict[int, tuple[yaml.MappingNode, dict[str, tuple[yaml.Node, yaml.Node]]]] = {}


def _index(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    held = _INDEXES.get(id(node))
    if held is not None and held[0] is node:
        return held[1]
    if len(_INDEXES) > 4096:
        _INDEXES.clear()
    index: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        index.setdefault(str(key_node.value), (key_node, value_node))
    _INDEXES[id(node)] = (node, index)
    return index


@lru_cache(maxsize=16)
def _compose(text: str) -> yaml.Node | None:
    """The node tree of a text, kept for the next lookups: the loader locates every item."""
    try:
        check_depth(text, "")
        return yaml.compose(text, Loader=StrictLoader)
    except (yaml.YAMLError, InputError, UnicodeEncodeError):
        return None


class _KeyMarker(str):
    """A path part that locates a mapping key itself rather than its value."""


def key(name: str) -> str:
    """Mark the last part of a path as a key, for errors about the key (unknown names)."""
    return _KeyMarker(name)
