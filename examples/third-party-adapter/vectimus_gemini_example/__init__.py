"""An example third-party Vectimus adapter, for Gemini CLI's ``BeforeTool`` hook.

Everything an adapter needs is here: parse the agent's event into a ``ToolCall``, render a
decision in the agent's format, and install / remove the hook in the agent's config. Registration
is the ``[project.entry-points.vectimus]`` table in pyproject.toml plus ``register_agents`` below;
no change to Vectimus itself.

Protocol (Gemini CLI): stdin ``{session_id, cwd, hook_event_name: "BeforeTool", tool_name,
tool_input, mcp_context?}``; deny is ``{"decision": "deny", "reason": ...}``, anything else lets the
tool run. Hooks live in ``.gemini/settings.json`` with timeouts in milliseconds.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from vectimus import wording
from vectimus.adapter import (
    AdapterError,
    AgentAdapter,
    HookOutput,
    SessionEvent,
    add_matcher_hook,
    decode_json_object,
    find_project_root,
    matcher_hook_commands,
    read_json_config,
    remove_matcher_hooks,
    require_str,
    uninstall_json_hooks,
    write_json_config,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import ToolSpec, build_call, split_mcp_name

SETTINGS = Path(".gemini") / "settings.json"
TIMEOUT_MS = 10_000

TOOLS: dict[str, ToolSpec] = {
    "run_shell_command": ToolSpec("shell", command="command"),
    "write_file": ToolSpec("file_write", paths=("file_path",), content="content"),
    "replace": ToolSpec("file_write", paths=("file_path",), content="new_string"),
    "read_file": ToolSpec("file_read", paths=("file_path", "absolute_path")),
    "read_many_files": ToolSpec("file_read", paths=("paths",)),
    "list_directory": ToolSpec("file_read", paths=("dir_path", "path")),
    "glob": ToolSpec("file_read", paths=("dir_path", "path"), optional_path=True),
    "search_file_content": ToolSpec("file_read", paths=("dir_path", "path"), optional_path=True),
    "google_web_search": ToolSpec("web_search", query="query"),
    "write_todos": ToolSpec("internal"),
}


class GeminiExampleAdapter(AgentAdapter):
    name = "gemini-example"
    display_name = "Gemini CLI (example adapter)"
    supports_ask = False  # Gemini's hook answers allow or deny only
    governance_files = (".gemini/settings.json", "GEMINI.md", "~/.gemini/settings.json")
    mcp_config_files = (".gemini/settings.json", "~/.gemini/settings.json")

    def parse(self, event, env):
        if not isinstance(event, dict):
            raise AdapterError("hook input is not a JSON object")
        name = event.get("hook_event_name")
        cwd = event.get("cwd") if isinstance(event.get("cwd"), str) else ""
        project = find_project_root(cwd, env.get("GEMINI_PROJECT_DIR"))
        cwd = cwd or project
        session = str(event.get("session_id") or "")
        if name == "SessionEnd":
            return SessionEvent(self.name, name, cwd, project, session)
        if name != "BeforeTool":
            raise AdapterError(f"unsupported hook event {name!r}")
        tool = require_str(event, "tool_name", "BeforeTool event")
        spec = TOOLS.get(tool)
        tool_input = decode_json_object(event.get("tool_input"), f"{tool} input", lenient=spec is None)
        if spec is not None and spec.kind == "shell" and isinstance(tool_input.get("dir_path"), str):
            cwd = os.path.join(cwd, tool_input["dir_path"])
        return build_call(self.name, tool, spec, tool_input, cwd=cwd, project_dir=project,
                          event=name, session_id=session, raw=event, mcp=_mcp(event, tool))

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        if decision.decision in ("deny", "ask"):
            reason = wording.told(decision.decision, decision.reason, "deny")
            return HookOutput(stdout=json.dumps({"decision": "deny", "reason": reason}))
        return HookOutput(stdout="{}")

    def install(self, project, command, *, ci):
        path = project / SETTINGS
        config = read_json_config(path)
        add_matcher_hook(config, "BeforeTool", command, matcher=".*", timeout=TIMEOUT_MS)
        add_matcher_hook(config, "SessionEnd", command, matcher=None, timeout=TIMEOUT_MS)
        write_json_config(path, config)
        return [path]

    def uninstall(self, project):
        return uninstall_json_hooks(project / SETTINGS, remove_matcher_hooks)

    def installed_commands(self, project):
        return matcher_hook_commands(read_json_config(project / SETTINGS), "BeforeTool")

    def detect(self, project, home):
        return (project / ".gemini").is_dir() or (home / ".gemini").is_dir()

    def canary_event(self, project):
        return {"session_id": "vectimus-doctor", "cwd": str(project), "hook_event_name": "BeforeTool",
                "tool_name": "run_shell_command", "tool_input": {"command": "rm -rf /"}}


def _mcp(event: dict, tool: str) -> tuple[str, str] | None:
    """Gemini names MCP tools ``mcp_<server>_<tool>`` and says which server in ``mcp_context``."""
    context = event.get("mcp_context")
    if isinstance(context, dict) and isinstance(context.get("server_name"), str):
        return context["server_name"], str(context.get("tool_name") or tool)
    return split_mcp_name(tool, prefix="mcp_", sep="_")


def register_agents(register):
    register(GeminiExampleAdapter())
