"""Many jobs at once: every receipt log under some directories, each verified, summed up as one fleet.

``find_logs`` walks the directories (CI artifacts downloaded side by side, say) for receipts
directories; each is one **job**, verified against the keys beside it (or ``--keys``) and its own
anchors when given (``vectimus.receipts.anchors``, checked by ``vectimus verify``'s own
machinery): the key fingerprints that may have signed it and a ``SIZE:ROOT`` checkpoint it must
hold, both read from somewhere the job's agent could not write (the job's log or summary). The
figures (repositories, agents, decisions per day, policies, every deny and ask) count only logs
that verified; every log that did not is listed with its first failure instead.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from vectimus.layout import PROJECT_DIR, RECEIPTS
from vectimus.receipts.anchors import Anchors, anchors_of
from vectimus.receipts.chain import SEGMENT_GLOB
from vectimus.receipts.state import CHECKPOINTS, STATE
from vectimus.receipts.envelope import EnvelopeError, payload_of
from vectimus.report.log import AuditLog, Entry, load

TOP_POLICIES = 20


def read_anchors(path: Path) -> dict[str, Anchors]:
    """An anchors file: ``{"<job, its artifact directory or log id>": {"keys": [...], "checkpoint": "SIZE:ROOT"}}``.

    ``checkpoints`` (a list of ``SIZE:ROOT``) may stand for ``checkpoint``.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object of jobs")
    anchors = {}
    for name, given in data.items():
        if not isinstance(given, dict):
            raise ValueError(f"{path}: {name}: expected an object with keys and/or checkpoint")
        keys = given.get("keys", [])
        checkpoints = given.get("checkpoints", [given["checkpoint"]] if given.get("checkpoint") else [])
        if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in (keys, checkpoints)):
            raise ValueError(f"{path}: {name}: keys must be a list of key fingerprints, checkpoint a SIZE:ROOT")
        try:
            anchors[name] = anchors_of(keys, checkpoints)
        except ValueError as exc:
            raise ValueError(f"{path}: {name}: {exc}") from None
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
        """The repository the decisions were made in: as the log's sealing checkpoint recorded it,
        else the name of the checkout's directory."""
        for origin in reversed(self.log.origins):
            if origin.get("repository_name") or origin.get("repository"):
                return str(origin.get("repository_name") or origin["repository"])
        names = Counter(Path(e.project).name for e in self.log.entries if e.project)
        return names.most_common(1)[0][0] if names else ""

    def as_dict(self) -> dict:
        report = self.log.verification
        from vectimus.report.provenance import provenance_of

        return {"name": self.name, "receipts_dir": report.path, "keys_dir": report.keys_dir,
                "provenance": provenance_of(self.log),
                "repository": self.repository, "verified": self.verified, "anchors": self.anchors.as_dict(),
                "log": report.log, "receipts": report.receipts, "sessions": len(report.sessions),
                "agents": sorted({e.agent for e in self.log.entries}),
                "decisions": dict(sorted(self.log.by_outcome().items())), "synthetic": len(self.log.synthetic),
                "keys_used": sorted(report.keys_used),
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
    if parts[-2:] == [PROJECT_DIR, RECEIPTS]:
        parts = parts[:-2]
    return "/".join(parts) or root.name


def claimed_log_id(receipts: Path) -> str:
    """The log id the first receipt claims (unverified: only to find the anchors it is then verified against)."""
    for segment in sorted(receipts.glob(SEGMENT_GLOB)):
        with open(segment, "rb") as fh:
            try:
                fields = json.loads(payload_of(fh.readline()))
            except (EnvelopeError, ValueError):
                return ""
        return str(fields.get("log", "")) if isinstance(fields, dict) else ""
    return ""


def anchors_for(name: str, receipts: Path, anchors: dict[str, Anchors]) -> Anchors:
    """The anchors given for a job: by its name, its artifact directory (first path part) or its log id."""
    for key in (name, name.split("/")[0]):
        if key in anchors:
            return anchors[key]
    return anchors.get(claimed_log_id(receipts), Anchors()) if anchors else Anchors()


def verify_job(root: Path, receipts: Path, *, keys: Path | None, anchors: dict[str, Anchors],
               sealed: bool) -> Job:
    """Verify one job's log (with its anchors) and read it."""
    name = job_name(root, receipts)
    given = anchors_for(name, receipts, anchors)
    return Job(name, load(receipts, keys, sealed=sealed, anchors=given), given)


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
