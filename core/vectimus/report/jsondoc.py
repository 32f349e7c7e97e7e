"""The JSON report: the verification result, the counts and every entry, for scripts."""

from __future__ import annotations

import json

from vectimus.report.log import AuditLog, verify_command_of
from vectimus.report.provenance import provenance_of


def report_dict(log: AuditLog, *, controls: dict[str, list[str]] | None = None) -> dict:
    """Everything the other formats show, as plain data (``controls``: decisions grouped by control too)."""
    span = log.seq_range()
    data = {
        "format": "vectimus.report/1",
        "verified": log.verified,
        "verification": log.verification.as_dict(),
        "anchors": {**(log.verification.offered() if log.verified else log.verification.anchors).as_dict(),
                    "verify": verify_command_of(log)},
        "range": {"first": span[0], "last": span[1]} if span else None,
        "outcomes": dict(sorted(log.by_outcome().items())),
        "policies": {p: dict(sorted(c.items())) for p, c in log.by_policy().items()},
        "blocked": [e.as_dict() for e in log.blocked()],
        "entries": [e.as_dict() for e in log.entries],
        "synthetic": [e.as_dict() for e in log.synthetic],
        "provenance": provenance_of(log),
    }
    if controls is not None:
        data["controls"] = {c: dict(sorted(n.items())) for c, n in log.by_control(controls).items()}
    return data


def render_json(log: AuditLog, **options) -> str:
    """``report_dict(log, **options)`` as indented JSON text."""
    return json.dumps(report_dict(log, **options), indent=2, ensure_ascii=False) + "\n"
