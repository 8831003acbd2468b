"""The history file: created private, migrated, never corrupted, never overwritten when foreign."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from triage.files.history import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    HistoryError,
    NewCheckIn,
)

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 12, 1)


def checkin(on: date = DAY, severity: int = 5, **extra: object) -> NewCheckIn:
    return NewCheckIn(
        on=on,
        answers={"severity_0_10": severity, "pain_location": "lower_back_one_side"},
        asked=("saddle_numbness", "severity_0_10"),
        urgency="doctor_if_not_better",
        recommendations=("pause_squats",),
        fired=("strain-or-non-specific-pain",),
        findings=("strain_pattern",),
        kb_version="abc",
        **extra,  # type: ignore[arg-type]
    )


def test_a_new_history_is_private_to_its_owner(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "history.sqlite3"
    with History.open(path) as store:
        store.save(checkin())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_episodes_keep_their_checkins_in_order(tmp_path: Path) -> None:
    with History.open(tmp_path / "h.sqlite3") as store:
        first, _ = store.save(checkin(DAY, 6), onset=(date(2026, 11, 30), True))
        store.save(checkin(date(2026, 12, 8), 3, carried=("age",)), episode_id=first)
        other, _ = store.save(checkin(date(2026, 12, 9), 2), close_before=first)
        episodes = store.episodes()
    assert [e.id for e in episodes] == [first, other]
    one, two = episodes
    assert [c.answers["severity_0_10"] for c in one.checkins] == [6, 3]
    assert one.checkins[1].carried == ("age",)
    assert one.onset_known and one.day(date(2026, 12, 8)) == 8
    assert one.closed_reason == "new_pain" and one.closed_on == date(2026, 12, 9)
    assert two.onset_on == date(2026, 12, 9) and not two.onset_known


def test_forget_deletes_one_episode_and_forget_all_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History.open(path) as store:
        first, _ = store.save(checkin())
        second, _ = store.save(checkin())
        assert store.forget(first)
        assert not store.forget(first)
        assert [e.id for e in store.episodes()] == [second]
        assert store.forget_all() == 1
        assert store.episodes() == []
    assert b"lower_back_one_side" not in path.read_bytes(), "deleted answers linger in the file"


def _version_one(path: Path) -> None:
    """A history as the first schema version wrote it."""
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO episodes (id, onset_on, onset_known) VALUES (1, '2026-11-30', 1)")
    db.execute(
        "INSERT INTO checkins (episode_id, consulted_on, saved_at, answers, asked, urgency, "
        "recommendations, fired, findings, kb_version, recheck_on) VALUES (1, '2026-12-01', "
        "'2026-12-01T10:00:00+00:00', '{\"severity_0_10\": 6}', '[]', 'self_care', '[]', "
        "'[]', '[]', 'old', '2026-12-08')"
    )
    db.commit()
    db.close()


def test_an_older_history_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    _version_one(path)
    with History.open(path) as store:
        [episode] = store.episodes()
        store.save(checkin(date(2026, 12, 8), 3, carried=("age",)), episode_id=episode.id)
        [episode] = store.episodes()
    old, new = episode.checkins
    assert old.answers == {"severity_0_10": 6} and old.kb_version == "old"
    assert old.recheck_on == date(2026, 12, 8)
    assert old.carried == (), "a check-in from before version 2 carried nothing over"
    assert new.carried == ("age",)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_newer_history_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with History.open(path) as store:
        store.save(checkin())
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError) as caught:
        History.open(path)
    message = str(caught.value)
    assert str(path) in message and "newer" in message and "Update squat-triage" in message
    assert path.read_bytes() == before


@pytest.mark.parametrize("damage", ["garbage", "torn"])
def test_a_damaged_history_is_refused_and_left_untouched(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "h.sqlite3"
    if damage == "garbage":
        path.write_bytes(b"this is not a database\n" * 200)
    else:
        with History.open(path) as store:
            for _ in range(50):
                store.save(checkin())
        data = bytearray(path.read_bytes())
        data[4096 : 4096 * 3] = b"\xff" * 8192  # pages of the tables overwritten
        path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(HistoryError) as caught:
        History.open(path).episodes()
    message = str(caught.value)
    assert str(path) in message and "damaged" in message and "Move it aside" in message
    assert path.read_bytes() == before


def test_someone_elses_sqlite_file_is_not_taken_over(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="not a squat-triage history"):
        History.open(path)
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_gives_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(HistoryError, match="cannot be created"):
            History.open(folder / "history.sqlite3")
    finally:
        folder.chmod(0o700)


def test_a_folder_that_cannot_be_made_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(HistoryError) as caught:
        History.open(blocker / "history.sqlite3")
    assert "cannot be created" in str(caught.value) and "--no-history" in str(caught.value)


# --- several processes ------------------------------------------------------------------------

SAVER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    from triage.files.history import History, NewCheckIn

    path, start, count, tag = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    while time.time() < start:
        time.sleep(0.001)
    for n in range(count):
        with History.open(path) as store:
            store.save(NewCheckIn(date(2026, 12, 1), {"tag": tag, "n": n}, (), "self_care",
                                  (), (), (), "v"))
    """
)


@pytest.mark.acceptance  # real processes
def test_two_processes_saving_at_once_both_land(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    start = time.time() + 1.0  # both start saving at the same moment
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(path), str(start), "25", tag],
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        for tag in ("left", "right")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    with History.open(path) as store:
        saved = [c.answers for e in store.episodes() for c in e.checkins]
    for tag in ("left", "right"):
        assert sorted(a["n"] for a in saved if a["tag"] == tag) == list(range(25))


STALLED = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    from triage.files.history import History, NewCheckIn

    path, ready = Path(sys.argv[1]), Path(sys.argv[2])

    class Stall:
        # The connection, stalling just before the check-in row: the episode row is written.
        def __init__(self, db):
            self.db = db
        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO checkins"):
                ready.write_text("episode written")
                time.sleep(60)
            return self.db.execute(sql, *args)
        def __getattr__(self, name):
            return getattr(self.db, name)

    store = History.open(path)
    store._db = Stall(store._db)
    store.save(NewCheckIn(date(2026, 12, 8), {"severity_0_10": 1}, (), "self_care", (), (), (),
                          "v"))
    """
)


@pytest.mark.acceptance  # real processes
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_a_save_cut_short_leaves_the_history_as_it_was(tmp_path: Path, how: int) -> None:
    path, ready = tmp_path / "h.sqlite3", tmp_path / "ready"
    with History.open(path) as store:
        store.save(checkin())
        before = store.episodes()
    proc = subprocess.Popen(
        [sys.executable, "-c", STALLED, str(path), str(ready)], cwd=ROOT, stderr=subprocess.PIPE
    )
    deadline = time.time() + 30
    while not ready.exists():
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.time() < deadline, "the save never started"
        time.sleep(0.01)
    proc.send_signal(how)
    proc.communicate(timeout=30)
    assert proc.returncode != 0
    with History.open(path) as store:
        assert store.episodes() == before
        store.save(checkin(date(2026, 12, 9)))  # and the file is writable again
        assert len(store.episodes()) == 2
