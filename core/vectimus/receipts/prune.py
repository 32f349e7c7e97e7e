"""Retention: remove old receipts and keep the log verifiable (``vectimus receipts prune``).

Only whole segments go, and only sealed ones: a segment is removed when a checkpoint that matched
the receipts covers its last receipt, every receipt in it is older than the cut-off, and every
segment before it goes too; the log's last segment always stays, so the chain has a tail to
continue. The log must verify before anything is removed.

What went is written first, as one signed record appended to ``pruned.jsonl`` (payload type
``application/vnd.vectimus.prune+json``, format ``vectimus.prune/1``): the log id, ``size`` (the
receipts removed in all: the first kept receipt's ``seq``), ``head`` (the last removed receipt's
payload hash), ``root`` and ``frontier`` (their RFC 6962 Merkle root and frontier, from which a
verifier recomputes every later checkpoint), and the segments removed (name, first ``seq``,
receipts, SHA-256, bytes, time span). Then the segment files are deleted. ``vectimus verify``
starts a pruned log from its latest record; a log missing receipts without one still fails. A
prune cut short leaves segments the record covers: verify checks them against it, and the next
prune removes them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from vectimus.errors import VectimusError
from vectimus.layout import segment_first_seq
from vectimus.receipts import merkle
from vectimus.receipts.chain import locked_log, signed_line
from vectimus.receipts.envelope import PRUNE_FORMAT, PRUNE_TYPE, canonical, payload_of, sha256_hex, timestamp
from vectimus.receipts.files import open_file, write_all
from vectimus.receipts.state import PRUNED, ReceiptLogError, latest_prune, read_at
from vectimus.records import Record
from vectimus.sha256 import sha256

if TYPE_CHECKING:
    from vectimus.receipts.findings import Report


class PruneError(VectimusError):
    """Nothing was pruned: the log does not verify, or changed while it was being pruned."""


class Pruned(Record):
    """What a prune removed (``record`` is None when nothing could go)."""

    segments: tuple[str, ...]
    receipts: int          # receipts removed by this prune
    first: int             # their sequence numbers: first … last
    last: int
    record: dict | None
    kept: int              # receipts the log still holds


def _segment_summary(path: Path) -> tuple[dict, list[bytes]]:
    """A segment's description for the record, and its receipts' payloads in order."""
    data = path.read_bytes()
    payloads = [payload_of(line) for line in data.splitlines() if line.strip()]
    times = [str(json.loads(p).get("time", "")) for p in payloads]
    return ({"name": path.name, "first": segment_first_seq(path.name), "receipts": len(payloads),
             "sha256": sha256(data).hexdigest(), "bytes": len(data),
             "first_time": min(times, default=""), "last_time": max(times, default="")}, payloads)


class Plan(Record):
    """What a prune will do to a log that verified."""

    report: Report         # the verification
    chosen: list           # [(segment summary, its payloads)], oldest first
    leftovers: list[str]   # segments an earlier prune's record covers but that are still there


def plan(receipts: Path, keys: Path, before: str) -> Plan:
    """Verify the log and choose the segments a prune of receipts older than ``before`` removes.

    Raises PruneError when the log does not verify.
    """
    from vectimus.receipts.verify import verify

    report = verify(receipts, keys)
    if not report.ok:
        first = report.failures[0]
        raise PruneError(f"the log does not verify ({first.kind} at {first.position}: {first.message}): "
                         "nothing is pruned from a log that does not verify")
    names = sorted(p.name for p in receipts.iterdir() if segment_first_seq(p.name) >= 0)
    leftovers = [n for n in names if segment_first_seq(n) < report.pruned]
    segments = [n for n in names if n not in leftovers]
    chosen = []
    for name, following in zip(segments, segments[1:]):
        summary, payloads = _segment_summary(receipts / name)
        if segment_first_seq(following) > report.sealed_size or not summary["last_time"] < before:
            break
        chosen.append((summary, payloads))
    return Plan(report, chosen, leftovers)


def prune(project: Path, *, home: Path, config: Mapping, before: str, dry_run: bool = False) -> Pruned:
    """Remove the log's sealed segments whose receipts are all older than ``before`` (RFC 3339 UTC)."""
    from vectimus.receipts.keys import load_signer
    from vectimus.receipts.verify import resolve

    receipts, keys = resolve(None, None, Path(project))
    todo = plan(receipts, keys, before)
    report = todo.report
    count = sum(summary["receipts"] for summary, _ in todo.chosen)
    done = Pruned(tuple(summary["name"] for summary, _ in todo.chosen), count, report.pruned,
                  report.pruned + count - 1, None, report.size - report.pruned - count)
    if dry_run or not (todo.chosen or todo.leftovers):
        return done
    signer = load_signer(home, project, config) if todo.chosen else None
    try:
        with locked_log(project, create=False, set_aside_foreign=False) as log:
            previous = latest_prune(log.fd) if report.pruned else None
            if log.state.log != report.log or (previous or {"size": 0})["size"] != report.pruned:
                raise PruneError(f"{receipts} changed while it was being verified: nothing pruned")
            for summary, _ in todo.chosen:
                if sha256_hex(read_at(summary["name"], log.fd)) != summary["sha256"]:
                    raise PruneError(f"{summary['name']} changed while the log was being pruned: nothing pruned")
            if todo.chosen:
                record = _record(todo, before, previous)
                pfd = open_file(PRUNED, os.O_WRONLY | os.O_APPEND | os.O_CREAT, log.fd)
                try:
                    write_all(pfd, signed_line(PRUNE_TYPE, canonical(record), signer))
                finally:
                    os.close(pfd)
                done = done._replace(record=record)
            removed = {*done.segments, *todo.leftovers}
            for name in sorted(removed):
                os.unlink(name, dir_fd=log.fd)
            log.state.recent = [entry for entry in log.state.recent if entry[2] not in removed]
    except (OSError, ReceiptLogError) as exc:
        raise PruneError(f"cannot prune {receipts}: {exc}") from None
    return done


def _record(todo: Plan, before: str, previous: dict | None) -> dict:
    """The record's payload for removing ``todo.chosen``, continuing from the ``previous`` prune
    record (None: the log still starts at receipt 0)."""
    frontier = merkle.load(previous["frontier"]) if previous else []
    head = previous["head"] if previous else ""
    for _, payloads in todo.chosen:
        for payload in payloads:
            merkle.append(frontier, payload)
            head = sha256_hex(payload)
    return {"format": PRUNE_FORMAT, "log": todo.report.log, "size": sum(n for n, _ in frontier),
            "root": merkle.root(frontier), "head": head, "frontier": merkle.dump(frontier),
            "segments": [summary for summary, _ in todo.chosen], "before": before, "time": timestamp()}
