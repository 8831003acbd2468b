"""How long the hostile inputs of the hardening work take, each in a fresh `triage` process.

Every input is answered with exit 2 (or, for the narrow band, a correct `check` verdict);
the figure is the wall time of the whole command, interpreter start-up and loading the
rules included, and its peak memory (max RSS).

    uv run python benchmarks/hostile.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAD = "answers:\n  pain_location: lower_back_both_sides\n"


def inputs(folder: Path) -> list[tuple[str, list[str]]]:
    made: list[tuple[str, list[str]]] = []

    def case(name: str, text: str | bytes) -> str:
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return str(path)

    made.append(("baseline: one ordinary case", ["run", case("ok.yaml", HEAD)]))
    big = HEAD + "title: >\n" + "".join(f"  line {i} of a long text\n" for i in range(40_000))
    made.append(("1 MB case (long title)", ["run", case("big.yaml", big[:1_048_000] + "\n")]))
    keys = "answers:\n" + "".join(f"  unknown_fact_{i}: 1\n" for i in range(4_900))
    made.append(("4,900 unknown keys (120 KB)", ["run", case("keys.yaml", keys)]))
    many = "answers:\n" + "".join(f"  k{i}: 1\n" for i in range(32_000))
    made.append(("32,000 keys (370 KB)", ["run", case("many.yaml", many)]))
    nest = "title: " + "[" * 40_000 + "]" * 40_000 + "\n"
    made.append(("40,000-deep nesting (80 KB)", ["run", case("deep.yaml", nest)]))
    bomb = [HEAD + "expect:", "  includes: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"  k{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    made.append(("alias bomb in expect (1 KB)", ["run", case("bomb.yaml", "\n".join(bomb))]))
    sparse = folder / "sparse.yaml"
    with sparse.open("wb") as handle:
        handle.truncate(2 * 1024**3)
    made.append(("2 GB sparse file", ["run", str(sparse)]))
    made.append(
        ("`age: 1` + 400 zeros", ["run", case("zeros.yaml", HEAD + "  age: 1" + "0" * 400)])
    )
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules", rules)
    with (rules / "load.yaml").open("a") as handle:
        handle.write(
            "  - id: narrow-band\n    area: load\n    title: A narrow band\n"
            "    when: {all: [{fact: rpe_top_set, gt: 7.0}, {fact: rpe_top_set, lt: 7.2}]}\n"
            "    then: {urgency: doctor_soon}\n    source: s\n"
        )
    bombed = folder / "bombed-rules"
    shutil.copytree(ROOT / "rules", bombed)
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    pairs = zip("abcdefgh", "bcdefghi", strict=True)
    lines += [f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]" for a, b in pairs]
    (bombed / "bomb.yaml").write_text("\n".join(lines) + "\nrules: *i\n")
    made.append(("check, alias bomb in a rules file (1 KB)", ["check", str(bombed)]))
    made.append(("check, shipped rules", ["check"]))
    made.append(("check, plus the narrow-band rule", ["check", str(rules)]))
    return made


def measure(args: list[str]) -> tuple[float, float, int, int]:
    """Wall time, CPU time, exit code and peak memory (MiB) of one `triage` process."""
    command = [sys.executable, "-m", "triage", *args]
    if args[0] == "run":
        command.append("--quiet")
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    assert b"Traceback" not in err, err.decode()
    cpu = usage.ru_utime + usage.ru_stime
    return elapsed, cpu, os.waitstatus_to_exitcode(status), usage.ru_maxrss // 1024


def main() -> None:
    load = os.getloadavg()[0]
    print(
        f"hostile inputs: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load {load:.2f}"
    )
    print("  (the whole command, start-up and loading the rules included; CPU time is the")
    print("  figure to compare on a busy machine)")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(label, *measure(args)) for label, args in inputs(Path(tmp))]
    for label, seconds, cpu, code, mib in rows:
        print(
            f"  {label:42} exit {code}  wall {seconds:5.2f} s  cpu {cpu:5.2f} s  peak {mib:3} MiB"
        )


if __name__ == "__main__":
    main()
