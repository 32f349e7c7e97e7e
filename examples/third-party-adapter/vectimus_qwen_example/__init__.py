"""An example third-party Vectimus adapter, for Qwen Code's ``PreToolUse`` hook.

Everything an adapter needs is here: parse the agent's event into a ``ToolCall``, render a
decision in the agent's format, and install / remove the hook in the agent's config. Registration
is the ``[project.entry-points.vectimus]`` table in pyproject.toml plus ``register_agents`` below;
no change to Vectimus itself.

Protocol (Qwen Code, from its hooks documentation): Claude-style command hooks in
``.qwen/settings.json`` with timeouts in milliseconds; stdin ``{session_id, cwd,
hook_event_name: "PreToolUse", tool_name, tool_input, tool_use_id}`` with Qwen's own tool names
(``run_shell_command``, ``write_file``, ``edit``…); deny is Claude-style ``hookSpecificOutput``.
A headless run cannot ask a person, so ``ask`` is answered as deny.
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
    pre_tool_use_output,
    read_json_config,
    remove_matcher_hooks,
    require_str,
    uninstall_json_hooks,
    write_json_config,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import ToolSpec, build_call, split_mcp_name

SETTINGS = Path(".qwen") / "settings.json"
TIMEOUT_MS = 10_000

TOOLS: dict[str, ToolSpec] = {
    "run_shell_command": ToolSpec("shell", command="command"),
    "write_file": ToolSpec("file_write", paths=("file_path",), content="content"),
    "edit": ToolSpec("file_write", paths=("file_path",), content="new_string"),
    "read_file": ToolSpec("file_read", paths=("file_path", "absolute_path")),
    "list_directory": ToolSpec("file_read", paths=("path",)),
    "glob": ToolSpec("file_read", paths=("path",), optional_path=True),
    "grep_search": ToolSpec("file_read", paths=("path",), optional_path=True),
    "web_fetch": ToolSpec("web_fetch", url="url"),
    "todo_write": ToolSpec("internal"),
}


class QwenExampleAdapter(AgentAdapter):
    name = "qwen-example"
    display_name = "Qwen Code (example adapter)"
    supports_ask = False
    fails_open = "Qwen Code runs the tool when its hook times out"
    governance_files = (".qwen/settings.json", "~/.qwen/settings.json")
    instruction_files = ("QWEN.md",)
    mcp_config_files = (".qwen/settings.json", "~/.qwen/settings.json")

    def parse(self, event, env):
        if not isinstance(event, dict):
            raise AdapterError("hook input is not a JSON object")
        name = event.get("hook_event_name")
        cwd = event.get("cwd") if isinstance(event.get("cwd"), str) else ""
        project = find_project_root(cwd)
        cwd = cwd or project
        session = str(event.get("session_id") or "")
        if name in ("SessionEnd", "Stop"):
            return SessionEvent(self.name, name, cwd, project, session)
        if name != "PreToolUse":
            raise AdapterError(f"unsupported hook event {name!r}")
        tool = require_str(event, "tool_name", "PreToolUse event")
        spec = TOOLS.get(tool)
        tool_input = decode_json_object(event.get("tool_input"), f"{tool} input", lenient=spec is None)
        if spec is not None and spec.kind == "shell" and isinstance(tool_input.get("directory"), str):
            cwd = os.path.join(cwd, tool_input["directory"])
        return build_call(self.name, tool, spec, tool_input, cwd=cwd, project_dir=project, event=name,
                          session_id=session, tool_use_id=str(event.get("tool_use_id") or ""), raw=event,
                          mcp=split_mcp_name(tool))

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        if decision.decision in ("deny", "ask"):
            reason = wording.told(decision.decision, decision.reason, "deny")
            return HookOutput(stdout=json.dumps(pre_tool_use_output("deny", reason)))
        return HookOutput()

    def install(self, project, command, *, ci):
        path = project / SETTINGS
        config = read_json_config(path)
        add_matcher_hook(config, "PreToolUse", command, matcher="*", timeout=TIMEOUT_MS)
        add_matcher_hook(config, "SessionEnd", command, matcher=None, timeout=TIMEOUT_MS)
        write_json_config(path, config)
        return [path]

    def uninstall(self, project):
        return uninstall_json_hooks(project / SETTINGS, remove_matcher_hooks)

    def installed_commands(self, project):
        return matcher_hook_commands(read_json_config(project / SETTINGS), "PreToolUse")

    def detect(self, project, home):
        return (project / ".qwen").is_dir() or (home / ".qwen").is_dir()

    def canary_event(self, project):
        return {"session_id": "vectimus-doctor", "cwd": str(project), "hook_event_name": "PreToolUse",
                "tool_name": "run_shell_command", "tool_input": {"command": "rm -rf /"}}


def register_agents(register):
    register(QwenExampleAdapter())
