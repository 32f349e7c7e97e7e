"""The evaluation log: ``~/.vectimus/logs/evaluations.jsonl``, one JSON line per evaluation.

Each record is whatever the engine traced (the Cedar requests with the facts used, determining
and erroring policies, timings); secrets are redacted in every string before it is written, except
in a policy's reason, which is kept as the receipt keeps it (``redact_reason``). The
file is private (0600 in a 0700 directory) and rotated by size: before a line would take it past
``MAX_BYTES`` it becomes ``evaluations.jsonl.1`` and older files shift up to ``.KEEP``. Appends are single ``write`` calls
on an ``O_APPEND`` descriptor, so concurrent hook processes never interleave lines.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

from vectimus.receipts.envelope import timestamp
from vectimus.receipts.redact import redact_reason, redact_value

LOG_NAME = "evaluations.jsonl"
MAX_BYTES = 8 * 1024 * 1024
KEEP = 4


def log_dir(home: Path) -> Path:
    """The evaluation log directory under the user's Vectimus home, created 0700."""
    path = Path(home) / "logs"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_evaluation(record: dict, home: Path, *, max_bytes: int = MAX_BYTES, keep: int = KEEP) -> None:
    """Append one redacted evaluation record (``time`` added if absent); rotate first if it would pass ``max_bytes``."""
    directory = log_dir(home)
    reason, policies = record.get("reason"), record.get("policies")
    record = redact_value({"time": timestamp(), **record})
    if isinstance(reason, str):
        record["reason"] = redact_reason(reason, policies)
    line = json.dumps(record, separators=(",", ":"), default=str).encode("ascii") + b"\n"
    path = directory / LOG_NAME
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size and size + len(line) > max_bytes:
            os.close(fd)
            _rotate(directory, max_bytes - len(line), keep)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _rotate(directory: Path, limit: int, keep: int) -> None:
    """Shift the files up by one unless another process already did (the file is within ``limit``)."""
    path = directory / LOG_NAME
    fd = os.open(directory / ".rotate.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(path).st_size <= limit:
                return  # another process rotated it first
        except FileNotFoundError:
            return
        for i in range(keep - 1, 0, -1):
            older = directory / f"{LOG_NAME}.{i}"
            if older.exists():
                os.replace(older, directory / f"{LOG_NAME}.{i + 1}")
        os.replace(path, directory / f"{LOG_NAME}.1")
    finally:
        os.close(fd)
