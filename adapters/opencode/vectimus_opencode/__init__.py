"""Vectimus adapter for OpenCode (a plugin in ``.opencode/plugins/vectimus.js``).

OpenCode has no command hooks: its plugins are JavaScript modules it loads in-process. ``init``
writes a plugin (``plugin.js`` here) whose ``tool.execute.before`` pipes each call, as JSON, to
the installed hook command with a time limit, and throws, which blocks the call and tells the
model why, on a deny, a non-zero exit, a timeout and an answer it cannot read. The event the hook
reads: ``{hook_event_name: "tool.execute.before", cwd, worktree, tool_name, session_id, call_id,
tool_input}``; its answer is ``{"decision": "allow"}`` or ``{"decision": "deny", "reason": …}``.
OpenCode cannot ask a person from a plugin, so ``ask`` is answered as deny.

OpenCode skips a plugin that fails to load without a word, which would leave every tool
unguarded: ``diagnose`` loads the installed plugin in OpenCode's own runtime (``opencode`` run as
Bun, else ``bun`` or ``node``) and feeds it a canary call, so ``vectimus doctor`` finds that.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from vectimus.adapter import (
    AdapterError,
    AgentAdapter,
    HookOutput,
    decode_json_object,
    find_project_root,
    render_deny_only,
    require_str,
)
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import build_call

from vectimus_opencode.tools import OPENCODE_TOOLS, mcp_target

HERE = Path(__file__).resolve().parent
PLUGIN_FILE = Path(".opencode") / "plugins" / "vectimus.js"
EVENT = "tool.execute.before"
TIMEOUT_MS = 30_000
CHECK_TIMEOUT = 60
_COMMAND = re.compile(r"^const COMMAND = (\".*\");$", re.MULTILINE)


def plugin_source(command: str) -> str:
    """The plugin init writes, bound to ``command``."""
    template = (HERE / "plugin.js").read_text(encoding="utf-8")
    return (template.replace("__VECTIMUS_HOOK_COMMAND__", json.dumps(command))
            .replace("__VECTIMUS_TIMEOUT_MS__", str(TIMEOUT_MS)))


class OpenCodeAdapter(AgentAdapter):
    name = "opencode"
    display_name = "OpenCode"
    supports_ask = False
    governance_files = (".opencode/", "opencode.json", "opencode.jsonc", "~/.config/opencode/")
    instruction_files = ("AGENTS.md",)
    mcp_config_files = ("opencode.json", "opencode.jsonc", ".opencode/opencode.json",
                        "~/.config/opencode/opencode.json")

    def parse(self, event, env):
        if not isinstance(event, dict):
            raise AdapterError("hook input is not a JSON object")
        if event.get("hook_event_name") != EVENT:
            raise AdapterError(f"unsupported hook event {event.get('hook_event_name')!r}")
        tool = require_str(event, "tool_name", f"{EVENT} event")
        cwd = require_str(event, "cwd", f"{EVENT} event")
        worktree = event.get("worktree")
        project = find_project_root(cwd, worktree if isinstance(worktree, str) else None)
        spec = OPENCODE_TOOLS.get(tool)
        tool_input = decode_json_object(event.get("tool_input"), f"{tool} arguments", lenient=spec is None)
        mcp = None if spec is not None else mcp_target(tool, Path(project), env)
        return build_call(self.name, tool, spec, tool_input, cwd=cwd, project_dir=project, event=EVENT,
                          session_id=str(event.get("session_id") or ""),
                          tool_use_id=str(event.get("call_id") or ""), raw=event, mcp=mcp)

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        return render_deny_only(decision, lambda reason: {"decision": "deny", "reason": reason}, allowed='{"decision": "allow"}')

    def install(self, project, command, *, ci):
        path = project / PLUGIN_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(plugin_source(command), encoding="utf-8")
        return [path]

    def uninstall(self, project):
        path = project / PLUGIN_FILE
        if not self.installed_commands(project):
            return []
        path.unlink()
        return [path]

    def installed_commands(self, project):
        path = project / PLUGIN_FILE
        if not path.is_file():
            return []
        found = _COMMAND.search(path.read_text(encoding="utf-8", errors="replace"))
        try:
            return [json.loads(found.group(1))] if found else []
        except ValueError:
            return []

    def diagnose(self, project: Path) -> list[tuple[str, bool, str]]:
        """Whether OpenCode's runtime loads the installed plugin and it refuses a canary call."""
        runtime = _javascript_runtime()
        if runtime is None:
            return [("plugin loads", False, "cannot check: neither opencode, bun nor node is on PATH")]
        argv, env = runtime
        try:
            done = subprocess.run([*argv, str(HERE / "check_plugin.mjs"), str(project / PLUGIN_FILE), str(project)],
                                  capture_output=True, text=True, cwd=project, timeout=CHECK_TIMEOUT,
                                  env={**os.environ, **env})
            verdict = json.loads(done.stdout.strip().splitlines()[-1])
            return [("plugin loads", bool(verdict["ok"]), f"{argv[0]}: {verdict['detail']}")]
        except (OSError, subprocess.SubprocessError, ValueError, IndexError, KeyError, TypeError):
            return [("plugin loads", False, f"the check itself failed under {argv[0]}")]

    def detect(self, project, home):
        return (project / ".opencode").is_dir() or (home / ".config" / "opencode").is_dir()

    def canary_event(self, project):
        return {"hook_event_name": EVENT, "cwd": str(project), "worktree": str(project), "tool_name": "bash",
                "session_id": "vectimus-doctor", "call_id": "vectimus-doctor-canary",
                "tool_input": {"command": "rm -rf /", "description": "vectimus doctor canary"}}


def _javascript_runtime() -> tuple[list[str], dict[str, str]] | None:
    """The runtime OpenCode loads plugins with: its own binary run as Bun, else bun, else node."""
    for name, env in (("opencode", {"BUN_BE_BUN": "1"}), ("bun", {}), ("node", {})):
        found = shutil.which(name)
        if found:
            return [found], env
    return None


def register_agents(register):
    register(OpenCodeAdapter())
