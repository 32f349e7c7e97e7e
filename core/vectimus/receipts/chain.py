"""The local receipt log: signed receipts chained into ``<project>/.vectimus/receipts/``.

Layout: ``segment-<first seq, 12 digits>.jsonl`` files of receipt envelopes (a new segment every
``receipts.segment_receipts`` receipts), ``checkpoints.jsonl`` with signed checkpoints (log size
and RFC 6962 Merkle root) every ``receipts.checkpoint_every`` receipts and at session end,
``pruned.jsonl`` with the signed records of segments ``vectimus receipts prune`` removed, and
``state.json``: the writer's cache (log id, size, last payload hash, Merkle frontier, current
segment, and where the last ``RECENT`` calls' receipts are).

- **One writer at a time, for a bounded time.** Writers hold an exclusive ``flock`` on the
  receipts directory while they append; one that cannot get it within ``LOCK_TIMEOUT`` (a hung or
  hostile holder) raises ``ReceiptLogError``, which the hook answers with a deny.
- **No links.** ``.vectimus`` and ``receipts`` must be real directories of this user and every
  file is opened ``O_NOFOLLOW`` relative to them (``vectimus.receipts.files``).
- **Only our own log is continued.** ``state.json`` names the directory it was written in (device
  and inode). Log files that arrived any other way — committed to a cloned repository, copied,
  linked, or left without their state — are set aside (``receipts`` is renamed
  ``receipts.set-aside-<time>-<random>``, where they stay verifiable) and a new log starts whose
  first receipt says why.
- **Cross-checked, crash-safe.** Before the state is trusted, the current segment's and the
  checkpoint file's sizes and the last receipt (its hash, sequence number and log id) are checked
  against the files; when they disagree (a crash between two writes, an edit) the state is rebuilt
  from the files. A torn last line is cut off; an append cut short by a full disk is truncated
  back; ``state.json`` is replaced atomically.
- **One receipt per call.** A body's ``call_key`` (else its client ``nonce``) is looked up among
  the last ``RECENT`` receipts before appending: a second body for the same call is not appended,
  and the caller gets the recorded receipt back instead.

Nothing here re-reads the whole log on the normal path, and nothing here verifies it: that is
``vectimus.receipts.verify``.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from vectimus.config import config_value
from vectimus.layout import PROJECT_DIR, RECEIPTS, is_segment_name, segment_first_seq, segment_name
from vectimus.receipts import merkle
from vectimus.receipts.envelope import (
    CHECKPOINT_FORMAT, CHECKPOINT_TYPE, RECEIPT_FORMAT, RECEIPT_TYPE, ZERO_HASH, EnvelopeError,
    canonical, encode, pae, payload_of, sha256_hex, timestamp,
)
from vectimus.receipts.files import UnsafePath, is_regular, open_dir, open_file, replace_file, set_aside, write_all

RECEIPTS_DIR = Path(PROJECT_DIR) / RECEIPTS
STATE = "state.json"
CHECKPOINTS = "checkpoints.jsonl"
PRUNED = "pruned.jsonl"
SEGMENT_GLOB = "segment-*.jsonl"
CHECKPOINT_EVERY = 64
SEGMENT_RECEIPTS = 4096
LOCK_TIMEOUT = 4.0   # seconds a writer waits for the log's lock before the call is denied
RECENT = 128         # calls whose receipts a writer can find again (one receipt per call)
MAX_STATE_BYTES = 1 << 20


class ReceiptLogError(Exception):
    """The receipt log cannot be written (locked, unsafe, unreadable); the message is one line."""


class Appended(NamedTuple):
    """Where a call's receipt is: the one just appended, or (``duplicate``) the one recorded before."""

    project: str
    seq: int
    segment: str
    offset: int
    length: int
    fields: dict
    duplicate: bool = False


def receipts_dir(project: Path) -> Path:
    """The project's receipt log directory."""
    return Path(project) / RECEIPTS_DIR


def dedupe_key(body: Mapping) -> str:
    """What makes two bodies the same call: its ``call_key``, else the client's ``nonce``."""
    if body.get("call_key"):
        return f"k:{body['call_key']}"
    return f"n:{body['nonce']}" if body.get("nonce") else ""


