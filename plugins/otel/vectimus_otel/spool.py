"""The spool: decisions waiting to be exported, in ``<vectimus home>/otel/`` (0700, files 0600).

The hook appends one JSON line per decision to ``spool.jsonl`` with a single ``O_APPEND`` write and
no lock, so nothing a collector does can slow a decision. When the spool already holds
``spool_max_bytes``, the decision is not spooled and one byte is appended to ``dropped`` instead:
the spool is a bounded queue, and what it could not hold is counted.

Exporters (the resident evaluator's background thread, a session end, ``vectimus otel flush``)
take ``export.lock`` (one at a time, waiting a bounded time), read from where the last one stopped
(``state.json``: an offset per file, and the counters), and move the offsets only past what the
collector accepted: delivery is at least once. A fully read ``spool.jsonl`` past ``ROTATE_BYTES``
is renamed ``spool-<ns>.jsonl`` so it can be deleted once no writer can still be appending to it.
Standard library only.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

from vectimus import atomic
from vectimus.records import Record

DIRECTORY = "otel"
CURRENT = "spool.jsonl"
ROTATED_GLOB = "spool-*.jsonl"
STATE = "state.json"
DROPPED = "dropped"
LOCK = "export.lock"
ROTATE_BYTES = 1 << 20     # a fully exported current file at least this big is rotated away
GRACE = 5.0                # seconds after its last write before a rotated file may be deleted
READ_BYTES = 4 << 20       # at most this much of one file is read per batch
_FLAGS = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


class Item(Record):
    """One spooled line: the file it is in, the offset just past it, and its record (None: unreadable)."""

    file: str
    end: int
    record: dict | None


def _append(path: Path, data: bytes, max_bytes: int | None = None) -> bool:
    fd = os.open(path, _FLAGS, 0o600)
    try:
        if max_bytes is not None and os.fstat(fd).st_size + len(data) > max_bytes:
            return False
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return True
    finally:
        os.close(fd)


class Spool:
    """One Vectimus home's spool directory."""

    def __init__(self, home: Path):
        self.dir = Path(home) / DIRECTORY

    # ------------------------------------------------------------------ the hook's side
    def append(self, record: dict, max_bytes: int) -> bool:
        """Spool ``record`` unless the spool is full; count it as dropped otherwise. Never raises."""
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "replace") + b"\n"
        try:
            try:
                if _append(self.dir / CURRENT, line, max_bytes):
                    return True
            except FileNotFoundError:
                self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
                if _append(self.dir / CURRENT, line, max_bytes):
                    return True
        except OSError:
            pass
        self.count_dropped()
        return False

    def count_dropped(self) -> None:
        """Count one decision that could not be spooled. Never raises."""
        try:
            _append(self.dir / DROPPED, b"x")
        except OSError:
            pass  # the disk is full or the directory unwritable: the local signed log says what happened

    # ------------------------------------------------------------------ the exporters' side
    @contextmanager
    def exclusive(self, wait: float):
        """Hold the export lock (waiting at most ``wait`` s); yield the ``Pass``, or None if busy."""
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.dir / LOCK, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        yield None
                        return
                    time.sleep(0.05)
            yield Pass(self, self.read_state())
        finally:
            os.close(fd)

    def read_state(self) -> dict:
        """The exporters' state: offsets by file, counters, last outcome."""
        try:
            state = json.loads((self.dir / STATE).read_text())
            if isinstance(state, dict) and isinstance(state.get("offsets"), dict):
                return state
        except (OSError, ValueError):
            pass
        return {"offsets": {}, "sent": 0, "rejected": 0}

    def files(self) -> list[str]:
        """The spool files, oldest first (rotated ones, then the current one)."""
        names = sorted(p.name for p in self.dir.glob(ROTATED_GLOB))
        return names + [CURRENT] if (self.dir / CURRENT).exists() else names

    def start(self, state: dict, name: str) -> int:
        """Where reading ``name`` resumes (0 when the file is not the one the offset was for)."""
        try:
            inode = os.stat(self.dir / name).st_ino
        except OSError:
            return 0
        mark = state["offsets"].get(name)
        return mark[1] if isinstance(mark, list) and len(mark) == 2 and mark[0] == inode else 0

    def dropped(self) -> int:
        """Decisions that were not spooled (the spool was full or unwritable)."""
        try:
            return os.stat(self.dir / DROPPED).st_size
        except OSError:
            return 0

    def counts(self) -> dict:
        """Spooled, sent, dropped and pending decisions, and the last export's outcome (no lock taken)."""
        state = self.read_state()
        pending = 0
        for name in self.files():
            try:
                with open(self.dir / name, "rb") as fh:
                    fh.seek(self.start(state, name))
                    pending += fh.read().count(b"\n")
            except OSError:
                continue
        sent, rejected = int(state.get("sent", 0)), int(state.get("rejected", 0))
        return {"spooled": sent + rejected + pending, "sent": sent, "pending": pending,
                "dropped": self.dropped() + rejected,
                **{k: state[k] for k in ("last_success", "last_attempt", "last_error", "failures") if k in state}}


