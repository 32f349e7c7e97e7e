"""Vectimus adapter for Gemini CLI (``BeforeTool`` / ``SessionEnd`` command hooks).

Protocol: the event arrives as JSON on stdin (``tool_name``, ``tool_input`` exactly as the model
sent it, ``mcp_context`` for MCP tools). Gemini CLI reads the JSON on stdout whatever the exit
code, so every answer is JSON with exit 0: deny is ``{"decision": "deny", "reason": …}``, allow is
``{}`` (the CLI's own approval still applies). Gemini CLI cannot ask a person from a hook (a
headless run would wait for ever), so ``ask`` is answered as deny.

Hooks go in ``.gemini/settings.json`` (timeouts in milliseconds). Gemini CLI runs project hooks
only in a trusted folder (``GEMINI_CLI_TRUST_WORKSPACE=true`` unattended), and lets the tool run
when a hook times out: ``vectimus doctor`` and ``init`` say so.

``run_shell_command`` runs in ``dir_path`` (relative to the project) when given; ``web_fetch``
fetches the URLs written in its ``prompt``; MCP tools are ``mcp_<server>_<tool>``, the server
named by ``mcp_context``.
"""

from __future__ import annotations

from vectimus.adapter import HookOutput, MatcherHooksAdapter, SessionEvent, render_deny_only
from vectimus.model import Decision, ToolCall
from vectimus.toolmap import build_call, split_mcp_name

from vectimus_gemini.tools import GEMINI_TOOLS

TIMEOUT_MS = 30_000


class GeminiAdapter(MatcherHooksAdapter):
    name = "gemini"
    display_name = "Gemini CLI"
    hooks_file = ".gemini/settings.json"
    hook_events = {"BeforeTool": "*", "SessionEnd": None}
    tool_events = ("BeforeTool",)
    session_events = ("SessionEnd",)
    timeout = TIMEOUT_MS
    project_dir_env = "GEMINI_PROJECT_DIR"
    supports_ask = False
    fails_open = "Gemini CLI runs the tool when its hook times out (after 30 s)"
    governance_files = (
        ".gemini/", "~/.gemini/settings.json", "~/.gemini/trusted_hooks.json", "~/.gemini/extensions/",
        "/etc/gemini-cli/",
    )
    instruction_files = ("GEMINI.md",)
    mcp_config_files = (".gemini/settings.json", "~/.gemini/settings.json")

    def hook_fields(self, event):
        return {"name": "vectimus"}

    def parse(self, event, env):
        parsed = self.parse_envelope(event, env)
        if isinstance(parsed, SessionEvent):
            return parsed
        tool, fields = parsed
        tool_input = event.get("tool_input")
        mcp = _mcp_target(event, tool)
        spec = None if mcp is not None else GEMINI_TOOLS.get(tool)
        return build_call(self.name, tool, spec, tool_input, mcp=mcp, **fields)

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        return render_deny_only(decision, lambda reason: {"decision": "deny", "reason": reason}, allowed="{}")

    def install_note(self, project) -> str:
        """What the user must still do for Gemini CLI to run the installed hook."""
        return (
            "Gemini CLI runs project hooks only in a trusted folder: trust this one when Gemini\n"
            "asks (it lists the new 'vectimus' hook once), or set GEMINI_CLI_TRUST_WORKSPACE=true\n"
            "for unattended runs (gemini -p in CI). --skip-trust does NOT run project hooks.\n"
            "Gemini CLI lets a tool run when its hook times out (30 s here)."
        )

    def detect(self, project, home):
        return (project / ".gemini").is_dir() or (home / ".gemini").is_dir()

    def canary_event(self, project):
        return {"session_id": "vectimus-doctor", "transcript_path": "", "cwd": str(project),
                "hook_event_name": "BeforeTool", "timestamp": "1970-01-01T00:00:00.000Z",
                "tool_name": "run_shell_command",
                "tool_input": {"command": "rm -rf /", "description": "vectimus doctor canary"}}


def _mcp_target(event: dict, tool: str) -> tuple[str, str] | None:
    """``(server, tool)`` for an MCP tool: from ``mcp_context`` (which Gemini CLI sends with every
    MCP call), else from the ``mcp_<server>_<tool>`` name (a server name holding ``_`` is then
    read short, and so never matches an allowed server)."""
    context = event.get("mcp_context")
    if isinstance(context, dict) and isinstance(context.get("server_name"), str) and context["server_name"]:
        name = context.get("tool_name")
        return context["server_name"], name if isinstance(name, str) and name else tool
    if tool in GEMINI_TOOLS:
        return None
    return split_mcp_name(tool, prefix="mcp_", sep="_")


def register_agents(register):
    register(GeminiAdapter())
