"""`triage report CASE`: a case's consultation as a document to share (Markdown or HTML)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.cli.common import BadInput, load_kb_for, region_option, rules_option, today
from triage.render.registry import formats


@click.command()
@click.argument("case", metavar="CASE")
@rules_option
@region_option
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (.md or .html picks the format) instead of standard output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(formats("report")),
    default=None,
    help="Markdown or HTML (default: from the --output extension, else markdown).",
)
def report(
    case: str, rules_dir: Path | None, region: str | None, output: Path | None, fmt: str | None
) -> None:
    """Write the consultation of a case file for a coach, physio or doctor to read.

    The report holds the date, the answers in plain words, the urgency with its date, why
    (the rules that fired, with sources), every action with its steps, the safety net, the
    notice and the rules' version (a hash of the knowledge base). The HTML page is one file
    with no scripts or outside resources, and prints on A4 or Letter. CASE may be - (stdin).
    Dates count from today (TRIAGE_TODAY=YYYY-MM-DD fixes it, for tests and demos).

    Exit 0 when written, 2 for a malformed case or rule base, or an output that cannot be
    written.

    \b
    Examples:
      triage report my-back.yaml -o my-back.html
      triage report cases/doms-first-heavy-week.yaml --region us --format html > doms.html
    """
    from triage.files.cases import read_case
    from triage.files.output import open_output
    from triage.interview import replay
    from triage.model.errors import InputError
    from triage.render.registry import reporter
    from triage.render.report import Consultation, format_for

    kind = fmt or (format_for(str(output)) if output is not None else None) or "markdown"
    if output is not None and not (output.parent or Path(".")).is_dir():
        raise click.BadParameter(f"no such folder: {output.parent}", param_hint="--output")
    day = today()
    kb = load_kb_for(rules_dir, region)
    try:
        loaded = read_case(case, kb, getattr(sys.stdin, "buffer", sys.stdin))
    except InputError as err:
        raise BadInput(err) from None
    interview = replay(kb, loaded.answers)
    consultation = Consultation.of(interview, interview.result(), loaded.title or "", day)
    text = reporter("report", kind)(consultation)
    try:
        with open_output(output) as handle:
            handle.write(text)
    except OSError as err:
        click.echo(f"error: {output}: cannot write the report: {err.strerror}", err=True)
        sys.exit(2)
