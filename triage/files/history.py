"""The local history of consultations: a SQLite file of episodes and their check-ins.

Usage (nothing here prints or exits; problems are `HistoryError` with a message for the user)::

    from triage.files.history import History, NewCheckIn, default_path

    with History.open(default_path(os.environ)) as history:
        episodes = history.episodes()            # oldest first, each with its check-ins
        episode_id, checkin_id = history.save(NewCheckIn(...), episode_id=None, onset=...)
        history.close_episode(episode_id, on=date.today(), reason="gone")
        history.forget(episode_id); history.forget_all()

Why it is built this way:

- Every write is one transaction begun with `BEGIN IMMEDIATE`, so two terminals saving at once
  queue on SQLite's lock (`busy_timeout`) instead of failing, and a Ctrl-C or a kill in the
  middle leaves the rollback journal that SQLite replays on the next open: the file is as it
  was before that consultation.
- The schema has a version (`PRAGMA user_version`) and a list of migrations applied in order
  inside one transaction; a file from a newer version, a damaged file or a SQLite file that is
  not ours is refused with a message naming it and is never written to.
- The file is created readable and writable by its owner only (the answers are about health),
  in a folder only its owner can enter when the folder is new.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from triage.model.errors import TriageError

APP_NAME = "squat-triage"
FILE_NAME = "history.sqlite3"
ENV_VAR = "TRIAGE_HISTORY"
# "SQTR": marks the file as ours, so a stranger's SQLite file is never migrated into one.
APPLICATION_ID = 0x53515452
BUSY_TIMEOUT_S = 30.0

# Each entry takes the schema from version i to i + 1; never edit one that has shipped.
MIGRATIONS: tuple[str, ...] = (
    # 1: episodes and their check-ins.
    """
    CREATE TABLE episodes (
        id INTEGER PRIMARY KEY,
        onset_on TEXT NOT NULL,
        onset_known INTEGER NOT NULL,
        closed_on TEXT,
        closed_reason TEXT
    );
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        episode_id INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
        consulted_on TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        answers TEXT NOT NULL,
        asked TEXT NOT NULL,
        urgency TEXT NOT NULL,
        recommendations TEXT NOT NULL,
        fired TEXT NOT NULL,
        findings TEXT NOT NULL,
        kb_version TEXT NOT NULL,
        recheck_on TEXT
    );
    CREATE INDEX checkins_by_episode ON checkins (episode_id, consulted_on, id);
    """,
    # 2: which answers a check-in carried over from the episode instead of asking.
    """
    ALTER TABLE checkins ADD COLUMN carried TEXT NOT NULL DEFAULT '[]';
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(TriageError):
    """The history cannot be used; the message names the file and what to do about it."""

    def __init__(self, path: Path, problem: str, advice: str) -> None:
        super().__init__(f"{path}: {problem}. {advice}", "I502", advice)
        self.path, self.problem, self.advice = path, problem, advice


def default_path(environ: Mapping[str, str]) -> Path:
    """`TRIAGE_HISTORY` if set, else the user's data folder for the app (`click.get_app_dir`)."""
    override = environ.get(ENV_VAR)
    if override:
        return Path(override).expanduser()
    import click

    return Path(click.get_app_dir(APP_NAME)) / FILE_NAME


@dataclass(frozen=True)
class NewCheckIn:
    """One finished consultation, as it is saved."""

    on: date
    answers: Mapping[str, Any]
    asked: tuple[str, ...]
    urgency: str
    recommendations: tuple[str, ...]
    fired: tuple[str, ...]
    findings: tuple[str, ...]
    kb_version: str
    recheck_on: date | None = None
    carried: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckIn(NewCheckIn):
    id: int = 0
    episode_id: int = 0
    saved_at: str = ""


@dataclass(frozen=True)
class Episode:
    """Consultations about one pain; `onset_known` is False when its start was not given."""

    id: int
    onset_on: date
    onset_known: bool
    closed_on: date | None = None
    closed_reason: str | None = None
    checkins: tuple[CheckIn, ...] = field(default_factory=tuple)

    def day(self, on: date) -> int:
        """The day of the pain on a date (0 = the day it began)."""
        return (on - self.onset_on).days


