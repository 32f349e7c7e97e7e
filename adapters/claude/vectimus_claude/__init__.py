"""Vectimus adapter for Claude Code (command hooks in ``.claude/settings.local.json``).

Protocol: the event arrives as JSON on stdin; allow = no output and exit 0; deny and ask =
``hookSpecificOutput`` JSON with ``permissionDecision`` and a reason, exit 0.

Installed events: ``PreToolUse`` (every tool), ``PreSkillShellCommand`` (the inline shell commands
of skills, which never reach ``PreToolUse``; not in 2.1.197, in 2.1.332), ``ConfigChange`` (a settings
or skills file changed during the session: judged as a write of that file, so a rewrite of the
agent's own configuration is not applied; answered with ``decision: block``) and ``SessionEnd``.
The blocking ones carry ``"onFailure": "block"``: from Claude Code 2.1.295 a hook that crashes,
times out or prints garbage then denies; older versions ignore the key and run the tool when the
hook times out (the installed command already exits 2, a deny, when it cannot start).

Hooks go in the local settings file, which is personal and never committed (Claude Code reads it
beside ``.claude/settings.json``); an earlier install in ``.claude/settings.json`` is moved there.

Copilot CLI also runs these hooks (it reads ``.claude/settings*.json``). Its events keep Copilot's
own argument names, so they are read by the Copilot adapter and recorded as Copilot calls.
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
    require_str,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import CLAUDE_TOOLS, build_call, split_mcp_name

BLOCKING_EVENTS = ("PreToolUse", "PreSkillShellCommand", "ConfigChange")


class ClaudeAdapter(MatcherHooksAdapter):
    name = "claude"
    display_name = "Claude Code"
    hooks_file = ".claude/settings.local.json"
    former_hooks_files = (".claude/settings.json",)
    hook_events = {"PreToolUse": "*", "PreSkillShellCommand": "*", "ConfigChange": None,
                   "SessionEnd": None}
    tool_events = ("PreToolUse", "PreSkillShellCommand")
    project_dir_env = "CLAUDE_PROJECT_DIR"
    fails_open = ("Claude Code before 2.1.295 runs the tool when its hook times out "
                  "(newer versions block, as the installed onFailure says)")
    governance_files = (
        ".claude/settings.json", ".claude/settings.local.json", ".claude/agents/",
        ".claude/commands/", ".claude/skills/", ".claude/hooks/", ".mcp.json",
        "~/.claude/settings.json", "~/.claude/settings.local.json", "~/.claude.json", "~/.claude/agents/",
        "~/.claude/commands/", "~/.claude/skills/", "~/.claude/hooks/",
        "/etc/claude-code/", "/Library/Application Support/ClaudeCode/",
    )
    instruction_files = ("CLAUDE.md", "CLAUDE.local.md")
    mcp_config_files = (".mcp.json", "~/.claude.json", "~/.claude/settings.json")

    def hook_fields(self, event):
        return {"onFailure": "block"} if event in BLOCKING_EVENTS else {}

    def parse(self, event, env):
        if _from_copilot(event, env):
            return _copilot().parse(event, env)
        if isinstance(event, dict) and event.get("hook_event_name") == "ConfigChange":
            return self._config_change(event, env)
        parsed = self.parse_envelope(event, env)
        if isinstance(parsed, SessionEvent):
            return parsed
        tool, fields = parsed
        return build_call(self.name, tool, CLAUDE_TOOLS.get(tool), event.get("tool_input"),
                          mcp=split_mcp_name(tool), **fields)

    def _config_change(self, event: dict, env) -> ToolCall:
        """A settings or skills file changed under the session: judged as a write of that file."""
        path = require_str(event, "file_path", "ConfigChange event")
        cwd = self.event_cwd(event, env)
        project = find_project_root(cwd, self.project_hint(env))
        return ToolCall(agent=self.name, tool="ConfigChange", kind="file_write", cwd=cwd or project,
                        project_dir=project, event="ConfigChange", paths=(path,),
                        arguments={"source": event.get("source"), "file_path": path},
                        session_id=str(event.get("session_id") or ""), raw=event)

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        if call is not None and call.agent != self.name:
            return _copilot().render(decision, call)
        if decision.decision not in ("deny", "ask"):
            return HookOutput()
        block = {"decision": "block", "reason": decision.reason}  # what ConfigChange reads
        answer = pre_tool_use_output(decision.decision, decision.reason)
        if call is None:  # the event could not be read: an answer every event understands
            return HookOutput(stdout=json.dumps({**block, **answer}))
        if call.event == "ConfigChange":
            return HookOutput(stdout=json.dumps(block))
        answer["hookSpecificOutput"]["hookEventName"] = call.event
        return HookOutput(stdout=json.dumps(answer))

    def detect(self, project, home):
        return (project / ".claude").is_dir() or (home / ".claude").is_dir()

    def canary_event(self, project):
        return {"session_id": "vectimus-doctor", "cwd": str(project), "permission_mode": "default",
                "hook_event_name": "PreToolUse", "tool_name": "Bash",
                "tool_input": {"command": "rm -rf /", "description": "vectimus doctor canary"},
                "tool_use_id": "vectimus-doctor-canary"}


def _from_copilot(event, env) -> bool:
    """Whether Copilot CLI, not Claude Code, sent this event (it runs Claude-format hooks too).

    Copilot sets ``COPILOT_CLI=1`` for its hooks, and its events carry a ``timestamp`` where
    Claude Code's carry a ``transcript_path``.
    """
    if env.get("COPILOT_CLI") == "1":
        return True
    return isinstance(event, dict) and "timestamp" in event and "transcript_path" not in event


def _copilot():
    from vectimus.plugins import find_agent

    adapter = find_agent("copilot")
    if adapter is None:
        raise AdapterError("Copilot CLI is running Claude Code's hooks: install vectimus-copilot so "
                           "Vectimus can read its calls")
    return adapter


def register_agents(register):
    register(ClaudeAdapter())
