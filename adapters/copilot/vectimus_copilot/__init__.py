"""Vectimus adapter for GitHub Copilot: Copilot CLI, the cloud agent and VS Code agent hooks.

Protocol: the event arrives as JSON on stdin in one of two shapes. camelCase (``preToolUse``):
``toolName`` with ``toolArgs`` as a JSON string or an object, answered with
``{"permissionDecision": ..., "permissionDecisionReason": ...}``. PascalCase (``PreToolUse``,
also what VS Code sends): ``hook_event_name``, ``tool_name``, ``tool_input``, answered with the
same fields plus Claude-style ``hookSpecificOutput``, which VS Code reads. Allow is ``{}`` (no
decision: the agent's own confirmations still apply). Exit code 0 always.

Hooks go to ``.github/hooks/vectimus.json`` (``preToolUse``, ``sessionEnd``, ``agentStop``). The
camelCase session events carry no event name, so their entries set ``VECTIMUS_COPILOT_EVENT``.
MCP tools are recognised as ``mcp__server__tool``, ``mcp_server_tool`` or ``server-tool`` against
the servers declared in Copilot's MCP config files.

Copilot CLI sends each call to every hook it runs: its own (either shape) and the Claude-format
ones in ``.claude/settings*.json`` (read here through the Claude adapter). Its PascalCase events
rename the tools Claude-style (``create`` becomes ``Write``) but keep Copilot's arguments, and carry
no tool-use id; so Copilot CLI's calls are recorded under their runtime names, with the call's
timestamp as its id, and one call reads the same whichever hook received it.
"""

from __future__ import annotations

import json
import time
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
    pre_tool_use_output,
    read_json_config,
    remove_flat_hooks,
    uninstall_json_hooks,
    write_json_config,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import build_call, split_mcp_name
from vectimus_copilot.tools import COPILOT_TOOLS

SESSION_EVENTS = ("sessionEnd", "agentStop", "subagentStop", "SessionEnd", "Stop", "SubagentStop")
TOOL_EVENTS = ("preToolUse", "PreToolUse")
INSTALLED_EVENTS = ("preToolUse", "sessionEnd", "agentStop")
EVENT_ENV = "VECTIMUS_COPILOT_EVENT"
HOOKS_FILE = Path(".github") / "hooks" / "vectimus.json"
TIMEOUT = 30
# Copilot CLI's PascalCase events name its tools Claude-style; these are the runtime names.
RUNTIME_NAMES = {"Bash": "bash", "PowerShell": "powershell", "Write": "create", "Edit": "edit",
                 "Read": "view", "Glob": "glob", "Grep": "grep", "Agent": "task"}


class CopilotAdapter(AgentAdapter):
    name = "copilot"
    display_name = "GitHub Copilot"
    fails_open = "Copilot CLI runs the tool when its hook times out (after 30 s)"
    governance_files = (
        ".github/hooks/", ".github/copilot/", ".github/copilot-instructions.md", ".github/agents/",
        ".github/mcp.json", ".vscode/settings.json", ".vscode/mcp.json", "~/.copilot/", "/etc/github-copilot/",
    )
    instruction_files = ("copilot-instructions.md", ".github/instructions/", "AGENTS.md")
    mcp_config_files = (".vscode/mcp.json", ".github/mcp.json", "~/.copilot/mcp-config.json")

    def parse(self, event, env):
        if not isinstance(event, dict):
            raise AdapterError("hook input is not a JSON object")
        name = event.get("hook_event_name") or event.get("hookEventName") or env.get(EVENT_ENV)
        if not name:
            name = "PreToolUse" if "tool_name" in event else "preToolUse"
        cwd = event.get("cwd") if isinstance(event.get("cwd"), str) else ""
        project = find_project_root(cwd)
        cwd = cwd or project
        session = str(event.get("sessionId") or event.get("session_id") or "")
        if name in SESSION_EVENTS:
            return SessionEvent(agent=self.name, event=name, cwd=cwd, project_dir=project,
                                session_id=session)
        if name not in TOOL_EVENTS:
            raise AdapterError(f"unsupported hook event {name!r}")
        tool = event.get("toolName", event.get("tool_name"))
        if not isinstance(tool, str) or not tool:
            raise AdapterError(f"{name} event without a toolName")
        if name == "PreToolUse" and "transcript_path" not in event:  # Copilot CLI, not VS Code
            tool = RUNTIME_NAMES.get(tool, tool)
        spec = COPILOT_TOOLS.get(tool)
        given = event["toolArgs"] if "toolArgs" in event else event.get("tool_input")
        tool_input = decode_json_object(given, f"{tool} arguments", lenient=spec is None)
        mcp = None if spec is not None else _mcp_target(tool, project, env)
        return build_call(
            self.name, tool, spec, tool_input, cwd=cwd, project_dir=project, event=name,
            session_id=session, raw=event, mcp=mcp,
            tool_use_id=str(event.get("tool_use_id") or event.get("toolUseId") or "")
            or _timestamp_id(event.get("timestamp")))

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        if decision.decision not in ("deny", "ask"):
            return HookOutput(stdout="{}")
        reason = wording.told(decision.decision, decision.reason, decision.decision)
        out: dict = {"permissionDecision": decision.decision, "permissionDecisionReason": reason}
        if call is None or call.event == "PreToolUse":
            out.update(pre_tool_use_output(decision.decision, reason))
        return HookOutput(stdout=json.dumps(out))

    def install(self, project, command, *, ci):
        path = project / HOOKS_FILE
        config = read_json_config(path)
        config.setdefault("version", 1)
        for event in INSTALLED_EVENTS:
            entry = {"type": "command", "bash": command, "cwd": ".", "timeoutSec": TIMEOUT}
            if event != "preToolUse":
                entry["env"] = {EVENT_ENV: event}
            add_flat_hook(config, event, entry, key="bash")
        write_json_config(path, config)
        return [path]

    def uninstall(self, project):
        return uninstall_json_hooks(project / HOOKS_FILE, lambda config: remove_flat_hooks(config, key="bash"))

    def installed_commands(self, project):
        return flat_hook_commands(read_json_config(project / HOOKS_FILE), "preToolUse", key="bash")

    def detect(self, project, home):
        return any(p.is_dir() for p in (project / ".github", project / ".vscode", home / ".copilot"))

    def canary_event(self, project):
        return {"sessionId": "vectimus-doctor", "timestamp": 0, "cwd": str(project),
                "toolName": "bash", "toolArgs": json.dumps({"command": "rm -rf /"})}


def _timestamp_id(stamp) -> str:
    """A call's id from its timestamp, the same in both shapes (milliseconds, or ISO 8601 UTC)."""
    if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
        seconds, millis = divmod(stamp, 1000)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"
    return f"copilot-{stamp}" if isinstance(stamp, str) and stamp else ""


def _mcp_target(tool: str, project: str, env: dict) -> tuple[str, str] | None:
    """``(server, tool)`` when ``tool`` names an MCP tool, else None.

    Copilot spells MCP tools ``<server>-<tool>`` (CLI) or ``mcp_<server>_<tool>`` (VS Code),
    matched against the servers declared in Copilot's config files. An undeclared ``mcp_`` name
    is still an MCP call (its server is then not on the allow-list).
    """
    claude_style = split_mcp_name(tool)
    if claude_style is not None:
        return claude_style
    from vectimus.mcp_discovery import declared_tool

    declared = declared_tool(tool, Path(project), env, "copilot", ("{server}-", "mcp_{server}_"))
    return declared or split_mcp_name(tool, prefix="mcp_", sep="_")


def register_agents(register):
    register(CopilotAdapter())
