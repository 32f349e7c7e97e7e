"""Vectimus adapter for Claude Code (``PreToolUse`` / ``SessionEnd`` command hooks).

Protocol: the event arrives as JSON on stdin; allow = no output and exit 0; deny and ask =
``hookSpecificOutput`` JSON with ``permissionDecision`` and a reason, exit 0. Hooks are installed
in ``.claude/settings.json``, merged with whatever is there.
"""

from __future__ import annotations

import json

from vectimus.adapter import (
    HookOutput,
    MatcherHooksAdapter,
    SessionEvent,
    pre_tool_use_output,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import CLAUDE_TOOLS, build_call, split_mcp_name



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

    def event_cwd(self, event, env):
        cwd = event.get("cwd")
        return cwd if isinstance(cwd, str) and cwd else env.get("CLAUDE_PROJECT_DIR") or ""

    def project_hint(self, env):
        return env.get("CLAUDE_PROJECT_DIR")

    def parse(self, event, env):
        parsed = self.parse_envelope(event, env)
        if isinstance(parsed, SessionEvent):
            return parsed
        tool, fields = parsed
        return build_call(self.name, tool, CLAUDE_TOOLS.get(tool), event.get("tool_input"),
                          mcp=split_mcp_name(tool), **fields)

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
