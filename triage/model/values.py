"""How an answer or a rule's constant is written for people: the one place that decides it.

Two readers see values. A trainer or a lifter reads explanations, screens and graphs, where
yes/no reads better than true/false and `unknown` stands for an answer not given. Someone
fixing a file reads error messages and counterexamples, which must spell a value as the YAML
file does (`true`, not `yes`), so the fix can be typed as shown.
"""

from __future__ import annotations

from typing import Any


class _Unknown:
    """The answer "don't know": the fact is left out of the answers."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def _number(value: float) -> str:
    """`2.5`, and `8` for 8.0; the short form only when it loses nothing."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def show_value(value: Any) -> str:
    """An answer as a trainer writes it: yes/no, `unknown` when not given, lists in brackets."""
    if value is UNKNOWN or value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, frozenset | set | tuple | list):
        return "[" + ", ".join(show_value(v) for v in sorted(value, key=str)) + "]"
    return str(value)


def yaml_value(value: Any) -> str:
    """A value as a YAML file spells it: true/false for booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def quoted_value(value: Any) -> str:
    """`yaml_value` for messages: quoted in backticks, except true and false."""
    shown = yaml_value(value)
    return shown if isinstance(value, bool) else f"`{shown}`"
