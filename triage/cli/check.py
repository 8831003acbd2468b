"""`triage check`: verify a knowledge base, proving its invariants over every answer."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.cli.common import format_option, load_kb, rules_option


@click.command()
@click.argument(
    "rules_arg",
    metavar="[RULES]",
    required=False,
    type=click.Path(file_okay=False, path_type=Path),
)
@rules_option
@format_option("check")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings as well as errors.")
@click.option(
    "--counterexamples",
    "examples_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write each violated invariant's counterexample as a case file in this folder.",
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Stop after about this long: report what was proved and what was not finished (exit 1).",
)
def check(
    rules_arg: Path | None,
    rules_dir: Path | None,
    fmt: str,
    strict: bool,
    examples_dir: Path | None,
    max_seconds: float | None,
) -> None:
    """Verify the rules: schema, references, anomalies, and proofs of the invariants.

    Each invariant is proved over every combination of answers; a violated one is shown
    with a smallest set of answers that breaks it. Exit 0 when no error is found (warnings
    too with --strict), 1 when one is or --max-seconds cut a check short, 2 when the rules
    cannot be read.

    \b
    Examples:
      triage check
      triage check my-rules/ --strict --format json
    """
    from triage.files.casefile import write_atomic
    from triage.render.registry import reporter
    from triage.tools.verify import check_knowledge
    from triage.tools.verify.invariants import counterexample_case

    if rules_arg is not None and rules_dir is not None and rules_arg != rules_dir:
        raise click.UsageError("give the rules folder once: as RULES or as --rules, not both")
    kb = load_kb(rules_arg if rules_arg is not None else rules_dir)
    if examples_dir is not None:
        # Before the proofs, not after: a folder that cannot be made is known at once.
        try:
            examples_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise click.UsageError(
                f"cannot create the counterexamples folder {examples_dir}: {err.strerror}"
            ) from None
    report = check_knowledge(kb, max_seconds)
    if examples_dir is not None:
        by_id = {inv.id: inv for inv in kb.invariants}
        for inv_id, answers in report.counterexamples.items():
            text = counterexample_case(by_id[inv_id], answers, examples_dir)
            write_atomic(examples_dir / f"{inv_id}.yaml", text)
    click.echo(reporter("check", fmt)(report))
    if fmt == "text" and examples_dir is not None and report.counterexamples:
        click.echo(
            f"counterexamples written to {examples_dir}: "
            + ", ".join(f"{inv_id}.yaml" for inv_id in report.counterexamples)
        )
    sys.exit(report.exit_code(strict))
