"""Many jobs at once: every receipt log under some directories, each verified, summed up as one fleet.

``find_logs`` walks the directories (CI artifacts downloaded side by side, say) for receipts
directories; each is one **job**, verified against the keys beside it (or ``--keys``) and its own
anchors when given: the key fingerprints that may have signed it and a ``SIZE:ROOT`` its first
receipts must hash to, both read from somewhere the job's agent could not write (the job's log or
summary). The figures (repositories, agents, decisions per day, policies, every deny and ask) count
only logs that verified; every log that did not is listed with its first failure instead.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from vectimus.receipts import merkle
from vectimus.receipts.chain import CHECKPOINTS, SEGMENT_GLOB, STATE
from vectimus.receipts.envelope import EnvelopeError, payload_of
from vectimus.receipts.verify import Problem
from vectimus.report.log import AuditLog, Entry, load

TOP_POLICIES = 20


@dataclass(frozen=True)
class Anchors:
    """What a job's log must match, from outside the artifact."""

    keys: tuple[str, ...] = ()                  # key fingerprints allowed to have signed it
    checkpoint: tuple[int, str] | None = None   # (size, Merkle root) of its first receipts

    def as_dict(self) -> dict:
        size_root = f"{self.checkpoint[0]}:{self.checkpoint[1]}" if self.checkpoint else None
        return {"keys": list(self.keys), "checkpoint": size_root}


def parse_checkpoint(text: str) -> tuple[int, str]:
    """``SIZE:ROOT`` as (size, root); raise ValueError when it is not that."""
    size, _, root = text.partition(":")
    if not size.isdigit() or int(size) < 1 or len(root) != 64 or set(root) - set("0123456789abcdef"):
        raise ValueError(f"checkpoint anchor {text!r} is not SIZE:ROOT (a count and a 64-digit hex root)")
    return int(size), root


def read_anchors(path: Path) -> dict[str, Anchors]:
    """An anchors file: ``{"<job, its artifact directory or log id>": {"keys": [...], "checkpoint": "SIZE:ROOT"}}``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of jobs")
    anchors = {}
    for name, given in data.items():
        if not isinstance(given, dict):
            raise ValueError(f"{path}: {name}: expected an object with keys and/or checkpoint")
        keys = given.get("keys", [])
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"{path}: {name}: keys must be a list of key fingerprints")
        checkpoint = given.get("checkpoint")
        anchors[name] = Anchors(tuple(k.lower() for k in keys),
                                parse_checkpoint(checkpoint) if checkpoint else None)
    return anchors


@dataclass
class Job:
    """One job's log: where it was found, what verification said, what it holds."""

    name: str
    log: AuditLog
    anchors: Anchors = field(default_factory=Anchors)

    @property
    def verified(self) -> bool:
        return self.log.verified

    @property
    def repository(self) -> str:
        """The repository the decisions were made in (the checkout's directory name)."""
        names = Counter(Path(e.project).name for e in self.log.entries if e.project)
        return names.most_common(1)[0][0] if names else ""

    def as_dict(self) -> dict:
        report = self.log.verification
        return {"name": self.name, "receipts_dir": report.path, "keys_dir": report.keys_dir,
                "repository": self.repository, "verified": self.verified, "anchors": self.anchors.as_dict(),
                "log": report.log, "receipts": report.receipts, "sessions": len(report.sessions),
                "agents": sorted({e.agent for e in self.log.entries}),
                "decisions": dict(sorted(self.log.by_outcome().items())), "keys_used": sorted(report.keys_used),
                "first_time": report.first_time, "last_time": report.last_time,
                "failure_count": report.failure_count,
                "first_failure": report.failures[0].as_dict() if report.failures else None}


def is_log(path: Path) -> bool:
    """Whether ``path`` is a receipts directory (segments, checkpoints or a writer's state in it)."""
    return path.is_dir() and (any(path.glob(SEGMENT_GLOB)) or (path / CHECKPOINTS).exists()
                              or (path / STATE).exists())


def find_logs(root: Path) -> list[Path]:
    """Every receipts directory at or below ``root``, in path order (symbolic links not followed)."""
    if is_log(root):
        return [root]
    found = [Path(d) for d, _, _ in os.walk(root) if is_log(Path(d))]
    return sorted(found)


def job_name(root: Path, receipts: Path) -> str:
    """How a job is called in the report: its path under the directory given, without ``.vectimus/receipts``."""
    relative = receipts.relative_to(root) if receipts != root else Path(root.name)
    parts = list(relative.parts)
    if parts[-2:] == [".vectimus", "receipts"]:
        parts = parts[:-2]
    return "/".join(parts) or root.name


def anchors_for(name: str, log_id: str, anchors: dict[str, Anchors]) -> Anchors:
    """The anchors given for a job: by its name, its artifact directory (first path part) or its log id."""
    for key in (name, name.split("/")[0], log_id):
        if key in anchors:
            return anchors[key]
    return Anchors()


def _payloads(receipts: Path):
    for segment in sorted(receipts.glob(SEGMENT_GLOB)):
        for line in segment.read_bytes().split(b"\n"):
            if line.strip():
                try:
                    yield payload_of(line)
                except EnvelopeError:
                    yield line  # verification has already failed it; it still takes its place