class State:
    """The writer's view of the log's end (``state.json`` holds ``vars(state)``)."""

    def __init__(self, dir: list, log: str, size: int = 0, head: str = ZERO_HASH, frontier: list | None = None,
                 segment: str = "", segment_bytes: int = 0, segment_count: int = 0, tail: int = 0,
                 checkpoints_bytes: int = 0, checkpointed: int = 0, recent: list | None = None) -> None:
        self.dir = dir                      # [st_dev, st_ino] of the directory it was written in
        self.log = log
        self.size = size                    # receipts written = the next sequence number
        self.head = head                    # SHA-256 of the last receipt's payload
        self.frontier = frontier or []      # Merkle frontier, as merkle.dump() gives it
        self.segment = segment              # current segment file name
        self.segment_bytes = segment_bytes
        self.segment_count = segment_count  # receipts in the current segment
        self.tail = tail                    # offset of the last receipt's line in the segment
        self.checkpoints_bytes = checkpoints_bytes
        self.checkpointed = checkpointed    # size covered by the last checkpoint
        self.recent = recent or []          # [dedupe key, seq, segment, offset, length], oldest first

    def remember(self, key: str, seq: int, segment: str, offset: int, length: int) -> None:
        if key:
            self.recent.append([key, seq, segment, offset, length])
            del self.recent[:-RECENT]

    def find(self, key: str) -> list | None:
        for entry in reversed(self.recent):
            if entry[0] == key:
                return entry
        return None


def _hex(value, digits: int) -> bool:
    return isinstance(value, str) and len(value) == digits and all(c in "0123456789abcdef" for c in value)


def _valid(state: State) -> bool:
    ints = (state.size, state.segment_bytes, state.segment_count, state.tail, state.checkpoints_bytes,
            state.checkpointed)
    return (isinstance(state.dir, list) and _hex(state.log, 32) and _hex(state.head, 64)
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ints)
            and (state.segment == "" or is_segment_name(state.segment))
            and isinstance(state.recent, list)
            and all(isinstance(e, list) and len(e) == 5 and is_segment_name(str(e[2])) for e in state.recent))


def _read_state(fd: int) -> State | None:
    """The state file's content, or None when it is absent, not ours to read, or not a state."""
    try:
        sfd = open_file(STATE, os.O_RDONLY, fd)
    except (FileNotFoundError, UnsafePath):
        return None
    try:
        if os.fstat(sfd).st_size > MAX_STATE_BYTES:
            return None
        data = os.read(sfd, MAX_STATE_BYTES)
    finally:
        os.close(sfd)
    try:
        state = State(**json.loads(data))
        merkle.load(state.frontier)
    except (ValueError, TypeError):
        return None
    return state if _valid(state) else None


def _marker(fd: int) -> list:
    st = os.fstat(fd)
    return [st.st_dev, st.st_ino]


def _size(name: str, fd: int) -> int:
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False).st_size
    except FileNotFoundError:
        return 0


def _fields(line: bytes) -> dict | None:
    try:
        fields = json.loads(payload_of(line))
    except (EnvelopeError, ValueError):
        return None
    return fields if isinstance(fields, dict) else None


def _read_at(name: str, fd: int, offset: int, length: int) -> bytes:
    rfd = open_file(name, os.O_RDONLY, fd)
    try:
        return os.pread(rfd, length, offset)
    finally:
        os.close(rfd)


def _consistent(fd: int, state: State) -> bool:
    """The state still describes the files: sizes, and the last receipt it names is really there."""
    if state.segment:
        if _size(state.segment, fd) != state.segment_bytes or state.tail >= state.segment_bytes:
            return False
        line = _read_at(state.segment, fd, state.tail, state.segment_bytes - state.tail)
        fields = _fields(line)
        if (not line.endswith(b"\n") or fields is None or sha256_hex(payload_of(line)) != state.head
                or fields.get("seq") != state.size - 1 or fields.get("log") != state.log):
            return False
    elif state.size:
        return False
    following = segment_name(state.size)
    return ((following == state.segment or is_regular(following, fd) is None)  # nothing past the end
            and _size(CHECKPOINTS, fd) == state.checkpoints_bytes)


