"""A receipt log read for reporting: the verification result plus every receipt's fields.

Receipts of calls no agent made (``synthetic``: ``vectimus doctor``'s canaries) are kept apart:
every figure counts the agents' calls, and reports list the canaries on their own. The
checkpoints that sealed the log say where it was sealed (``origins``: checkout, CI run, host,
user, packs), which reports show as its provenance.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from vectimus.receipts.anchors import Anchors
from vectimus.receipts.chain import SEGMENT_GLOB
from vectimus.receipts.state import CHECKPOINTS
from vectimus.receipts.envelope import EnvelopeError, payload_of
from vectimus.receipts.findings import Report
from vectimus.receipts.verify import resolve, verify

BLOCKING = ("deny", "ask")


@dataclass(frozen=True)
class Entry:
    """One receipt as a report shows it."""

    seq: int
    time: str
    agent: str
    session: str
    tool: str
    subject: str     # the command, paths, URL or MCP tool the call was about
    decision: str
    mode: str
    policies: tuple[str, ...]
    reason: str
    project: str = ""  # the project directory the call was made in
    synthetic: str = ""  # what made the call when no agent did ("doctor"), else ''
    policy_digest: str = ""  # the policy set that decided
    vectimus: str = ""  # the version of Vectimus that decided

    @property
    def blocked(self) -> bool:
        return self.decision in BLOCKING

    def as_dict(self) -> dict:
        return {"seq": self.seq, "time": self.time, "agent": self.agent, "session": self.session,
                "tool": self.tool, "subject": self.subject, "decision": self.decision, "mode": self.mode,
                "policies": list(self.policies), "reason": self.reason,
                **({"synthetic": self.synthetic} if self.synthetic else {})}


@dataclass
class AuditLog:
    """A verified (or failed) receipt log and the entries it holds, oldest first."""

    verification: Report
    entries: list[Entry] = field(default_factory=list)     # the agents' calls
    synthetic: list[Entry] = field(default_factory=list)   # calls no agent made (doctor's canaries)
    origins: list[dict] = field(default_factory=list)      # where each sealing checkpoint says it was sealed

    @property
    def verified(self) -> bool:
        return self.verification.ok

    def only_session(self, session: str) -> AuditLog:
        """The same log restricted to one session's entries (verification is still the whole log's)."""
        origins = [o for o in self.origins if o.get("session") == session] or self.origins
        return AuditLog(self.verification, [e for e in self.entries if e.session == session],
                        [e for e in self.synthetic if e.session == session], origins)

    def by_outcome(self) -> Counter:
        return Counter(e.decision for e in self.entries)

    def by_policy(self) -> dict[str, Counter]:
        """For each policy id named by a receipt: how many decisions of each outcome named it."""
        out: dict[str, Counter] = {}
        for entry in self.entries:
            for policy in entry.policies:
                out.setdefault(policy, Counter())[entry.decision] += 1
        return dict(sorted(out.items()))

    def by_control(self, controls: dict[str, list[str]]) -> dict[str, Counter]:
        """For each control the decisions' policies map to (``controls``: policy id -> control labels),
        how many decisions of each outcome; a decision counts once per control."""
        out: dict[str, Counter] = {}
        for entry in self.entries:
            for label in {label for policy in entry.policies for label in controls.get(policy, ())}:
                out.setdefault(label, Counter())[entry.decision] += 1
        return dict(sorted(out.items()))

    def blocked(self) -> list[Entry]:
        """Every deny and ask, oldest first."""
        return [e for e in self.entries if e.blocked]

    def observed(self) -> list[Entry]:
        """Every call a policy would have blocked but only observed (it went ahead), oldest first."""
        return [e for e in self.entries if e.decision == "observe"]

    def seq_range(self) -> tuple[int, int] | None:
        """The first and last sequence number shown, or None when there are no entries."""
        if not self.entries:
            return None
        return self.entries[0].seq, self.entries[-1].seq


def subject_of(call: dict) -> str:
    """What a recorded call was about, in one line."""
    if call.get("command") is not None:
        return str(call["command"])
    if call.get("paths"):
        return " ".join(str(p) for p in call["paths"])
    if call.get("url"):
        return str(call["url"])
    if call.get("query"):
        return str(call["query"])
    mcp = call.get("mcp") or {}
    if mcp:
        return f"{mcp.get('server')}/{mcp.get('tool')}"
    return str(call.get("kind") or "")


def entry_of(fields: dict) -> Entry:
    """An ``Entry`` from a receipt payload's fields."""
    raw = fields.get("call")
    call = raw if isinstance(raw, dict) else {}
    return Entry(seq=int(fields.get("seq", -1)), time=str(fields.get("time", "")),
                 agent=str(fields.get("agent", "")), session=str(fields.get("session", "")),
                 tool=str(call.get("tool", "")), subject=subject_of(call),
                 decision=str(fields.get("decision", "")), mode=str(fields.get("mode", "")),
                 policies=tuple(str(p) for p in fields.get("policies") or ()),
                 reason=str(fields.get("reason", "")), project=str(call.get("project", "")),
                 synthetic=str(fields.get("synthetic") or ""), policy_digest=str(fields.get("policy_digest", "")),
                 vectimus=str((fields.get("versions") or {}).get("vectimus", "")))


def _fields_in(files: list[Path]):
    """The payload fields of every readable envelope in ``files`` (verification reports the rest)."""
    for file in files:
        for line in file.read_bytes().splitlines():
            if not line.strip():
                continue
            try:
                fields = json.loads(payload_of(line))
            except (EnvelopeError, ValueError):
                continue
            if isinstance(fields, dict):
                yield fields


def read_entries(path: Path) -> list[Entry]:
    """Every readable receipt in a receipts directory (or one receipt file), in log order."""
    files = sorted(path.glob(SEGMENT_GLOB)) if path.is_dir() else [path] if path.is_file() else []
    return [entry_of(fields) for fields in _fields_in(files)]


def read_origins(path: Path) -> list[dict]:
    """Where the log was sealed, per checkpoint that says so, oldest first: its ``origin`` with the
    checkpoint's ``size``, ``session`` and time (``sealed``)."""
    checkpoints = path / CHECKPOINTS
    if not checkpoints.is_file():
        return []
    return [{**fields["origin"], "size": fields.get("size"), "session": str(fields.get("session", "")),
             "sealed": str(fields.get("time", ""))}
            for fields in _fields_in([checkpoints]) if isinstance(fields.get("origin"), dict)]


def verify_command_of(log: AuditLog, path: str | None = None) -> str:
    """The command that verifies ``log`` (at ``path``, else where it was read) pinned to its anchors:
    the keys that signed it and its last checkpoint, or the anchors it was verified against."""
    from vectimus.receipts.anchors import verify_command

    report = log.verification
    anchors = report.anchors or (report.offered() if report.ok else report.anchors)
    return verify_command(path or report.path, anchors, sealed=report.sealed)


def load(path: Path | None, keys: Path | None = None, *, cwd: Path | None = None,
         sealed: bool = False, anchors: Anchors = Anchors()) -> AuditLog:
    """Verify the log at ``path`` (``vectimus verify``'s defaults for missing arguments) and read it."""
    path, keys = resolve(path, keys, cwd or Path.cwd())
    entries = read_entries(path)
    return AuditLog(verify(path, keys, sealed=sealed, anchors=anchors), [e for e in entries if not e.synthetic],
                    [e for e in entries if e.synthetic], read_origins(path))
