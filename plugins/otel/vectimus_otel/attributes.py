"""What a spooled decision becomes in OpenTelemetry: attributes, severity, body, trace and span ids.

Attribute names follow the OpenTelemetry semantic conventions where one exists (session, GenAI
agent and tool, VCS, CI/CD); everything else is in the ``vectimus.*`` namespace, documented in
``docs/otel.md``. Values come from the receipt body, which already holds secrets only as digests
and file contents not at all; commands, paths and URLs of the call are not exported, only the
actions they were analysed into. Standard library only (``test_attributes`` checks the names
against the ``opentelemetry-semantic-conventions`` package).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from vectimus_otel.signed import Signed

EVENT_NAME = "vectimus.decision"
MAX_ACTIONS = 64      # actions listed per decision (``vectimus.actions.count`` has them all)
MAX_TEXT = 1024       # characters per string value

# receipt / origin field -> semantic-convention attribute
SEMCONV = {
    "session": "session.id",
    "agent": "gen_ai.agent.name",
    "tool": "gen_ai.tool.name",
    "tool_use": "gen_ai.tool.call.id",
    "repository": "vcs.repository.url.full",
    "repository_name": "vcs.repository.name",
    "revision": "vcs.ref.head.revision",
    "ref": "vcs.ref.head.name",
    "pipeline": "cicd.pipeline.name",
    "run_id": "cicd.pipeline.run.id",
    "run_url": "cicd.pipeline.run.url.full",
    "job": "cicd.pipeline.task.name",
}
SEVERITY = {"deny": ("WARN", 13), "ask": ("WARN", 13), "observe": ("INFO", 9), "allow": ("INFO", 9)}


def _clip(value) -> str:
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT - 1] + "…"


def action_summary(action: dict) -> str:
    """One analysed action in one line: ``deny exec rm``."""
    return _clip(f"{action.get('decision', '')} {action.get('kind', '')} {action.get('resource', '')}".strip())


def attributes(record: dict, signed: Signed | None) -> dict:
    """The log record's (and span's) attributes for a spooled decision."""
    receipt, origin = record.get("receipt") or {}, record.get("origin") or {}
    call = receipt.get("call") or {}
    out: dict = {}
    for field, name in SEMCONV.items():
        value = call.get(field) if field == "tool" else receipt.get(field, origin.get(field))
        if value:
            out[name] = _clip(value)
    actions = [a for a in receipt.get("actions") or () if isinstance(a, dict)]
    principal = receipt.get("principal") or {}
    mcp = call.get("mcp") or {}
    out.update({
        "vectimus.decision": receipt.get("decision", ""),
        "vectimus.mode": receipt.get("mode", ""),
        "vectimus.event": receipt.get("event", ""),
        "vectimus.call.kind": call.get("kind", ""),
        "vectimus.policy.ids": [str(p) for p in receipt.get("policies") or ()],
        "vectimus.policy.digest": receipt.get("policy_digest", ""),
        "vectimus.actions": [action_summary(a) for a in actions[:MAX_ACTIONS]],
        "vectimus.actions.count": len(actions),
        "vectimus.principal.identity_type": principal.get("identity_type", ""),
        "vectimus.principal.groups": [str(g) for g in principal.get("groups") or ()],
        "vectimus.version": (receipt.get("versions") or {}).get("vectimus", ""),
    })
    if receipt.get("reason"):
        out["vectimus.reason"] = _clip(receipt["reason"])
    if receipt.get("errors"):
        out["vectimus.errors"] = [_clip(e) for e in receipt["errors"]]
    if mcp.get("server"):
        out["vectimus.mcp.server"] = _clip(mcp["server"])
    if signed is not None:
        out.update({"vectimus.receipt.seq": signed.seq, "vectimus.receipt.digest": signed.digest,
                    "vectimus.log.id": signed.log, "vectimus.key.id": signed.key})
    return {k: v for k, v in out.items() if v not in ("", None, [])}


def severity(record: dict) -> tuple[str, int]:
    """Severity text and number (OpenTelemetry's scale): WARN for deny and ask, INFO otherwise."""
    return SEVERITY.get((record.get("receipt") or {}).get("decision", ""), ("INFO", 9))


def body(record: dict) -> str:
    """The log record's body: the decision, the tool, and the reason the agent was given."""
    receipt = record.get("receipt") or {}
    head = f"{receipt.get('decision', '')} {(receipt.get('call') or {}).get('tool', '')}".strip()
    return _clip(f"{head}: {receipt['reason']}" if receipt.get("reason") else head)


def time_ns(record: dict) -> int:
    """When the decision was made (the receipt's time), in nanoseconds since the epoch."""
    text = str((record.get("receipt") or {}).get("time", ""))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000
    except ValueError:
        return int(float(record.get("t", 0)) * 1e9)


def _id(text: str, hex_digits: int) -> int:
    return int(hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:hex_digits], 16) or 1


def trace_ids(record: dict) -> tuple[int, int, int | None]:
    """(trace id, span id, parent span id) of the decision's span.

    Under the agent's own trace when its hook environment carried a W3C ``TRACEPARENT`` (Claude
    Code passes one when its tracing is on); otherwise one trace per agent session, so a session's
    decisions line up in a trace view.
    """
    receipt = record.get("receipt") or {}
    span = _id("vectimus decision " + "|".join(str(receipt.get(k, "")) for k in
                                                 ("time", "agent", "session", "tool_use")), 16)
    parent = record.get("traceparent")
    if isinstance(parent, str) and parent.count("-") == 3:
        _, trace, parent_span, _ = parent.split("-")
        return int(trace, 16), span, int(parent_span, 16)
    return _id(f"vectimus session {receipt.get('agent', '')} {receipt.get('session', '')}", 32), span, None