class Pass:
    """One exporter's turn at the spool, under the export lock: read, commit, tidy."""

    def __init__(self, spool: Spool, state: dict):
        self.spool = spool
        self.state = state

    def read(self, limit: int) -> list[Item]:
        """Up to ``limit`` pending lines, oldest first (a torn last line is left for later)."""
        items: list[Item] = []
        for name in self.spool.files():
            offset = self.spool.start(self.state, name)
            try:
                with open(self.spool.dir / name, "rb") as fh:
                    fh.seek(offset)
                    data = fh.read(READ_BYTES)
            except OSError:
                continue
            for line in data[:data.rfind(b"\n") + 1].splitlines(keepends=True):
                offset += len(line)
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                items.append(Item(name, offset, record if isinstance(record, dict) else None))
                if len(items) >= limit:
                    return items
        return items

    def commit(self, items: list[Item], *, sent: int) -> None:
        """Move past ``items`` (which the collector accepted, or which were unreadable) and save."""
        offsets = self.state["offsets"]
        for item in items:
            try:
                inode = os.stat(self.spool.dir / item.file).st_ino
            except OSError:
                continue
            offsets[item.file] = [inode, item.end]
        self.state["sent"] = int(self.state.get("sent", 0)) + sent
        self.state["rejected"] = int(self.state.get("rejected", 0)) + sum(i.record is None for i in items)
        self.save()

    def outcome(self, error: str = "") -> None:
        """Record the result of an export attempt (``error`` empty: it succeeded) and save."""
        now = time.time()
        self.state["last_attempt"] = now
        if error:
            self.state["last_error"] = error[:300]
            self.state["failures"] = int(self.state.get("failures", 0)) + 1
        else:
            self.state["last_success"] = now
            self.state["failures"] = 0
            self.state.pop("last_error", None)
        self.save()

    def tidy(self) -> None:
        """Delete rotated files that are exported and quiet; rotate a big, fully exported current file."""
        directory = self.spool.dir
        now = time.time()
        for name in self.spool.files():
            path = directory / name
            try:
                st = os.stat(path)
            except OSError:
                continue
            done = self.spool.start(self.state, name) >= st.st_size
            if name == CURRENT:
                if done and st.st_size >= ROTATE_BYTES:
                    rotated = f"spool-{time.time_ns():020d}.jsonl"
                    os.rename(path, directory / rotated)
                    self.state["offsets"][rotated] = self.state["offsets"].pop(CURRENT)
            elif now - st.st_mtime > GRACE and (done or self._torn_tail(path)):
                os.unlink(path)
                self.state["offsets"].pop(name, None)
        live = set(self.spool.files())
        self.state["offsets"] = {k: v for k, v in self.state["offsets"].items() if k in live}
        self.save()

    def _torn_tail(self, path: Path) -> bool:
        """A quiet rotated file whose only unread bytes are a line a crashed writer never finished."""
        with open(path, "rb") as fh:
            fh.seek(self.spool.start(self.state, path.name))
            rest = fh.read()
        if rest and b"\n" not in rest:
            self.state["rejected"] = int(self.state.get("rejected", 0)) + 1
            return True
        return False

    def save(self) -> None:
        atomic.write(self.spool.dir / STATE, json.dumps(self.state, separators=(",", ":")), 0o600)