def _complete(name: str, fd: int) -> bytes:
    """The file's bytes up to its last newline; a torn last line (a crashed write) is cut off."""
    ffd = open_file(name, os.O_RDWR, fd)
    try:
        data = os.pread(ffd, os.fstat(ffd).st_size, 0)
        end = data.rfind(b"\n") + 1
        if end < len(data):
            os.ftruncate(ffd, end)
        return data[:end]
    finally:
        os.close(ffd)


def latest_prune(fd: int) -> dict | None:
    """The fields of the prune record with the largest size in the locked directory ``fd`` (None: never pruned)."""
    if is_regular(PRUNED, fd) is None:
        return None
    records = [r for r in map(_fields, _complete(PRUNED, fd).splitlines()) if r and isinstance(r.get("size"), int)]
    return max(records, key=lambda r: r["size"], default=None)


def _rebuild(fd: int) -> State:
    """Recompute the state from the files (a crash between two writes, or an edited state)."""
    state = State(dir=_marker(fd), log="")
    frontier: list = []
    pruned = latest_prune(fd)
    if pruned:
        state.log, state.size, state.head = pruned["log"], pruned["size"], pruned["head"]
        frontier = merkle.load(pruned["frontier"])
    segments = sorted(n for n in os.listdir(fd) if segment_first_seq(n) >= state.size)
    for name in segments:
        data = _complete(name, fd)
        offset = 0
        lines = data.splitlines(keepends=True)
        for line in lines:
            fields = _fields(line) or {}
            try:
                payload = payload_of(line)
            except EnvelopeError:
                payload = line.rstrip(b"\n")  # a damaged line still takes its place, as verify counts it
            state.log = state.log or str(fields.get("log") or "")
            state.size = fields["seq"] + 1 if isinstance(fields.get("seq"), int) else state.size + 1
            state.remember(dedupe_key(fields), state.size - 1, name, offset, len(line))
            merkle.append(frontier, payload)
            state.head = sha256_hex(payload)
            state.tail = offset
            offset += len(line)
        state.segment, state.segment_bytes, state.segment_count = name, len(data), len(lines)
    if not _hex(state.log, 32):
        state.log = os.urandom(16).hex()
    state.frontier = merkle.dump(frontier)
    if is_regular(CHECKPOINTS, fd):
        data = _complete(CHECKPOINTS, fd)
        state.checkpoints_bytes = len(data)
        for found in map(_fields, data.splitlines()):
            if found and isinstance(found.get("size"), int):
                state.checkpointed = max(state.checkpointed, found["size"])
    return state


def _foreign(fd: int) -> str:
    """Why the files in the directory are not a log this writer can continue ('' when they are)."""
    kept = [n for n in os.listdir(fd) if is_segment_name(n) or n in (CHECKPOINTS, PRUNED)]
    odd = next((n for n in [STATE, *kept] if is_regular(n, fd) is False), None)
    if odd:
        return f"{odd} is a symbolic link or not a regular file"
    if kept:
        return "its log files were not written here (a cloned or copied repository, or state.json removed or edited)"
    return ""


class _Waited(Exception):
    """The alarm that ends a bounded wait for the lock."""


def _alarm(signum, frame):
    raise _Waited


def _wait_blocking(fd: int, left: float) -> bool | None:
    """Block on the lock for at most ``left`` seconds (SIGALRM ends the wait); None when that cannot be done here.

    A blocked ``flock`` is woken in turn by the kernel, so waiters are served fairly; only the main
    thread can take a signal, and an interval timer already in use is not disturbed.
    """
    import signal

    if signal.getitimer(signal.ITIMER_REAL)[0]:
        return None
    try:
        previous = signal.signal(signal.SIGALRM, _alarm)
    except ValueError:  # not the main thread
        return None
    try:
        signal.setitimer(signal.ITIMER_REAL, left)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return True
        except _Waited:
            return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except _Waited:  # the alarm rang just as the lock came: closing fd releases it
        return False
    finally:
        signal.signal(signal.SIGALRM, previous)


