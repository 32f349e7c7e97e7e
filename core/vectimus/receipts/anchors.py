"""Anchors: what a receipt log must match, recorded where the agent that wrote it could not reach.

A log verified against its own ``keys/`` proves only that it is internally consistent: whoever
can replace the log can replace the keys beside it, and cutting a log back exactly to one of its
checkpoints leaves a shorter log that is still consistent. Two facts recorded outside the log
close both gaps (``vectimus init --ci`` prints the first to the job's log and summary before the
agent starts; the session end writes the second to the job summary):

- the **key fingerprints** that may have signed it (``vectimus verify --key``): other keys are
  not trusted, whatever ``keys/`` holds;
- a **checkpoint** ``SIZE:ROOT`` (``vectimus verify --checkpoint``): the log must hold a signed
  checkpoint of exactly that size and Merkle root, and at least that many receipts.

A key fingerprint is the key id: the hex SHA-256 of the raw Ed25519 public key.
"""

from __future__ import annotations

from vectimus.records import Record


_HEX = frozenset("0123456789abcdef")


class Anchors(Record):
    """What a log must match, from outside it."""

    keys: tuple[str, ...] = ()                    # key fingerprints allowed to have signed it
    checkpoints: tuple[tuple[int, str], ...] = ()  # (size, Merkle root) of signed checkpoints it must hold

    def __bool__(self) -> bool:
        return bool(self.keys or self.checkpoints)

    def as_dict(self) -> dict:
        return {"keys": list(self.keys), "checkpoints": [format_checkpoint(*c) for c in self.checkpoints]}


def _hex64(text: str) -> bool:
    return len(text) == 64 and set(text) <= _HEX


def parse_fingerprint(text: str) -> str:
    """A key fingerprint (64 hex digits, either case) in lower case; ValueError when it is not one."""
    value = text.strip().lower()
    if not _hex64(value):
        raise ValueError(f"key fingerprint {text!r} is not 64 hex digits (the key id `vectimus verify --json` "
                         "lists under keys_used)")
    return value


def parse_checkpoint(text: str) -> tuple[int, str]:
    """``SIZE:ROOT`` as (size, root); ValueError when it is not that."""
    size, _, root = text.strip().partition(":")
    root = root.lower()
    if not size.isdigit() or int(size) < 1 or not _hex64(root):
        raise ValueError(f"checkpoint anchor {text!r} is not SIZE:ROOT (a count and a 64-digit hex Merkle root)")
    return int(size), root


def format_checkpoint(size: int, root: str) -> str:
    """The ``SIZE:ROOT`` form of a checkpoint."""
    return f"{size}:{root}"


def anchors_of(keys=(), checkpoints=()) -> Anchors:
    """Anchors from their text forms (fingerprints, ``SIZE:ROOT``s); ValueError naming the first bad one."""
    return Anchors(tuple(dict.fromkeys(parse_fingerprint(k) for k in keys)),
                   tuple(dict.fromkeys(parse_checkpoint(c) for c in checkpoints)))


def verify_command(path: str, anchors: Anchors = Anchors(), *, sealed: bool = True) -> str:
    """The ``vectimus verify`` command that checks the log at ``path`` against ``anchors``."""
    import shlex

    args = ["vectimus", "verify", path]
    for key in anchors.keys:
        args += ["--key", key]
    for checkpoint in anchors.checkpoints:
        args += ["--checkpoint", format_checkpoint(*checkpoint)]
    return shlex.join(args + (["--sealed"] if sealed else []))
