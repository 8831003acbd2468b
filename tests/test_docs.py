"""Docs that cannot drift: generated pages, checked samples, and one table of formats.

- docs/cli.md and docs/errors.md are what `docs/generate.py` makes from the code now.
- Every README sample output marked `<!-- sample: ARGS -->` is what `triage ARGS` prints: each
  sample line appears in the output, in order (the sample may start anywhere in it); a line
  `...` stands for any lines, and a line
  ending in `...` for any line that starts the same. `| DIR: ...` first makes DIR, a copy of
  the shipped rules with one rule deleted (`no RULE`) or set to another urgency (`RULE at
  LEVEL`), as the README's text around the sample says.
- Every `--format` choice of a reporting command has a renderer, from the one registry.
"""

from __future__ import annotations

import difflib
import importlib.util
import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.render.registry import REPORTERS, formats, reporter

from .conftest import ROOT

SAMPLE = re.compile(
    r"<!-- sample: (?P<args>[^|>]+?)(?: \| (?P<setup>[^>]+?))? -->\n```\n(?P<body>.*?)```",
    re.S,
)
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_pages_match_the_code() -> None:
    generator = _generator()
    for name, make in generator.PAGES.items():
        page = (ROOT / "docs" / name).read_text(encoding="utf-8").splitlines()
        diff = list(difflib.unified_diff(page, make().splitlines(), lineterm="", n=1))
        assert not diff, "run: uv run python docs/generate.py\n" + "\n".join(diff[:40])


def test_the_cli_page_has_every_command_and_the_errors_page_every_code() -> None:
    from triage.model.errors import CODES

    cli_page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in main.list_commands(click.Context(main)):
        assert f"## triage {name}\n" in cli_page
    errors_page = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for code in CODES:
        assert f"| `{code}` |" in errors_page


def weakened(rules: Path, setup: str) -> None:
    """`no RULE` deletes the rule; `RULE at LEVEL` sets its urgency."""
    words = setup.split()
    rule_id, level = (words[1], None) if words[0] == "no" else (words[0], words[2])
    for path in rules.glob("*.yaml"):
        lines = path.read_text(encoding="utf-8").split("\n")
        starts = [i for i, line in enumerate(lines) if line.strip() == f"- id: {rule_id}"]
        if not starts:
            continue
        start = starts[0]
        indent = lines[start].index("-")
        end = start + 1
        while end < len(lines) and not (
            lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) <= indent
        ):
            end += 1
        if level is None:
            del lines[start:end]
        else:
            for i in range(start, end):
                lines[i] = re.sub(r"urgency: \w+", f"urgency: {level}", lines[i])
        path.write_text("\n".join(lines), encoding="utf-8")
        return
    raise AssertionError(f"no rule {rule_id} in {rules}")


def matches(sample: str, output: str) -> str | None:
    """None when every sample line is found in order, else the first line that is not."""
    lines = output.split("\n")
    at = 0
    skipping = True  # a sample is an excerpt: it may start anywhere
    for want in sample.rstrip("\n").split("\n"):
        if want.strip() == "...":
            skipping = True
            continue
        prefix = want[:-3] if want.endswith("...") else None
        while at < len(lines):
            got = lines[at].rstrip()
            at += 1
            if got == want.rstrip() or (prefix is not None and got.startswith(prefix)):
                break
            if not skipping:
                return want
        else:
            return want
        skipping = False
    return None


SAMPLES = [m for m in SAMPLE.finditer(README)]


def test_the_readme_marks_its_samples() -> None:
    assert len(SAMPLES) >= 7


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLES, ids=[m["args"] for m in SAMPLES])
def test_readme_sample_outputs_are_what_the_commands_print(
    sample: re.Match, tmp_path: Path, monkeypatch
) -> None:
    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    if sample["setup"]:
        folder, _, change = sample["setup"].partition(": ")
        shutil.copytree(ROOT / "rules", tmp_path / folder)
        weakened(tmp_path / folder, change)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, sample["args"].split())
    assert "Traceback" not in result.output
    missing = matches(sample["body"], result.output)
    assert missing is None, f"README sample line not in the output: {missing!r}"


def test_sample_matching_fails_on_a_changed_line() -> None:
    output = "a\nb 1\nc\nd\n"
    assert matches("a\n...\nd\n", output) is None
    assert matches("a\nb...\nc\n", output) is None
    assert matches("a\nc\n", output) == "c"  # b is not skipped without `...`
    assert matches("b 1\nc\n", output) is None  # an excerpt may start anywhere
    assert matches("a\nb 2\n", output) == "b 2"


@pytest.mark.parametrize("command", sorted(REPORTERS))
def test_every_format_of_every_reporting_command_has_a_renderer(command: str) -> None:
    for fmt in formats(command):
        assert callable(reporter(command, fmt))
    option = next(p for p in main.commands[command].params if p.name == "fmt")
    assert tuple(option.type.choices) == formats(command)
    if command == "report":  # no fixed default: the --output extension picks, else markdown
        assert option.default is None
    else:
        assert option.default == formats(command)[0]