def check_anchors(log: AuditLog, receipts: Path, anchors: Anchors) -> None:
    """Fail ``log``'s verification when it does not match the job's anchors."""
    report = log.verification
    if anchors.keys:
        strangers = sorted(report.keys_used - set(anchors.keys))
        if strangers or not report.keys_used:
            report.fail(Problem("unknown_key", f"signed by {', '.join(k[:16] + '…' for k in strangers) or 'no key'}"
                                               f", not by the job's anchored key(s)", report.keys_dir))
    if anchors.checkpoint:
        size, root = anchors.checkpoint
        frontier: list = []
        held = 0
        for payload in _payloads(receipts):
            if held == size:
                break
            merkle.append(frontier, payload)
            held += 1
        if held < size:
            report.fail(Problem("truncated", f"the anchored checkpoint covers {size} receipts, the log holds "
                                             f"only {held}", report.path))
        elif merkle.root(frontier) != root:
            report.fail(Problem("checkpoint", f"the first {size} receipts do not hash to the anchored root "
                                              f"{root[:16]}…", report.path))


def verify_job(root: Path, receipts: Path, *, keys: Path | None, anchors: dict[str, Anchors],
               sealed: bool) -> Job:
    """Verify one job's log (with its anchors) and read it."""
    log = load(receipts, keys, sealed=sealed)
    name = job_name(root, receipts)
    given = anchors_for(name, log.verification.log, anchors)
    check_anchors(log, receipts, given)
    return Job(name, log, given)


@dataclass
class Fleet:
    """Every job found, and the sums over those whose logs verified."""

    jobs: list[Job]

    @property
    def verified(self) -> list[Job]:
        return [j for j in self.jobs if j.verified]

    @property
    def failed(self) -> list[Job]:
        return [j for j in self.jobs if not j.verified]

    @property
    def ok(self) -> bool:
        return bool(self.jobs) and not self.failed

    def entries(self) -> list[tuple[Job, Entry]]:
        """Every decision of the verified logs, oldest first."""
        return sorted(((job, e) for job in self.verified for e in job.log.entries), key=lambda je: je[1].time)

    def outcomes(self) -> Counter:
        return Counter(e.decision for _, e in self.entries())

    def by_repository(self) -> dict[str, dict]:
        out: dict[str, dict] = {}
        for job in self.verified:
            row = out.setdefault(job.repository or "?", {"jobs": 0, "decisions": Counter()})
            row["jobs"] += 1
            row["decisions"].update(job.log.by_outcome())
        return dict(sorted(out.items()))

    def by_agent(self) -> dict[str, Counter]:
        out: dict[str, Counter] = {}
        for _, entry in self.entries():
            out.setdefault(entry.agent or "?", Counter())[entry.decision] += 1
        return dict(sorted(out.items()))

    def by_day(self) -> dict[str, Counter]:
        """Decisions per UTC day (the receipts' own time), by outcome."""
        out: dict[str, Counter] = {}
        for _, entry in self.entries():
            out.setdefault(entry.time[:10] or "?", Counter())[entry.decision] += 1
        return dict(sorted(out.items()))

    def top_policies(self, limit: int = TOP_POLICIES) -> list[tuple[str, Counter]]:
        """The policies named by the most decisions, with the outcomes they had."""
        per: dict[str, Counter] = {}
        for _, entry in self.entries():
            for policy in entry.policies:
                per.setdefault(policy, Counter())[entry.decision] += 1
        return sorted(per.items(), key=lambda pc: (-sum(pc[1].values()), pc[0]))[:limit]

    def blocked(self) -> list[tuple[Job, Entry]]:
        """Every deny and ask of the verified logs, oldest first."""
        return [(job, e) for job, e in self.entries() if e.blocked]

    def as_dict(self) -> dict:
        def counts(c: Counter) -> dict:
            return dict(sorted(c.items()))

        return {
            "format": "vectimus.fleet/1",
            "ok": self.ok,
            "jobs": [j.as_dict() for j in self.jobs],
            "verified": len(self.verified), "failed": len(self.failed),
            "outcomes": counts(self.outcomes()),
            "repositories": {r: {"jobs": v["jobs"], "decisions": counts(v["decisions"])}
                             for r, v in self.by_repository().items()},
            "agents": {a: counts(c) for a, c in self.by_agent().items()},
            "days": {d: counts(c) for d, c in self.by_day().items()},
            "top_policies": [{"policy": p, "decisions": sum(c.values()), **counts(c)} for p, c in self.top_policies()],
            "blocked": [{"job": job.name, "repository": job.repository, **e.as_dict()} for job, e in self.blocked()],
            "failed_logs": [j.as_dict() for j in self.failed],
        }


def load_fleet(roots: list[Path], *, keys: Path | None = None, anchors: dict[str, Anchors] | None = None,
               sealed: bool = False) -> Fleet:
    """Find, verify and read every job's log under ``roots``."""
    jobs = [verify_job(root, receipts, keys=keys, anchors=anchors or {}, sealed=sealed)
            for root in roots for receipts in find_logs(root)]
    return Fleet(jobs)
