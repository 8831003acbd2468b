"""The package's layers: every module imports only its own layer and the layers below it.

A newcomer reads the architecture off the folder tree; this test keeps the tree honest. It
parses every module's imports (including those inside functions and `TYPE_CHECKING` blocks)
rather than importing anything, so a violation fails here before it can hide behind laziness.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "triage"

# Lowest first. A module may import its own layer and any layer listed before it.
LAYERS = ("model", "evaluate", "files", "interview", "tools", "render", "batch", "cli")
# Modules outside the layers: the package root and the data package of JSON Schemas.
UNLAYERED = {"triage", "triage.__main__", "triage.schemas"}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if module in UNLAYERED or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def module_name(path: Path, root: Path = PACKAGE) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """Absolute names of the `triage` modules a file imports, with their line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("triage")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("triage"):
                continue
            # `from triage.files import yamlio` imports the module triage.files.yamlio
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                sub_path = root.parent / Path(*sub.split("."))
                is_module = sub_path.with_suffix(".py").exists() or sub_path.is_dir()
                found.append((node.lineno, sub if is_module else target))
    return found


def violations(root: Path = PACKAGE) -> list[str]:
    rank = {name: i for i, name in enumerate(LAYERS)}
    out = []
    for path in sorted(root.rglob("*.py")):
        mine = layer_of(module_name(path, root))
        if mine is None:
            continue
        for line, target in imported_modules(path, root):
            theirs = layer_of(target)
            if theirs is not None and rank[theirs] > rank[mine]:
                rel = path.relative_to(root.parent)
                out.append(f"{rel}:{line}: layer {mine!r} imports {target} (layer {theirs!r})")
    return sorted(set(out))


def test_no_module_imports_a_higher_layer() -> None:
    assert violations() == []


def test_every_module_belongs_to_a_layer() -> None:
    loose = [
        module_name(p)
        for p in PACKAGE.rglob("*.py")
        if layer_of(module_name(p)) is None and module_name(p) not in UNLAYERED
    ]
    assert loose == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from triage.cli.common import load_kb\n", "layer 'model' imports triage.cli.common"),
        ("from ..render import screen\n", "layer 'model' imports triage.render.screen"),
        ("def f():\n    import triage.batch.pool\n", "imports triage.batch.pool"),
    ],
)
def test_an_upward_import_is_reported(tmp_path: Path, source: str, expected: str) -> None:
    """The checker itself must catch each import form, or the layer test proves nothing."""
    fake = tmp_path / "triage"
    for layer in LAYERS:
        if layer != "interview":
            (fake / layer).mkdir(parents=True)
            (fake / layer / "__init__.py").write_text("")
    (fake / "render" / "screen.py").write_text("")
    (fake / "cli" / "common.py").write_text("")
    (fake / "batch" / "pool.py").write_text("")
    (fake / "model" / "bad.py").write_text(source)
    found = violations(fake)
    assert len(found) == 1 and expected in found[0], found
