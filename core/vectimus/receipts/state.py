"""The receipt log's state: ``state.json``, the writer's cache (log id, size, last payload hash,
Merkle frontier, current segment, where the last ``RECENT`` calls' receipts are, and a fingerprint
of the call of each of the last ``CALLS`` receipts), trusted only
once it agrees with the files, and rebuilt from them when it does not (a crash between two
writes, an edit); and whether a directory's log files are another log's (``foreign``).

``state.json`` is rewritten in place on every append (a rename over it costs ext4 a flush of its
data); its last member, ``check``, is the SHA-256 of the rest, so a state torn by a crash
half-way through a write, or edited, is never trusted: the writer rebuilds it from the files. A
writer that reads back exactly the bytes it saved last reuses the state it saved them from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping

from vectimus.errors import VectimusError
from vectimus.layout import is_segment_name, segment_first_seq, segment_name
from vectimus.receipts import merkle
from vectimus.receipts.envelope import ZERO_HASH, EnvelopeError, payload_of, sha256_hex
from vectimus.receipts.files import UnsafePath, is_regular, open_file, replace_file

STATE = "state.json"
CHECKPOINTS = "checkpoints.jsonl"
PRUNED = "pruned.jsonl"
RECENT = 128         # calls whose receipts a writer finds again where the state says (one receipt per call)
CALLS = 2048         # receipts whose call a writer recognises by its fingerprint, and then finds in the segment
FINGERPRINT = 8      # hex digits of a call's fingerprint
NO_CALL = "-" * FINGERPRINT  # the fingerprint of a receipt without a dedupe key
MAX_STATE_BYTES = 1 << 20
CHECK = b',"check":"'


class ReceiptLogError(VectimusError):
    """The receipt log cannot be written (locked, unsafe, unreadable); the message is one line."""


def dedupe_key(body: Mapping) -> str:
    """What makes two bodies the same call: its ``call_key``, else the client's ``nonce``."""
    if body.get("call_key"):
        return f"k:{body['call_key']}"
    return f"n:{body['nonce']}" if body.get("nonce") else ""


def fingerprint(key: str) -> str:
    """The first ``FINGERPRINT`` hex digits of the SHA-256 of a dedupe ``key`` (``NO_CALL`` for none)."""
    return sha256_hex(key.encode("utf-8", "surrogatepass"))[:FINGERPRINT] if key else NO_CALL


class State:
    """The writer's view of the log's end (``state.json`` holds ``vars(state)``)."""

    def __init__(self, dir: list, log: str, size: int = 0, head: str = ZERO_HASH, frontier: list | None = None,
                 segment: str = "", segment_bytes: int = 0, segment_count: int = 0, tail: int = 0,
                 checkpoints_bytes: int = 0, checkpointed: int = 0, recent: list | None = None,
                 calls: str = "") -> None:
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
        self.calls = calls                  # the fingerprints of the last receipts' calls, one per seq up to size

    def remember(self, key: str, seq: int, segment: str, offset: int, length: int) -> None:
        """Note the receipt ``seq`` (the next one) with dedupe ``key`` ('' for none): where it is, for the
        last ``RECENT`` calls, and its call's fingerprint, for the last ``CALLS`` receipts."""
        self.calls = (self.calls + fingerprint(key))[-CALLS * FINGERPRINT:]
        if key:
            self.recent.append([key, seq, segment, offset, length])
            del self.recent[:-RECENT]

    def find(self, key: str) -> list | None:
        """The newest remembered ``[key, seq, segment, offset, length]`` for ``key``, else None."""
        for entry in reversed(self.recent):
            if entry[0] == key:
                return entry
        return None

    def called(self, key: str) -> list[int]:
        """The sequence numbers, newest first, among the last ``CALLS`` receipts whose call has
        ``key``'s fingerprint (the call itself, or rarely another whose fingerprint is the same)."""
        mark, calls, found = fingerprint(key), self.calls, []
        first = self.size - len(calls) // FINGERPRINT
        end = len(calls)
        while (at := calls.rfind(mark, 0, end)) >= 0:
            if at % FINGERPRINT == 0:
                found.append(first + at // FINGERPRINT)
            end = at + FINGERPRINT - 1
        return found


def _hex(value, digits: int) -> bool:
    return isinstance(value, str) and len(value) == digits and all(c in "0123456789abcdef" for c in value)


def _calls(calls, size: int) -> bool:
    """Whether ``calls`` can be a state's fingerprints: whole ones, at most one per receipt (a match is
    checked against the receipt itself, so their digits need no check here)."""
    return isinstance(calls, str) and len(calls) % FINGERPRINT == 0 and len(calls) // FINGERPRINT <= min(size, CALLS)


def _valid(state: State) -> bool:
    ints = (state.size, state.segment_bytes, state.segment_count, state.tail, state.checkpoints_bytes,
            state.checkpointed)
    return (isinstance(state.dir, list) and _hex(state.log, 32) and _hex(state.head, 64)
            and all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ints)
            and (state.segment == "" or is_segment_name(state.segment))
            and isinstance(state.recent, list) and _calls(state.calls, state.size)
            and all(isinstance(e, list) and len(e) == 5 and is_segment_name(str(e[2])) for e in state.recent))


