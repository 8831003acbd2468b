"""`triage history`: the check-ins kept by `triage ask`, their export and their deletion."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from triage.cli.common import (
    format_option,
    history_option,
    history_path,
    load_kb,
    rules_option,
    today,
)

if TYPE_CHECKING:
    from triage.files.history import Episode
    from triage.model.knowledge import KnowledgeBase


@click.command()
@rules_option
@history_option
@format_option("history")
@click.option("--due", is_flag=True, help="Only episodes whose check-in day has come.")
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write every check-in as a case file into this folder (for `triage run`).",
)
@click.option("--forget", "forget_id", type=int, metavar="EPISODE", help="Delete one episode.")
@click.option("--forget-all", is_flag=True, help="Delete every episode and check-in.")
@click.option("--yes", is_flag=True, help="Do not ask before --forget-all.")
def history(
    rules_dir: Path | None,
    history_file: Path | None,
    fmt: str,
    due: bool,
    export_dir: Path | None,
    forget_id: int | None,
    forget_all: bool,
    yes: bool,
) -> None:
    """Your check-ins over time: one table per episode (one pain), with a severity
    sparkline and the next check-in date.

    \b
    Examples:
      triage history
      triage history --format csv > checkins.csv
      triage history --due            # prints nothing unless a check-in is due (for cron)
      triage history --export my-checkins/ && triage run my-checkins/
      triage history --forget 2       # delete episode 2
      triage history --forget-all --yes

    Exit 0; 1 when --forget names no episode; 2 when the history cannot be read.
    """
    from triage.files.history import History, HistoryError

    actions = sum([due, export_dir is not None, forget_id is not None, forget_all])
    if actions > 1:
        raise click.UsageError("--due, --export, --forget and --forget-all go one at a time")
    path = history_path(history_file)
    day = today()
    if not path.exists():
        if forget_id is not None:
            click.echo(f"error: {path}: there is no episode {forget_id} (no history yet)", err=True)
            sys.exit(1)
        if not (due and fmt == "text"):
            _show(fmt, str(path), [], day, load_kb(rules_dir))
        return
    if forget_all and not yes:
        click.confirm(f"Delete every consultation kept in {path}?", abort=True, err=True)
    try:
        with History.open(path) as store:
            if forget_id is not None:
                if not store.forget(forget_id):
                    click.echo(f"error: {path}: there is no episode {forget_id}", err=True)
                    sys.exit(1)
                click.echo(f"Episode {forget_id} and its check-ins are deleted from {path}.")
                return
            if forget_all:
                count = store.forget_all()
                click.echo(f"Deleted {count} episode(s) and their check-ins from {path}.")
                return
            episodes = store.episodes()
    except HistoryError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    kb = load_kb(rules_dir)
    if export_dir is not None:
        _export(episodes, export_dir, kb)
        return
    if due:
        from triage.tools.episodes import due as due_episodes

        episodes = due_episodes(episodes, day, kb)
        if fmt == "text":
            from triage.render.history import render_due

            if episodes:
                click.echo(render_due(episodes, day, kb))
            return
    _show(fmt, str(path), episodes, day, kb)


def _show(fmt: str, path: str, episodes: list[Episode], day: date, kb: KnowledgeBase) -> None:
    from triage.render.registry import reporter

    text = reporter("history", fmt)(path, episodes, day, kb)
    click.echo(text, nl=not text.endswith("\n"))


def _export(episodes: list[Episode], folder: Path, kb: KnowledgeBase) -> None:
    """Each check-in as a case file whose `expect` block is the advice it got."""
    from triage.files.casefile import dump_case, write_atomic

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        click.echo(f"error: {folder}: cannot create the folder ({err.strerror})", err=True)
        sys.exit(2)
    count = 0
    for episode in episodes:
        for number, checkin in enumerate(episode.checkins, start=1):
            name = f"episode-{episode.id}-checkin-{number}-{checkin.on.isoformat()}.yaml"
            answers = {f: checkin.answers[f] for f in kb.questions if f in checkin.answers}
            unknown = sorted(set(checkin.answers) - set(kb.questions))
            if unknown:
                click.echo(
                    f"warning: {name}: left out answers the current rules do not know: "
                    + ", ".join(unknown),
                    err=True,
                )
            title = (
                f"Episode {episode.id}, check-in {number}: {checkin.on.isoformat()}, "
                f"day {episode.day(checkin.on)} of the pain"
            )
            expect = {"urgency": checkin.urgency, "includes": list(checkin.recommendations)}
            text = dump_case(answers, title=title, expect=expect, schema=_schema_ref(folder))
            try:
                write_atomic(folder / name, text)
            except OSError as err:
                click.echo(f"error: {folder / name}: cannot write ({err.strerror})", err=True)
                sys.exit(2)
            count += 1
    click.echo(f"Wrote {count} case file(s) to {folder}; check them with: triage run {folder}")


def _schema_ref(folder: Path) -> str:
    from triage.interview import schema_ref

    return schema_ref(folder / "case.yaml")
