"""Vectimus adapter for Cursor (agent hooks in ``.cursor/hooks.json``).

Protocol: the event arrives as JSON on stdin; the answer is always one JSON object
``{"permission": "allow|deny|ask", "user_message": ..., "agent_message": ...}`` with exit 0.
Events: ``preToolUse`` (any tool), ``beforeShellExecution``, ``beforeMCPExecution`` (its
``tool_input`` is a JSON string) and ``beforeReadFile``; ``sessionEnd`` and ``stop`` are recorded.
Every entry is installed with ``failClosed: true``, so a crash or a timeout blocks the call.

``ask`` is only enforced by Cursor for shell and MCP executions; elsewhere it is answered as deny.
An ``MCP:<tool>`` ``preToolUse`` event that does not name its server is left to
``beforeMCPExecution``, which Cursor sends for the same call with the server's name.
"""

from __future__ import annotations

import json
from pathlib import Path

from vectimus import wording
from vectimus.adapter import (
    AdapterError,
    AgentAdapter,
    HookOutput,
    SessionEvent,
    add_flat_hook,
    decode_json_object,
    find_project_root,
    flat_hook_commands,
    read_json_config,
    remove_flat_hooks,
    require_str,
    uninstall_json_hooks,
    write_json_config,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import ToolSpec, build_call, split_mcp_name
from vectimus_cursor.tools import CURSOR_TOOLS

TOOL_EVENTS = ("preToolUse", "beforeShellExecution", "beforeMCPExecution", "beforeReadFile")
SESSION_EVENTS = ("sessionEnd", "stop")
ASK_EVENTS = ("beforeShellExecution", "beforeMCPExecution")  # where Cursor enforces "ask"
HOOKS_FILE = Path(".cursor") / "hooks.json"
TIMEOUT = 30
MCP_PREFIX = "MCP:"
READ_SPEC = ToolSpec("file_read", paths=("file_path",), extra_paths=("attachments",))


class CursorAdapter(AgentAdapter):
    name = "cursor"
    display_name = "Cursor"
    governance_files = (
        ".cursor/hooks.json", ".cursor/mcp.json", ".cursor/rules/", ".cursorrules",
        "~/.cursor/hooks.json", "~/.cursor/mcp.json", "/etc/cursor/",
    )
    instruction_files = ("AGENTS.md",)
    mcp_config_files = (".cursor/mcp.json", "~/.cursor/mcp.json")

    def parse(self, event, env):
        if not isinstance(event, dict):
            raise AdapterError("hook input is not a JSON object")
        name = event.get("hook_event_name")
        roots = event.get("workspace_roots")
        root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else None
        hint = env.get("CURSOR_PROJECT_DIR") or root
        cwd = event.get("cwd") if isinstance(event.get("cwd"), str) and event.get("cwd") else hint or ""
        project = find_project_root(cwd, hint)
        cwd = cwd or project
        session = str(event.get("conversation_id") or event.get("session_id") or "")
        if name in SESSION_EVENTS:
            return SessionEvent(agent=self.name, event=name, cwd=cwd, project_dir=project,
                                session_id=session)
        common = dict(project_dir=project, event=name, session_id=session,
                      tool_use_id=str(event.get("tool_use_id") or event.get("generation_id") or ""))
        if name == "beforeShellExecution":
            return build_call(self.name, "Shell", CURSOR_TOOLS["Shell"], {"command": event.get("command")},
                              cwd=cwd, raw=event, **common)
        if name == "beforeMCPExecution":
            return self._mcp_call(event, cwd, common)
        if name == "beforeReadFile":
            raw = {k: v for k, v in event.items() if k != "content"}  # never keep the file's text
            attachments = event.get("attachments") or []
            if not isinstance(attachments, list):
                raise AdapterError("beforeReadFile event whose attachments are not a list")
            attached = [a.get("file_path", a.get("filePath")) for a in attachments
                        if isinstance(a, dict) and a.get("file_path", a.get("filePath")) is not None]
            return build_call(self.name, "Read", READ_SPEC,
                              {"file_path": event.get("file_path"), "attachments": attached},
                              cwd=cwd, raw=raw, **common)
        if name != "preToolUse":
            raise AdapterError(f"unsupported hook event {name!r}")
        tool = require_str(event, "tool_name", "preToolUse event")
        spec = CURSOR_TOOLS.get(tool)
        tool_input = decode_json_object(event.get("tool_input"), f"{tool} tool_input",
                                        lenient=spec is None)
        if tool.startswith(MCP_PREFIX):
            server = _server_name(event)
            if not server:
                return build_call(self.name, tool, ToolSpec("internal"), tool_input, cwd=cwd,
                                  raw=event, **common)
            return build_call(self.name, tool, None, tool_input, cwd=cwd, raw=event,
                              mcp=(server, tool[len(MCP_PREFIX):]), **common)
        return build_call(self.name, tool, spec, tool_input, cwd=cwd, raw=event,
                          mcp=split_mcp_name(tool), **common)

    def _mcp_call(self, event: dict, cwd: str, common: dict) -> ToolCall:
        tool = require_str(event, "tool_name", "beforeMCPExecution event")
        server = _server_name(event)
        if not server:
            raise AdapterError("beforeMCPExecution event without an mcp_server_name")
        arguments = decode_json_object(event.get("tool_input"), "beforeMCPExecution tool_input")
        return build_call(self.name, tool, None, arguments, cwd=cwd, raw=event,
                          mcp=(server, tool), **common)

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        verdict: str = "allow" if decision.decision == "observe" else decision.decision
        if verdict == "ask" and (call is None or call.event not in ASK_EVENTS):
            verdict = "deny"
        out = {"permission": verdict}
        if verdict != "allow":
            reason = wording.told(decision.decision, decision.reason, verdict)
            out["user_message"] = reason
            out["agent_message"] = reason
        return HookOutput(stdout=json.dumps(out))

    def install(self, project, command, *, ci):
        path = project / HOOKS_FILE
        config = read_json_config(path)
        config.setdefault("version", 1)
        for event in (*TOOL_EVENTS, *SESSION_EVENTS):
            add_flat_hook(config, event, {"command": command, "timeout": TIMEOUT, "failClosed": True})
        write_json_config(path, config)
        return [path]

    def uninstall(self, project):
        return uninstall_json_hooks(project / HOOKS_FILE, remove_flat_hooks)

    def installed_commands(self, project):
        return flat_hook_commands(read_json_config(project / HOOKS_FILE), "preToolUse")

    def detect(self, project, home):
        return (project / ".cursor").is_dir() or (home / ".cursor").is_dir()

    def canary_event(self, project):
        return {"conversation_id": "vectimus-doctor", "generation_id": "vectimus-doctor-canary",
                "hook_event_name": "beforeShellExecution", "workspace_roots": [str(project)],
                "command": "rm -rf /", "cwd": str(project)}


def _server_name(event: dict) -> str:
    """The MCP server an event names (Cursor spells it ``mcp_server_name``)."""
    for key in ("mcp_server_name", "server_name", "mcp_server"):
        value = event.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def register_agents(register):
    register(CursorAdapter())