def encode(state: State) -> bytes:
    """``state.json``'s bytes: the state's members, then ``check``, the SHA-256 of what precedes it."""
    body = json.dumps(vars(state), separators=(",", ":")).encode()
    return body[:-1] + CHECK + sha256_hex(body).encode() + b'"}'


def _checked(data: bytes) -> bool:
    data = data.rstrip(b" ")
    end = data.rfind(CHECK)
    return end > 0 and data.endswith(b'"}') and data[end + len(CHECK):-2] == sha256_hex(data[:end] + b"}").encode()


_saved: dict[tuple, tuple[bytes, State]] = {}  # directory marker -> the bytes this process saved last, and their state


def read_state(fd: int) -> tuple[State, bool] | None:
    """The state file's content and whether it is whole as a writer saved it (its ``check``
    holds); None when it is absent, not ours to read, or not a state.

    A state whose bytes are not JSON but begin as this directory's own state does (a write torn
    by a crash) is ours, and untrusted: an empty state to rebuild.
    """
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
    here = marker(fd)
    saved = _saved.pop(tuple(here), None)  # taken, not peeked: a failed append must not leave it changed
    if saved is not None and saved[0] == data:
        return saved[1], True
    try:
        fields = json.loads(data)
        fields.pop("check", None)
        state = State(**fields)
        merkle.load(state.frontier)
        if not _valid(state):
            raise ValueError("not a state")
    except (ValueError, TypeError, AttributeError):
        torn = data.startswith(b'{"dir":[%d,%d],' % tuple(here))  # a write cut short is still JSON when it
        return (State(dir=here, log=""), False) if torn else None  # ends inside a long string: ours, rebuilt
    return state, _checked(data)


def marker(fd: int) -> list:
    """``[st_dev, st_ino]`` of the directory ``fd``: a state written elsewhere does not match it."""
    st = os.fstat(fd)
    return [st.st_dev, st.st_ino]


def _size(name: str, fd: int) -> int:
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False).st_size
    except FileNotFoundError:
        return 0


def fields_of(line: bytes) -> dict | None:
    """The payload of the receipt ``line`` as a dict; None when it is not a receipt's line."""
    try:
        fields = json.loads(payload_of(line))
    except (EnvelopeError, ValueError):
        return None
    return fields if isinstance(fields, dict) else None


def read_at(name: str, fd: int, offset: int = 0, length: int | None = None) -> bytes:
    """``length`` bytes (default: to the end) from ``offset`` of file ``name`` in directory ``fd``."""
    rfd = open_file(name, os.O_RDONLY, fd)
    try:
        return os.pread(rfd, max(os.fstat(rfd).st_size - offset, 0) if length is None else length, offset)
    finally:
        os.close(rfd)


def consistent(fd: int, state: State) -> bool:
    """The state still describes the files: sizes, and the last receipt it names is really there."""
    if state.segment:
        if _size(state.segment, fd) != state.segment_bytes or state.tail >= state.segment_bytes:
            return False
        line = read_at(state.segment, fd, state.tail, state.segment_bytes - state.tail)
        fields = fields_of(line)
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
    records = [r for r in map(fields_of, _complete(PRUNED, fd).splitlines()) if r and isinstance(r.get("size"), int)]
    return max(records, key=lambda r: r["size"], default=None)


def rebuild(fd: int) -> State:
    """Recompute the state from the files (a crash between two writes, or an edited state)."""
    state = State(dir=marker(fd), log="")
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
            fields = fields_of(line) or {}
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
        for found in map(fields_of, data.splitlines()):
            if found and isinstance(found.get("size"), int):
                state.checkpointed = max(state.checkpointed, found["size"])
    return state


def foreign(fd: int) -> str:
    """Why the files in the directory are not a log this writer can continue ('' when they are)."""
    kept = [n for n in os.listdir(fd) if is_segment_name(n) or n in (CHECKPOINTS, PRUNED)]
    odd = next((n for n in [STATE, *kept] if is_regular(n, fd) is False), None)
    if odd:
        return f"{odd} is a symbolic link or not a regular file"
    if kept:
        return "its log files were not written here (a cloned or copied repository, or state.json removed or edited)"
    return ""


def save(fd: int, state: State) -> None:
    """Write ``state.json`` in place (the caller holds the lock); a link there is replaced, never followed.

    A shorter state is padded with spaces to the file's length rather than cut to its own, so a
    write torn by a crash leaves bytes that fail the check, never a shorter file that passes.
    """
    data = encode(state)
    try:
        sfd = open_file(STATE, os.O_WRONLY | os.O_CREAT, fd)
    except UnsafePath:
        replace_file(STATE, data, fd, locked=True)
    else:
        try:
            data = data.ljust(os.fstat(sfd).st_size, b" ")
            view, at = memoryview(data), 0
            while at < len(data):
                at += os.pwrite(sfd, view[at:], at)
        finally:
            os.close(sfd)
    _saved[tuple(marker(fd))] = data, state
