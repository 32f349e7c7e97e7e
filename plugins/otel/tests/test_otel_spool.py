"""The spool: lock-free appends from many processes, a bounded size, at-least-once reading, rotation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from vectimus_otel import spool as spool_module
from vectimus_otel.spool import CURRENT, Spool

WRITER = """
import sys
from pathlib import Path
from vectimus_otel.spool import Spool
spool = Spool(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    spool.append({"writer": sys.argv[2], "i": i, "pad": "x" * 300}, 1 << 30)
"""


def drain(spool: Spool, limit: int = 10_000) -> list:
    with spool.exclusive(1) as turn:
        items = turn.read(limit)
        turn.commit(items, sent=sum(item.record is not None for item in items))
        turn.tidy()
    return items


def test_concurrent_writers_lose_and_tear_nothing(tmp_path: Path):
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(w), "300"]) for w in range(4)]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    spool = Spool(tmp_path)
    items = drain(spool)
    assert len(items) == 1200 and all(item.record is not None for item in items)
    assert {(i.record["writer"], i.record["i"]) for i in items} == {(str(w), i) for w in range(4) for i in range(300)}
    assert spool.counts() == {"spooled": 1200, "sent": 1200, "pending": 0, "dropped": 0}


def test_the_spool_is_bounded_and_counts_what_it_could_not_hold(tmp_path: Path):
    spool = Spool(tmp_path)
    kept = [spool.append({"i": i, "pad": "x" * 100}, 400) for i in range(6)]
    assert kept == [True, True, True, False, False, False]
    assert spool.counts()["dropped"] == 3 and spool.counts()["pending"] == 3
    assert oct((tmp_path / "otel").stat().st_mode & 0o777) == "0o700"
    assert oct((tmp_path / "otel" / CURRENT).stat().st_mode & 0o777) == "0o600"


def test_only_what_was_committed_is_skipped(tmp_path: Path):
    spool = Spool(tmp_path)
    for i in range(5):
        spool.append({"i": i}, 1 << 20)
    with spool.exclusive(1) as turn:
        first = turn.read(2)
        turn.commit(first, sent=2)
        turn.read(3)  # read but not committed (the export failed): read again next time
    with spool.exclusive(1) as turn:
        assert [item.record["i"] for item in turn.read(10)] == [2, 3, 4]
    assert spool.counts()["pending"] == 3


def test_a_torn_line_waits_and_a_garbled_one_is_counted_dropped(tmp_path: Path):
    spool = Spool(tmp_path)
    spool.append({"i": 0}, 1 << 20)
    with open(tmp_path / "otel" / CURRENT, "ab") as fh:
        fh.write(b'{"garbled\n{"i": 2')  # a line that is not JSON, then a write still in progress
    items = drain(spool)
    assert [item.record for item in items] == [{"i": 0}, None]
    with open(tmp_path / "otel" / CURRENT, "ab") as fh:
        fh.write(b"}\n")
    assert [item.record for item in drain(spool)] == [{"i": 2}]
    assert spool.counts()["dropped"] == 1 and spool.counts()["sent"] == 2


def test_a_fully_sent_spool_is_rotated_and_then_deleted(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(spool_module, "ROTATE_BYTES", 100)
    monkeypatch.setattr(spool_module, "GRACE", 0.0)
    spool = Spool(tmp_path)
    for i in range(3):
        spool.append({"i": i, "pad": "x" * 50}, 1 << 20)
    with spool.exclusive(1) as turn:
        turn.commit(turn.read(10), sent=3)
        turn.tidy()
    rotated = spool.files()
    assert len(rotated) == 1 and rotated[0].startswith("spool-")
    spool.append({"i": 3}, 1 << 20)  # a new current file
    late = tmp_path / "otel" / rotated[0]
    with open(late, "a") as fh:  # a writer that opened the old file just before it was renamed
        fh.write(json.dumps({"i": "late"}) + "\n")
    os.utime(late, (time.time() - 1, time.time() - 1))
    assert [item.record["i"] for item in drain(spool)] == ["late", 3]
    assert spool.files() == [CURRENT]
    assert spool.counts() == {"spooled": 5, "sent": 5, "pending": 0, "dropped": 0}


def test_a_busy_spool_is_not_waited_for_longer_than_asked(tmp_path: Path):
    spool = Spool(tmp_path)
    with spool.exclusive(1) as first:
        assert first is not None
        started = time.monotonic()
        with spool.exclusive(0.3) as second:
            assert second is None
        assert 0.25 < time.monotonic() - started < 3