class History:
    """An open history file. Use as a context manager, or call `close()`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    # --- opening -----------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> History:
        """Open the history at `path`, creating it (and its folder) if needed.

        Raises HistoryError when the folder or file cannot be created or written, the file is
        damaged, is not a history, or was written by a newer version; nothing is changed then.
        """
        path = Path(path)
        _create_file(path)
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as err:
            raise _error(path, err) from None
        history = cls(path, db)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            history._migrate()
        except sqlite3.Error as err:
            db.close()
            raise _error(path, err) from None
        except BaseException:
            db.close()
            raise
        return history

    def _migrate(self) -> None:
        db = self._db
        version = self._check_version()
        if version == SCHEMA_VERSION:
            return
        with self._write():
            version = self._check_version()  # another process may have migrated meanwhile
            if version == 0:
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check_version(self) -> int:
        db = self._db
        row = db.execute("PRAGMA quick_check").fetchone()
        if row is None or row[0] != "ok":
            raise HistoryError(
                self.path,
                f"the history database is damaged ({row[0] if row else 'no answer'})",
                _MOVE_AWAY,
            )
        version = db.execute("PRAGMA user_version").fetchone()[0]
        app = db.execute("PRAGMA application_id").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        if app != APPLICATION_ID and (app != 0 or tables or version):
            raise HistoryError(
                self.path,
                "this SQLite file is not a squat-triage history",
                "Point --history (or TRIAGE_HISTORY) at another file; this one was left as it is.",
            )
        if version > SCHEMA_VERSION:
            raise HistoryError(
                self.path,
                f"the history was written by a newer squat-triage (schema version {version}; "
                f"this one knows up to {SCHEMA_VERSION})",
                "Update squat-triage, or use --history with another file; this one was left "
                "as it is.",
            )
        return int(version)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction: all of it lands, or (error, Ctrl-C, kill) none of it.

        SQLite's own errors come out as a HistoryError naming the file.
        """
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as err:
            raise _error(self.path, err) from None

    # --- reading -----------------------------------------------------------------------

    def episodes(self) -> list[Episode]:
        """Every episode, oldest first, with its check-ins in the order they were made."""
        try:
            rows = self._db.execute(
                "SELECT id, onset_on, onset_known, closed_on, closed_reason FROM episodes "
                "ORDER BY id"
            ).fetchall()
            checkins: dict[int, list[CheckIn]] = {}
            for row in self._db.execute(
                "SELECT id, episode_id, consulted_on, saved_at, answers, asked, urgency, "
                "recommendations, fired, findings, kb_version, recheck_on, carried "
                "FROM checkins ORDER BY consulted_on, id"
            ):
                checkins.setdefault(row[1], []).append(_checkin(row))
        except (sqlite3.Error, ValueError) as err:
            raise _error(self.path, err) from None
        return [
            Episode(
                id=row[0],
                onset_on=date.fromisoformat(row[1]),
                onset_known=bool(row[2]),
                closed_on=date.fromisoformat(row[3]) if row[3] else None,
                closed_reason=row[4],
                checkins=tuple(checkins.get(row[0], ())),
            )
            for row in rows
        ]

    # --- writing -----------------------------------------------------------------------

    def save(
        self,
        checkin: NewCheckIn,
        episode_id: int | None = None,
        onset: tuple[date, bool] | None = None,
        close_before: int | None = None,
    ) -> tuple[int, int]:
        """Save a check-in, to `episode_id` or to a new episode starting on `onset`.

        `close_before` closes that episode ("a new pain") in the same transaction. Returns
        (episode id, check-in id).
        """
        db = self._db
        with self._write():
            if close_before is not None:
                db.execute(
                    "UPDATE episodes SET closed_on = ?, closed_reason = ? "
                    "WHERE id = ? AND closed_on IS NULL",
                    (checkin.on.isoformat(), "new_pain", close_before),
                )
            if episode_id is None:
                start, known = onset if onset is not None else (checkin.on, False)
                episode_id = db.execute(
                    "INSERT INTO episodes (onset_on, onset_known) VALUES (?, ?)",
                    (start.isoformat(), int(known)),
                ).lastrowid
            elif (
                db.execute("SELECT 1 FROM episodes WHERE id = ?", (episode_id,)).fetchone() is None
            ):
                raise HistoryError(
                    self.path,
                    f"episode {episode_id} is no longer in the history (deleted meanwhile?)",
                    "Run the consultation again to start a new episode.",
                )
            checkin_id = db.execute(
                "INSERT INTO checkins (episode_id, consulted_on, saved_at, answers, asked, "
                "urgency, recommendations, fired, findings, kb_version, recheck_on, carried) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    episode_id,
                    checkin.on.isoformat(),
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    json.dumps(dict(checkin.answers), ensure_ascii=False),
                    json.dumps(list(checkin.asked)),
                    checkin.urgency,
                    json.dumps(list(checkin.recommendations)),
                    json.dumps(list(checkin.fired)),
                    json.dumps(list(checkin.findings)),
                    checkin.kb_version,
                    checkin.recheck_on.isoformat() if checkin.recheck_on else None,
                    json.dumps(list(checkin.carried)),
                ),
            ).lastrowid
        assert episode_id is not None and checkin_id is not None
        return episode_id, checkin_id

    def close_episode(self, episode_id: int, on: date, reason: str) -> bool:
        """Mark an open episode closed; False when there is no such open episode."""
        with self._write():
            cursor = self._db.execute(
                "UPDATE episodes SET closed_on = ?, closed_reason = ? "
                "WHERE id = ? AND closed_on IS NULL",
                (on.isoformat(), reason, episode_id),
            )
        return cursor.rowcount > 0

    def forget(self, episode_id: int) -> bool:
        """Delete an episode and its check-ins; False when there is no such episode."""
        with self._write():
            self._db.execute("DELETE FROM checkins WHERE episode_id = ?", (episode_id,))
            cursor = self._db.execute("DELETE FROM episodes WHERE id = ?", (episode_id,))
        self._shrink()
        return cursor.rowcount > 0

    def forget_all(self) -> int:
        """Delete every episode and check-in; the number of episodes deleted."""
        with self._write():
            self._db.execute("DELETE FROM checkins")
            count = self._db.execute("DELETE FROM episodes").rowcount
        self._shrink()
        return count

    def _shrink(self) -> None:
        """Deleted answers should not linger in free pages of the file."""
        # When another process is reading, VACUUM fails; the rows stay deleted all the same.
        with contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("VACUUM")


