"""The local receipt log: signed receipts chained into ``<project>/.vectimus/receipts/``.

Layout: ``segment-<first seq, 12 digits>.jsonl`` files of receipt envelopes (a new segment every
``receipts.segment_receipts`` receipts), ``checkpoints.jsonl`` with signed checkpoints (log size
and RFC 6962 Merkle root) every ``receipts.checkpoint_every`` receipts and at session end, and
``state.json``: the writer's cache (log id, next sequence number, last payload hash, Merkle
frontier, current segment and its length). ``state.json`` is also the lock: every writer holds an
exclusive ``flock`` on it while it appends, so concurrent hook processes never interleave or fork
the chain. If the cache disagrees with the files (a crash between writes, a deleted state), it is
rebuilt from the segments; a torn last line from a crash is cut off. Nothing here re-reads the log
on the normal path, and nothing here verifies it: that is ``vectimus.receipts.verify``.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from vectimus.receipts import merkle
from vectimus.receipts.envelope import (
    CHECKPOINT_FORMAT, CHECKPOINT_TYPE, RECEIPT_FORMAT, RECEIPT_TYPE, ZERO_HASH, EnvelopeError,
    canonical, encode, pae, payload_of, sha256_hex, timestamp,
)
from vectimus.config import config_value

RECEIPTS_DIR = Path(".vectimus") / "receipts"
STATE = "state.json"
CHECKPOINTS = "checkpoints.jsonl"
SEGMENT_GLOB = "segment-*.jsonl"
CHECKPOINT_EVERY = 64
SEGMENT_RECEIPTS = 4096


def receipts_dir(project: Path) -> Path:
    """The project's receipt log directory."""
    return Path(project) / RECEIPTS_DIR


def segment_name(first_seq: int) -> str:
    """The file name of the segment whose first receipt has sequence number ``first_seq``."""
    return f"segment-{first_seq:012d}.jsonl"


class State:
    """The writer's view of the log's end (cached in ``state.json`` as ``vars(state)``)."""

    def __init__(self, log: str, size: int = 0, head: str = ZERO_HASH, frontier: list | None = None,
                 segment: str = "", segment_bytes: int = 0, segment_count: int = 0,
                 checkpointed: int = 0) -> None:
        self.log = log
        self.size = size                   # receipts written = the next sequence number
        self.head = head                   # SHA-256 of the last receipt's payload
        self.frontier = frontier or []     # Merkle frontier, as merkle.dump() gives it
        self.segment = segment             # current segment file name
        self.segment_bytes = segment_bytes
        self.segment_count = segment_count  # receipts in the current segment
        self.checkpointed = checkpointed   # size covered by the last checkpoint


def _read_state(fd: int) -> State | None:
    try:
        data = json.loads(os.pread(fd, os.fstat(fd).st_size, 0))
        state = State(**data)
        merkle.load(state.frontier)
        if not (isinstance(state.log, str) and isinstance(state.size, int) and isinstance(state.head, str)):
            return None
        return state
    except (ValueError, TypeError):
        return None


def _write_state(fd: int, state: State) -> None:
    data = json.dumps(vars(state), separators=(",", ":")).encode()
    os.pwrite(fd, data, 0)
    os.ftruncate(fd, len(data))


def _file_size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def _consistent(directory: Path, state: State) -> bool:
    """The cached state still describes the files (nothing was written behind its back)."""
    if state.segment and _file_size(directory / state.segment) != state.segment_bytes:
        return False
    return not (directory / segment_name(state.size)).exists()  # a segment starting past the end


def _complete_lines(path: Path) -> bytes:
    """The file's bytes up to its last newline; a torn last line (a crashed write) is cut off."""
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        os.truncate(path, end)
    return data[:end]


