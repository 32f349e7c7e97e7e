"""A decision as the spool holds it: the receipt body's exported fields, where and when it was made.

What is kept is what the OpenTelemetry record shows (``attributes.py``): no command, path list,
URL, file content or MCP argument of the call, only its tool and kind, the actions it was analysed
into (already redacted in the body), the decision, reason and policies. Standard library only.
"""

from __future__ import annotations

import re
import time

from vectimus.provenance import provenance
from vectimus.sinks import SinkContext

FORMAT = 1
FIELDS = ("time", "agent", "session", "tool_use", "event", "decision", "reason", "policies", "errors",
          "mode", "policy_digest", "versions", "principal", "actions")
TRACEPARENT = r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"  # W3C trace context, version 00


def spool_record(body: dict, ctx: SinkContext, *, resident: bool = False) -> dict:
    """The spool line for one receipt body decided in ``ctx`` (``resident``: in the resident evaluator)."""
    raw = body.get("call")
    call = raw if isinstance(raw, dict) else {}
    receipt = {k: body[k] for k in FIELDS if k in body}
    receipt["call"] = {k: call[k] for k in ("tool", "kind") if k in call}
    mcp = call.get("mcp")
    if isinstance(mcp, dict):
        receipt["call"]["mcp"] = {"server": mcp.get("server"), "tool": mcp.get("tool")}
    record = {"v": FORMAT, "t": time.time(), "project": str(ctx.project), "receipt": receipt,
              "origin": provenance(ctx.env, ctx.project, remember=resident)}
    parent = ctx.env.get("TRACEPARENT", "").strip().lower()
    if re.fullmatch(TRACEPARENT, parent) and "0" * 32 not in parent:
        record["traceparent"] = parent
    return record
