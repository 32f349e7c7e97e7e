"""Vectimus adapter for Factory Droid (``PreToolUse`` / ``SessionEnd`` command hooks).

Protocol: Claude-style events on stdin with Droid's own tools (``Execute`` with its
``riskLevel``, ``Create``, ``Edit`` with ``old_str``/``new_str``, ``Read``, ``LS``, ``Grep``,
``Glob``, ``Task``…) and no ``tool_use_id``; MCP tools are ``<server>___<tool>``. Deny is
``hookSpecificOutput`` JSON with ``permissionDecision: deny`` (Droid ignores a flat one), allow is
no output. Droid runs the tool on ``ask`` in its auto modes, so ``ask`` is answered as deny.

Hooks go in ``.factory/hooks.json``, which holds the events at its top level: Droid silently
ignores a file that wraps them in ``{"hooks": …}``. Droid runs the tool when a hook times out.
"""

from __future__ import annotations


from vectimus.adapter import HookOutput, MatcherHooksAdapter, SessionEvent, pre_tool_use_output, render_deny_only
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import ToolSpec, aliases, build_call, split_mcp_name

# The tools Droid 0.225.2 offered (names and arguments as declared to the model); any other
# tool is an ``unknown`` call.
DROID_TOOLS: dict[str, ToolSpec] = {
    "Execute": ToolSpec("shell", command="command"),
    "Create": ToolSpec("file_write", paths=("file_path",), content="content"),
    "Edit": ToolSpec("file_write", paths=("file_path",), content="new_str"),
    "Read": ToolSpec("file_read", paths=("file_path",)),
    "LS": ToolSpec("file_read", paths=("directory_path", "path"), optional_path=True),
    "Grep": ToolSpec("file_read", paths=("path", "folder"), optional_path=True),
    "Glob": ToolSpec("file_read", paths=("folder", "path"), optional_path=True),
    "Task": ToolSpec("spawn", prompt="prompt", normalise=aliases(prompt=("prompt", "description"))),
    # Agent bookkeeping with no effect outside the agent itself.
    "TaskOutput": ToolSpec("internal"),
    "TaskStop": ToolSpec("internal"),
    "TodoWrite": ToolSpec("internal"),
    "ToolSearch": ToolSpec("internal"),
    "Skill": ToolSpec("internal"),
}


class DroidAdapter(MatcherHooksAdapter):
    name = "droid"
    display_name = "Factory Droid"
    hooks_file = ".factory/hooks.json"
    wrapped = False
    hook_events = {"PreToolUse": "*", "SessionEnd": None}
    session_events = ("SessionEnd",)
    project_dir_env = "FACTORY_PROJECT_DIR"
    supports_ask = False
    fails_open = "Factory Droid runs the tool when its hook times out (after 30 s)"
    governance_files = (".factory/", "~/.factory/")
    instruction_files = ("AGENTS.md",)
    mcp_config_files = (".factory/mcp.json", "~/.factory/mcp.json")

    def parse(self, event, env):
        parsed = self.parse_envelope(event, env)
        if isinstance(parsed, SessionEvent):
            return parsed
        tool, fields = parsed
        spec = DROID_TOOLS.get(tool)
        mcp = None if spec is not None else split_mcp_name(tool, prefix="", sep="___")
        return build_call(self.name, tool, spec, event.get("tool_input"), mcp=mcp, **fields)

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        return render_deny_only(decision, lambda reason: pre_tool_use_output("deny", reason))

    def detect(self, project, home):
        return (project / ".factory").is_dir() or (home / ".factory").is_dir()

    def canary_event(self, project):
        return {"session_id": "vectimus-doctor", "transcript_path": "", "cwd": str(project),
                "permission_mode": "auto-high", "hook_event_name": "PreToolUse", "tool_name": "Execute",
                "tool_input": {"command": "rm -rf /", "summary": "vectimus doctor canary",
                               "riskLevel": "high", "riskLevelReason": "canary"}}


def register_agents(register):
    register(DroidAdapter())