_MOVE_AWAY = (
    "Move it aside (for example rename it to history.damaged) and the next consultation "
    "starts a new one; it was left as it is."
)


def _error(path: Path, err: BaseException) -> HistoryError:
    text = str(err)
    low = text.lower()
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return HistoryError(path, f"the history database is damaged ({text})", _MOVE_AWAY)
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return HistoryError(
            path,
            f"the history cannot be written ({text})",
            "Check the permissions of the file and its folder, or use --history with a "
            "writable path, or --no-history.",
        )
    if "locked" in low or "busy" in low:
        return HistoryError(
            path,
            f"the history is busy ({text})",
            "Another triage process is holding it; try again when it has finished.",
        )
    return HistoryError(path, f"the history cannot be used ({text})", _MOVE_AWAY)


def _create_file(path: Path) -> None:
    """Create the folder (owner only) and the file (owner only) unless they exist."""
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except IsADirectoryError:
        raise HistoryError(path, "this is a folder", "Give --history a file name.") from None
    except OSError as err:
        raise HistoryError(
            path,
            f"the history cannot be created or opened ({err.strerror})",
            "Use --history with a writable path, set TRIAGE_HISTORY, or use --no-history.",
        ) from None


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _checkin(row: tuple[Any, ...]) -> CheckIn:
    return CheckIn(
        id=row[0],
        episode_id=row[1],
        on=date.fromisoformat(row[2]),
        saved_at=row[3],
        answers=json.loads(row[4]),
        asked=tuple(json.loads(row[5])),
        urgency=row[6],
        recommendations=tuple(json.loads(row[7])),
        fired=tuple(json.loads(row[8])),
        findings=tuple(json.loads(row[9])),
        kb_version=row[10],
        recheck_on=date.fromisoformat(row[11]) if row[11] else None,
        carried=tuple(json.loads(row[12])),
    )
