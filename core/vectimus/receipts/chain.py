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
  back; a torn or edited ``state.json`` fails its own digest and is rebuilt (``state``).
- **One receipt per call.** A body's ``call_key`` (else its client ``nonce``) is looked up before
  appending, among the last ``RECENT`` calls' receipts (where each is) and the last ``CALLS``
  receipts (a fingerprint of each one's call, then read from its segment): a second body for the
  same call is not appended, and the caller gets the recorded receipt back instead.

The state and its checks are ``state``, the bounded lock ``lock``. Nothing here re-reads the whole
log on the normal path, and nothing here verifies it: that is ``vectimus.receipts.verify``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from vectimus.config import config_value
from vectimus.layout import PROJECT_DIR, RECEIPTS, segment_first_seq, segment_name
from vectimus.receipts import merkle
from vectimus.receipts.envelope import (
    CHECKPOINT_FORMAT, CHECKPOINT_TYPE, RECEIPT_FORMAT, RECEIPT_TYPE, canonical, encode, pae, sha256_hex, timestamp,
)
from vectimus.receipts.files import UnsafePath, open_dir, open_file, set_aside, write_all
from vectimus.receipts.lock import lock
from vectimus.receipts.state import (
    CHECKPOINTS, ReceiptLogError, State, consistent, dedupe_key, fields_of, foreign, marker, read_at, read_state,
    rebuild, save,
)
from vectimus.records import Record

RECEIPTS_DIR = Path(PROJECT_DIR) / RECEIPTS
SEGMENT_GLOB = "segment-*.jsonl"
CHECKPOINT_EVERY = 64
SEGMENT_RECEIPTS = 4096
LOCK_TIMEOUT = 4.0   # seconds a writer waits for the log's lock before the call is denied


class Appended(Record):
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
                    lock(fd, deadline, where)
                    if os.fstat(fd).st_ino != os.stat(RECEIPTS, dir_fd=vfd, follow_symlinks=False).st_ino:
                        continue  # set aside by another writer while we waited: open the new one
                    state, whole = read_state(fd) or (None, False)
                    if state is None or state.dir != marker(fd):
                        why = foreign(fd)
                        if why and not set_aside_foreign:
                            raise ReceiptLogError(f"{where}: {why}")
                        if why:
                            notes.append(f"{RECEIPTS}/ set aside as {set_aside(RECEIPTS, vfd)}/: {why}")
                            continue
                        state = State(dir=marker(fd), log=os.urandom(16).hex())
                        save(fd, state)  # before the first append: a crash after it is then ours to repair
                    elif not (whole and consistent(fd, state)):
                        state = rebuild(fd)
                    yield Log(project, fd, state, notes)
                    save(fd, state)
                    return
                finally:
                    os.close(fd)  # releases the lock
        finally:
            os.close(vfd)
    except UnsafePath as exc:
        raise ReceiptLogError(f"{where}: {exc.strerror}") from None
    finally:
        os.close(pfd)


def signed_line(payload_type: str, payload: bytes, signer) -> bytes:
    """One envelope line of ``payload`` signed by ``signer``."""
    return encode(payload_type, payload, signer.keyid, signer.sign(pae(payload_type, payload)))


def recorded(log: Log, body: Mapping) -> Appended | None:
    """The receipt already recorded for ``body``'s call, if any: where the state says among the last
    ``RECENT`` calls' receipts, else the newest of the last ``CALLS`` receipts whose call has its
    fingerprint (found in its segment: a retry that many other calls' receipts came before).

    A call found by the client's nonce alone must also have come with the same event bytes: an
    evaluator fed another event under that nonce did not decide this call.
    """
    key = dedupe_key(body)
    if not key:
        return None
    entry = log.state.find(key)
    places = [entry[1:]] if entry is not None else (located(log, seq) for seq in log.state.called(key))
    for where in places:
        if where is None:
            continue
        seq, segment, offset, length = where
        try:
            fields = fields_of(read_at(segment, log.fd, offset, length))
        except (OSError, UnsafePath):
            fields = None
        if fields is None or dedupe_key(fields) != key or fields.get("seq") != seq:
            continue  # not where the state says (a rebuilt log), or another call with the same fingerprint
        if key.startswith("n:") and fields.get("input") != body.get("input"):
            return None
        return Appended(str(log.project), seq, segment, offset, length, fields, duplicate=True)
    return None


def located(log: Log, seq: int) -> tuple[int, str, int, int] | None:
    """``(seq, segment, offset, length)`` of receipt ``seq``'s line, from the segments (None: not there)."""
    first = max((f for f in map(segment_first_seq, os.listdir(log.fd)) if 0 <= f <= seq), default=-1)
    if first < 0:
        return None
    segment = segment_name(first)
    try:
        data = read_at(segment, log.fd)
    except (OSError, UnsafePath):
        return None
    offset = 0
    for _ in range(seq - first):
        offset = data.find(b"\n", offset) + 1
        if not offset:
            return None
    end = data.find(b"\n", offset) + 1
    return (seq, segment, offset, end - offset) if end else None


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
