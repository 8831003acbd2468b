"""Writing case files (saved interviews, counterexamples) and writing any output atomically."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from triage.files.output import open_output

SCHEMA_COMMENT = "# yaml-language-server: $schema={}\n"


def dump_case(
    answers: Mapping[str, Any],
    title: str = "",
    expect: Mapping[str, Any] | None = None,
    schema: str = "../triage/schemas/case.schema.json",
) -> str:
    """A case file's text that `triage run` accepts; keys in the catalogue order given."""
    data: dict[str, Any] = {}
    if title:
        data["title"] = title
    data["answers"] = dict(answers)
    if expect:
        data["expect"] = {key: value for key, value in expect.items() if value}
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return SCHEMA_COMMENT.format(schema) + body


def write_atomic(path: Path | str, text: str) -> None:
    """Write a whole text so that readers never see half of it (see `output.open_output`)."""
    with open_output(path) as handle:
        handle.write(text)
