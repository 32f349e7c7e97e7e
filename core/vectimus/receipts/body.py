"""The body of a receipt: what was asked, what was decided, under which policies and by whom.

Secrets in commands, URLs, queries, reasons and errors are replaced by digests; file contents,
subagent prompts and MCP arguments are recorded only as a SHA-256 digest and a length. Every
value is a string, an integer, a boolean, null, a list or an object (no floats), the JSON subset
``docs/receipts.md`` specifies. Standard library only: used on the hot path.
"""

from __future__ import annotations

import json

from vectimus.model import Decision, ToolCall, Verdict
from vectimus.receipts.envelope import timestamp
from vectimus.receipts.redact import redact, redact_reason
from vectimus.sha256 import sha256

MAX_COMMAND = 8192  # longer commands are clipped; the digest of the whole (redacted) command is kept


def _text(value: str) -> str:
    """A string that is valid Unicode (lone surrogates from a hostile event become U+FFFD)."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _plain(value):
    """``value`` as the receipt JSON subset: tuples become lists, floats and others become strings."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {_text(str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return _text(str(value))


def content_digest(data: str | bytes) -> dict:
    """``{"sha256": hex, "bytes": n}`` of a text (UTF-8) or bytes."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    return {"sha256": sha256(raw).hexdigest(), "bytes": len(raw)}


def call_summary(call: ToolCall) -> dict:
    """The tool call as recorded: command/paths/url kept (secrets digested), contents digested."""
    out: dict = {"tool": call.tool, "kind": call.kind, "cwd": call.cwd, "project": call.project_dir}
    if call.permission_mode:
        out["permission_mode"] = call.permission_mode
    if call.command is not None:
        command = redact(_text(call.command))
        if len(command) > MAX_COMMAND:
            out["command_full"] = content_digest(command)
            command = command[:MAX_COMMAND] + "…"
        out["command"], out["shell"] = command, call.shell
    if call.paths:
        out["paths"] = list(call.paths)
    if call.url is not None:
        out["url"] = redact(call.url)
    if call.query is not None:
        out["query"] = redact(call.query)
    if call.mcp_server is not None or call.mcp_tool is not None:
        out["mcp"] = {"server": call.mcp_server, "tool": call.mcp_tool}
        if call.arguments is not None:
            args = json.dumps(call.arguments, sort_keys=True, separators=(",", ":"), default=str)
            out["mcp"]["arguments"] = content_digest(args)
    if call.prompt is not None:
        out["prompt"] = content_digest(call.prompt)
    if call.content is not None:
        out["content"] = content_digest(call.content)
    return _plain(out)


def call_key(call: ToolCall) -> str:
    """The call's idempotency key: one call, one receipt, whichever hook or path records it.

    SHA-256 over the session id, the agent's tool-use id and a digest of what the call does (its
    kind, directory, command, paths, URL, query, MCP server/tool/arguments, prompt and content),
    leaving out how an agent spells it (the tool's name, the agent's name, the permission mode),
    so two hooks that receive one call in different formats compute the same key. Empty when the
    agent gave no tool-use id: two calls could then not be told apart.
    """
    if not call.tool_use_id:
        return ""
    what = [call.kind, call.cwd, call.project_dir, call.command, call.shell, list(call.paths), call.url,
            call.query, call.mcp_server, call.mcp_tool, call.prompt, call.content]
    digest = sha256(json.dumps([what, call.arguments], sort_keys=True, default=str,
                                       ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()
    return sha256("\0".join(("vectimus.call/1", call.session_id, call.tool_use_id, digest))
                          .encode("utf-8", "surrogatepass")).hexdigest()


def answer_digest(exit_code: int, stdout: bytes, stderr: bytes) -> dict:
    """What the hook answered, as recorded: its exit code and the digests of its stdout and stderr."""
    return {"exit": exit_code, "stdout": content_digest(stdout), "stderr": content_digest(stderr)}


def verdict_summary(verdict: Verdict) -> dict:
    """One action and how it was decided."""
    action = verdict.action
    return {"kind": action.kind, "resource": redact(_text(action.resource)), "dynamic": action.dynamic,
            "decision": verdict.decision, "policies": list(verdict.policies),
            "errors": [redact(_text(e)) for e in verdict.errors]}


def receipt_body(call: ToolCall, decision: Decision, *, mode: str, principal: dict,
                 policy_digest: str, versions: dict) -> dict:
    """The JSON body of the receipt for one decision, before it is chained and signed."""
    return {
        "time": timestamp(),
        "agent": _text(call.agent),
        "session": _text(call.session_id),
        "tool_use": _text(call.tool_use_id),
        "event": _text(call.event),
        "call": call_summary(call),
        "actions": [verdict_summary(v) for v in decision.verdicts],
        "decision": decision.decision,
        "reason": redact_reason(_text(decision.reason), decision.policies),
        "policies": list(decision.policies),
        "errors": [redact(_text(e)) for e in decision.errors],
        "mode": mode,
        "policy_digest": _text(policy_digest),
        "versions": _plain(versions),
        "principal": _plain(principal),
    }