def _lock(fd: int, deadline: float, where: Path) -> None:
    """Take the log's lock by ``deadline`` (Unix time) or raise ReceiptLogError."""
    started, delay = time.time(), 0.0005
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    got = _wait_blocking(fd, deadline - started) if deadline > started else False
    while got is None:  # another thread: poll
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            left = deadline - time.time()
            if left <= 0:
                got = False
            else:
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.005)
    if not got:
        raise ReceiptLogError(f"the receipt log {where} is locked by another process "
                              f"(waited {time.time() - started:.1f} s)")


class Log:
    """The locked receipts directory of one project: its descriptor, checked state and notes."""

    def __init__(self, project: Path, fd: int, state: State, notes: list[str]):
        self.project, self.fd, self.state, self.notes = project, fd, state, notes


@contextmanager
def locked_log(project: Path, *, create: bool = True, deadline: float | None = None, set_aside_foreign: bool = True):
    """Hold the project's log lock and yield its ``Log``; the state is saved when the block succeeds.

    Raises ``ReceiptLogError`` (locked past ``deadline``, ``.vectimus`` unsafe, or a foreign log
    that is not ``set_aside_foreign``) and ``FileNotFoundError`` when the log does not exist and
    ``create`` is false.
    """
    project = Path(project)
    where = receipts_dir(project)
    deadline = min(deadline or float("inf"), time.time() + LOCK_TIMEOUT)
    notes: list[str] = []
    pfd = os.open(project, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            vfd = open_dir(PROJECT_DIR, pfd, create=create)
        except UnsafePath as exc:
            raise ReceiptLogError(f"{project / PROJECT_DIR}: {exc.strerror}: no receipt is written through it") from None
        try:
            while True:
                try:
                    fd = open_dir(RECEIPTS, vfd, create=create)
                except UnsafePath as exc:
                    notes.append(f"{RECEIPTS}/ set aside as {set_aside(RECEIPTS, vfd)}/: {exc.strerror}")
                    continue
                try:
                    _lock(fd, deadline, where)
                    if os.fstat(fd).st_ino != os.stat(RECEIPTS, dir_fd=vfd, follow_symlinks=False).st_ino:
                        continue  # set aside by another writer while we waited: open the new one
                    state = _read_state(fd)
                    if state is None or state.dir != _marker(fd):
                        why = _foreign(fd)
                        if why and not set_aside_foreign:
                            raise ReceiptLogError(f"{where}: {why}")
                        if why:
                            notes.append(f"{RECEIPTS}/ set aside as {set_aside(RECEIPTS, vfd)}/: {why}")
                            continue
                        state = State(dir=_marker(fd), log=os.urandom(16).hex())
                        _save(fd, state)  # before the first append: a crash after it is then ours to repair
                    elif not _consistent(fd, state):
                        state = _rebuild(fd)
                    yield Log(project, fd, state, notes)
                    _save(fd, state)
                    return
                finally:
                    os.close(fd)  # releases the lock
        finally:
            os.close(vfd)
    except UnsafePath as exc:
        raise ReceiptLogError(f"{where}: {exc.strerror}") from None
    finally:
        os.close(pfd)


def _save(fd: int, state: State) -> None:
    replace_file(STATE, json.dumps(vars(state), separators=(",", ":")).encode(), fd, locked=True)


def signed_line(payload_type: str, payload: bytes, signer) -> bytes:
    """One envelope line of ``payload`` signed by ``signer``."""
    return encode(payload_type, payload, signer.keyid, signer.sign(pae(payload_type, payload)))


def recorded(log: Log, body: Mapping) -> Appended | None:
    """The receipt already recorded for ``body``'s call among the last ``RECENT``, if any.

    A call found by the client's nonce alone must also have come with the same event bytes: an
    evaluator fed another event under that nonce did not decide this call.
    """
    key = dedupe_key(body)
    entry = log.state.find(key) if key else None
    if entry is None:
        return None
    _, seq, segment, offset, length = entry
    try:
        fields = _fields(_read_at(segment, log.fd, offset, length))
    except (OSError, UnsafePath):
        fields = None
    if fields is None or dedupe_key(fields) != key:
        return None  # not where the state says (a rebuilt log): not a duplicate we can answer from
    if key.startswith("n:") and fields.get("input") != body.get("input"):
        return None
    return Appended(str(log.project), seq, segment, offset, length, fields, duplicate=True)


def write_receipt(log: Log, body: dict, signer, *, segment_receipts: int) -> Appended:
    """Chain ``body`` onto the log as the next receipt (caller holds the lock)."""
    state = log.state
    fields = {**body, "format": RECEIPT_FORMAT, "log": state.log, "seq": state.size, "prev": state.head}
    if log.notes:
        fields["notes"] = [*body.get("notes", ()), *log.notes]
        log.notes.clear()
    payload = canonical(fields)
    line = signed_line(RECEIPT_TYPE, payload, signer)
    new = not state.segment or state.segment_count >= segment_receipts
    name = segment_name(state.size) if new else state.segment
    sfd = open_file(name, os.O_WRONLY | os.O_APPEND | (os.O_CREAT | os.O_EXCL if new else 0), log.fd)
    try:
        write_all(sfd, line)
    finally:
        os.close(sfd)
    if new:
        state.segment, state.segment_bytes, state.segment_count = name, 0, 0
    offset = state.segment_bytes
    frontier = merkle.load(state.frontier)
    merkle.append(frontier, payload)
    state.frontier = merkle.dump(frontier)
    state.size += 1
    state.head = sha256_hex(payload)
    state.segment_bytes += len(line)
    state.segment_count += 1
    state.tail = offset
    state.remember(dedupe_key(fields), fields["seq"], name, offset, len(line))
    return Appended(str(log.project), fields["seq"], name, offset, len(line), fields)


def write_checkpoint(log: Log, signer, *, reason: str, session: str = "", origin: dict | None = None) -> dict:
    """Sign and append a checkpoint of the whole log as it stands (caller holds the lock).

    ``origin`` (``vectimus.provenance.origin``): where the log was sealed, recorded with it.
    """
    state = log.state
    fields = {"format": CHECKPOINT_FORMAT, "log": state.log, "size": state.size,
              "root": merkle.root(merkle.load(state.frontier)), "head": state.head,
              "time": timestamp(), "reason": reason, "session": session}
    if origin:
        fields["origin"] = origin
    line = signed_line(CHECKPOINT_TYPE, canonical(fields), signer)
    cfd = open_file(CHECKPOINTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, log.fd)
    try:
        write_all(cfd, line)
    finally:
        os.close(cfd)
    state.checkpoints_bytes += len(line)
    state.checkpointed = state.size
    return fields


def append_receipt(project: Path, body: dict, *, home: Path, config: Mapping,
                   deadline: float | None = None) -> Appended:
    """Sign ``body`` and chain it onto the project's log, checkpointing when due.

    Returns where the receipt is; when the log already holds this call's receipt (same
    ``dedupe_key``), nothing is appended and that receipt is returned, ``duplicate`` set.
    """
    from vectimus.receipts.keys import load_signer

    signer = load_signer(home, project, config)
    every = int(config_value(config, "receipts.checkpoint_every", CHECKPOINT_EVERY))
    per_segment = int(config_value(config, "receipts.segment_receipts", SEGMENT_RECEIPTS))
    if deadline is not None and time.time() > deadline:
        raise ReceiptLogError("the answer is overdue (its hook process has stopped waiting for it)")
    with locked_log(project, deadline=deadline) as log:
        earlier = None if "supersedes" in body else recorded(log, body)
        if earlier is not None:
            return earlier
        appended = write_receipt(log, body, signer, segment_receipts=per_segment)
        if every > 0 and log.state.size % every == 0:
            write_checkpoint(log, signer, reason="periodic")
    return appended


def checkpoint(project: Path, *, home: Path, config: Mapping, reason: str = "session_end",
               session: str = "", deadline: float | None = None, origin: dict | None = None) -> dict | None:
    """Seal the log with a checkpoint unless the last one already covers it; return the checkpoint.

    ``origin``: where it was sealed (``vectimus.provenance.origin``), recorded in the checkpoint.
    """
    if not receipts_dir(project).is_dir():
        return None
    from vectimus.receipts.keys import load_signer

    signer = load_signer(home, project, config)
    try:
        with locked_log(project, create=False, deadline=deadline) as log:
            if log.state.size == 0 or log.state.checkpointed >= log.state.size:
                return None
            return write_checkpoint(log, signer, reason=reason, session=session, origin=origin)
    except FileNotFoundError:
        return None
