"""Writing case files (saved interviews, counterexamples) and writing any output atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

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
    """Write through a temporary file and rename, so readers never see half a file.

    An interruption (Ctrl-C included) leaves either the old file or none, never a partial one.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