def _rebuild(directory: Path) -> State:
    """Recompute the state from the segment and checkpoint files."""
    state = State(log="")
    frontier: list = []
    for path in sorted(directory.glob(SEGMENT_GLOB)):
        data = _complete_lines(path)
        lines = data.splitlines()
        for line in lines:
            try:
                payload = payload_of(line)
            except EnvelopeError:
                payload = line  # a damaged line still takes its place in the tree, as verify counts it
            try:
                fields = json.loads(payload)
                state.log = state.log or str(fields["log"])
                state.size = int(fields["seq"]) + 1
            except (ValueError, KeyError, TypeError):
                state.size += 1
            merkle.append(frontier, payload)
            state.head = sha256_hex(payload)
        state.segment, state.segment_bytes, state.segment_count = path.name, len(data), len(lines)
    state.log = state.log or os.urandom(16).hex()
    state.frontier = merkle.dump(frontier)
    checkpoints = directory / CHECKPOINTS
    if checkpoints.exists():
        for line in _complete_lines(checkpoints).splitlines():
            try:
                state.checkpointed = max(state.checkpointed, int(json.loads(payload_of(line))["size"]))
            except (EnvelopeError, ValueError, KeyError, TypeError):
                continue
    return state


@contextmanager
def locked_state(directory: Path):
    """Hold the log's lock and yield its (checked) state; the state is saved when the block succeeds."""
    try:
        fd = os.open(directory / STATE, os.O_RDWR | os.O_CREAT, 0o644)
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / STATE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        state = _read_state(fd)
        if state is None or not _consistent(directory, state):
            state = _rebuild(directory)
        yield state
        _write_state(fd, state)
    finally:
        os.close(fd)  # releases the lock


def _append(path: Path, line: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _signed_line(payload_type: str, payload: bytes, signer) -> bytes:
    return encode(payload_type, payload, signer.keyid, signer.sign(pae(payload_type, payload)))


def write_receipt(directory: Path, state: State, body: dict, signer, *, segment_receipts: int) -> dict:
    """Chain ``body`` onto the log as the next receipt (caller holds the lock); return the payload."""
    fields = {**body, "format": RECEIPT_FORMAT, "log": state.log, "seq": state.size, "prev": state.head}
    payload = canonical(fields)
    if not state.segment or state.segment_count >= segment_receipts:
        state.segment, state.segment_bytes, state.segment_count = segment_name(state.size), 0, 0
    line = _signed_line(RECEIPT_TYPE, payload, signer)
    _append(directory / state.segment, line)
    frontier = merkle.load(state.frontier)
    merkle.append(frontier, payload)
    state.frontier = merkle.dump(frontier)
    state.size += 1
    state.head = sha256_hex(payload)
    state.segment_bytes += len(line)
    state.segment_count += 1
    return fields


def write_checkpoint(directory: Path, state: State, signer, *, reason: str, session: str = "") -> dict:
    """Sign and append a checkpoint of the whole log as it stands (caller holds the lock)."""
    fields = {"format": CHECKPOINT_FORMAT, "log": state.log, "size": state.size,
              "root": merkle.root(merkle.load(state.frontier)), "head": state.head,
              "time": timestamp(), "reason": reason, "session": session}
    _append(directory / CHECKPOINTS, _signed_line(CHECKPOINT_TYPE, canonical(fields), signer))
    state.checkpointed = state.size
    return fields


def append_receipt(project: Path, body: dict, *, home: Path, config: Mapping) -> int:
    """Sign ``body``, chain it onto the project's log, checkpoint when due; return its sequence number."""
    from vectimus.receipts.keys import load_signer

    signer = load_signer(home, project, config)
    every = int(config_value(config, "receipts.checkpoint_every", CHECKPOINT_EVERY))
    per_segment = int(config_value(config, "receipts.segment_receipts", SEGMENT_RECEIPTS))
    directory = receipts_dir(project)
    with locked_state(directory) as state:
        seq = write_receipt(directory, state, body, signer, segment_receipts=per_segment)["seq"]
        if every > 0 and state.size % every == 0:
            write_checkpoint(directory, state, signer, reason="periodic")
    return seq


def checkpoint(project: Path, *, home: Path, config: Mapping, reason: str = "session_end",
               session: str = "") -> int | None:
    """Seal the log with a checkpoint unless the last one already covers it; return the size sealed."""
    directory = receipts_dir(project)
    if not (directory / STATE).exists() and not any(directory.glob(SEGMENT_GLOB)):
        return None
    from vectimus.receipts.keys import load_signer

    signer = load_signer(home, project, config)
    with locked_state(directory) as state:
        if state.size == 0 or state.checkpointed >= state.size:
            return None
        write_checkpoint(directory, state, signer, reason=reason, session=session)
        return state.size
