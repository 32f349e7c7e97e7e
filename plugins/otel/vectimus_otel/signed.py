"""The signed receipt of a spooled decision, read from its project's local log (the source of truth).

Sinks get the receipt body before it is chained and signed, so the exporter finds the signed
receipt afterwards, by the decision's time, agent, session and tool-use id, to export its sequence
number, payload digest, log id and signing key's fingerprint. The log is read from its newest
segment backwards, only as far as needed, and each segment's lines once per process.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path

from vectimus.receipts.chain import SEGMENT_GLOB, receipts_dir
from vectimus.receipts.envelope import EnvelopeError, decode, sha256_hex
from vectimus.records import Record

MAX_REMEMBERED = 100_000  # receipts remembered per process, oldest forgotten first


class Signed(Record):
    """Where a decision sits in the signed log."""

    log: str
    seq: int
    digest: str   # SHA-256 of the receipt's payload bytes: what the next receipt's ``prev`` holds
    key: str      # the signing key's id (SHA-256 of its raw public key)


def decision_key(fields: dict) -> tuple:
    """What identifies one decision in both a receipt body and its signed payload."""
    return (fields.get("time"), fields.get("agent"), fields.get("session"), fields.get("tool_use"))


class _Log:
    """One project's receipts directory, read lazily."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.read: dict[str, int] = {}      # segment name -> bytes read
        self.oldest: str | None = None      # the oldest segment read so far
        self.earliest = ""                  # the earliest receipt time seen

    def segments(self) -> list[str]:
        return sorted(p.name for p in self.directory.glob(SEGMENT_GLOB))

    def scan(self, name: str, found: OrderedDict) -> None:
        path = self.directory / name
        try:
            with open(path, "rb") as fh:
                fh.seek(self.read.get(name, 0))
                data = fh.read()
        except OSError:
            return
        data = data[:data.rfind(b"\n") + 1]
        self.read[name] = self.read.get(name, 0) + len(data)
        for line in data.splitlines():
            try:
                envelope = decode(line)
                fields = json.loads(envelope.payload)
                signed = Signed(str(fields["log"]), int(fields["seq"]), sha256_hex(envelope.payload),
                                envelope.signatures[0][0])
            except (EnvelopeError, ValueError, KeyError, TypeError):
                continue
            found[decision_key(fields)] = signed
            if isinstance(fields.get("time"), str) and (not self.earliest or fields["time"] < self.earliest):
                self.earliest = fields["time"]
            while len(found) > MAX_REMEMBERED:
                found.popitem(last=False)

    def refresh(self, found: OrderedDict) -> None:
        """Read what was appended since the last look (to the newest segments)."""
        names = self.segments()
        if not names:
            return
        if self.oldest is None:
            self.oldest = names[-1]
        for name in names:
            if name >= self.oldest:
                self.scan(name, found)

    def older(self, found: OrderedDict) -> bool:
        """Read the segment before the oldest read so far; False when there is none."""
        earlier = [n for n in self.segments() if self.oldest is not None and n < self.oldest]
        if not earlier:
            return False
        self.oldest = earlier[-1]
        self.scan(self.oldest, found)
        return True


class SignedReceipts:
    """Finds signed receipts by decision, across the projects a spool's decisions came from."""

    def __init__(self):
        self.logs: dict[str, _Log] = {}
        self.found: OrderedDict = OrderedDict()

    def find(self, project: str, receipt: dict) -> Signed | None:
        """The signed receipt for a spooled receipt body of ``project``, or None if not (yet) in the log."""
        key = decision_key(receipt)
        if key in self.found:
            return self.found[key]
        log = self.logs.setdefault(project, _Log(receipts_dir(Path(project))))
        log.refresh(self.found)
        wanted = str(receipt.get("time", ""))
        while key not in self.found and wanted and log.earliest and wanted < log.earliest and log.older(self.found):
            pass
        return self.found.get(key)
