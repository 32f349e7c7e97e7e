"""Vectimus adapter for Claude Code (``PreToolUse`` / ``SessionEnd`` command hooks).

Protocol: the event arrives as JSON on stdin; allow = no output and exit 0; deny and ask =
``hookSpecificOutput`` JSON with ``permissionDecision`` and a reason, exit 0. Hooks are installed
in ``.claude/settings.json``, merged with whatever is there.
"""

from __future__ import annotations

import json

from vectimus.adapter import (
    AdapterError,
    HookOutput,
    MatcherHooksAdapter,
    SessionEvent,
    find_project_root,
    pre_tool_use_output,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import CLAUDE_TOOLS, build_call, split_mcp_name

SESSION_EVENTS = ("SessionEnd", "Stop")


class ClaudeAdapter(MatcherHooksAdapter):
    name = "claude"
    display_name = "Claude Code"
    hooks_file = ".claude/settings.json"
    hook_events = {"PreToolUse": "*", "SessionEnd": None}
    governance_files = (
        ".claude/settings.json", ".claude/settings.local.json", ".claude/agents/",
        ".claude/commands/", ".claude/skills/", ".claude/hooks/", ".mcp.json", "CLAUDE.md",
        "~/.claude/settings.json", "~/.claude.json", "/etc/claude-code/",
    )
    mcp_config_files = (".mcp.json", "~/.claude.json", "~/.claude/settings.json")

    def parse(self, event, env):
        if not isinstance(event, dict):
            raise AdapterError("hook input is not a JSON object")
        name = event.get("hook_event_name")
        cwd = event.get("cwd")
        if not isinstance(cwd, str) or not cwd:
            cwd = env.get("CLAUDE_PROJECT_DIR") or ""
        project = find_project_root(cwd, env.get("CLAUDE_PROJECT_DIR"))
        session = str(event.get("session_id") or "")
        if name in SESSION_EVENTS:
            return SessionEvent(agent=self.name, event=name, cwd=cwd, project_dir=project,
                                session_id=session)
        if name != "PreToolUse":
            raise AdapterError(f"unsupported hook event {name!r}")
        tool = event.get("tool_name")
        if not isinstance(tool, str) or not tool:
            raise AdapterError("PreToolUse event without a tool_name")
        mcp = split_mcp_name(tool)
        return build_call(
            self.name, tool, CLAUDE_TOOLS.get(tool), event.get("tool_input"),
            cwd=cwd or project, project_dir=project, event=name, session_id=session,
            tool_use_id=str(event.get("tool_use_id") or ""),
            permission_mode=str(event.get("permission_mode") or ""), raw=event, mcp=mcp)

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        if decision.decision not in ("deny", "ask"):
            return HookOutput()
        return HookOutput(stdout=json.dumps(pre_tool_use_output(decision.decision, decision.reason)))

    def detect(self, project, home):
        return (project / ".claude").is_dir() or (home / ".claude").is_dir()

    def canary_event(self, project):
        return {"session_id": "vectimus-doctor", "cwd": str(project), "permission_mode": "default",
                "hook_event_name": "PreToolUse", "tool_name": "Bash",
                "tool_input": {"command": "rm -rf /", "description": "vectimus doctor canary"},
                "tool_use_id": "vectimus-doctor-canary"}


def register_agents(register):
    register(ClaudeAdapter())
