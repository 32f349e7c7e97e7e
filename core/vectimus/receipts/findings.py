"""What verifying a receipt log finds: each ``Problem`` (its kind, one of ``KINDS``, and where it
is) and the ``Report`` (what the log holds, its anchors, and every problem and warning).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from vectimus.receipts.anchors import Anchors

KINDS = {
    "missing": "nothing to verify: the path does not exist or holds no receipts",
    "keys": "no usable public key in the keys directory",
    "malformed": "a line is not a well-formed envelope, or its payload is not JSON",
    "payload_type": "the envelope's payload type is not the expected one",
    "unknown_key": "signed by a key that is not in the keys directory",
    "signature": "the signature does not verify",
    "canonical": "the payload is not RFC 8785 canonical JSON",
    "schema": "the payload lacks a required field or has another format version",
    "log_id": "the record belongs to another log",
    "sequence": "the sequence number does not follow the previous one",
    "chain": "prev is not the hash of the previous receipt's payload",
    "checkpoint": "a checkpoint's Merkle root or head does not match the receipts",
    "truncated": "a checkpoint covers more receipts than the log holds",
    "unsealed": "receipts after the last checkpoint (a failure with --sealed)",
    "anchor": "the log lacks a signed checkpoint recorded outside it (--checkpoint SIZE:ROOT)",
    "pruned": "a prune record is invalid, or does not match the receipts it says were removed",
}

MAX_PROBLEMS = 1000


@dataclass
class Problem:
    """One thing wrong, where it is."""

    kind: str
    message: str
    file: str = ""
    line: int = 0
    seq: int | None = None

    @property
    def position(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} (seq {self.seq})" if self.seq is not None else where

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "file": self.file, "line": self.line,
                "seq": self.seq, "position": self.position}


@dataclass
class Report:
    """What verification found."""

    path: str
    keys_dir: str
    log: str = ""
    receipts: int = 0  # in the log's files
    pruned: int = 0    # removed before them by `vectimus receipts prune` (its signed record says so)
    checkpoints: int = 0
    sealed_size: int = 0
    sessions: set = field(default_factory=set)
    decisions: Counter = field(default_factory=Counter)
    modes: Counter = field(default_factory=Counter)
    keys_used: set = field(default_factory=set)
    first_time: str = ""
    last_time: str = ""
    failures: list = field(default_factory=list)
    failure_count: int = 0
    warnings: list = field(default_factory=list)
    anchors: Anchors = Anchors()
    roots: dict = field(default_factory=dict)  # size -> Merkle root of every checkpoint that matched
    pruned_roots: dict = field(default_factory=dict)  # size -> root of signed checkpoints of pruned receipts

    @property
    def size(self) -> int:
        """The log's length: the receipts pruned and those it holds."""
        return self.pruned + self.receipts

    @property
    def ok(self) -> bool:
        return self.failure_count == 0

    @property
    def last_checkpoint(self) -> tuple[int, str] | None:
        """(size, root) of the largest checkpoint that matched the receipts: the anchor to record."""
        return (self.sealed_size, self.roots[self.sealed_size]) if self.sealed_size in self.roots else None

    @property
    def sealed(self) -> bool:
        """Whether the last checkpoint covers every receipt (what ``--sealed`` requires)."""
        return self.receipts > 0 and self.sealed_size == self.size

    def offered(self) -> Anchors:
        """The anchors to record for this log: the keys that signed it and its last checkpoint."""
        return Anchors(tuple(sorted(self.keys_used)), (self.last_checkpoint,) if self.last_checkpoint else ())

    def fail(self, problem: Problem) -> None:
        self.failure_count += 1
        if len(self.failures) < MAX_PROBLEMS:
            self.failures.append(problem)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok, "path": self.path, "keys_dir": self.keys_dir, "log": self.log,
            "receipts": self.receipts, "pruned": self.pruned, "checkpoints": self.checkpoints,
            "sealed_size": self.sealed_size,
            "sessions": len(self.sessions), "decisions": dict(sorted(self.decisions.items())),
            "modes": dict(sorted(self.modes.items())), "keys_used": sorted(self.keys_used),
            "last_checkpoint": dict(zip(("size", "root"), self.last_checkpoint)) if self.last_checkpoint else None,
            "anchors": self.anchors.as_dict(),
            "first_time": self.first_time, "last_time": self.last_time,
            "first_failure": self.failures[0].as_dict() if self.failures else None,
            "failure_count": self.failure_count,
            "failures": [p.as_dict() for p in self.failures],
            "warnings": [p.as_dict() for p in self.warnings],
        }
