"""Vectimus adapter for the OpenAI Codex CLI (``PreToolUse`` command hooks).

Protocol: the event arrives as JSON on stdin (``tool_name`` is ``Bash``, ``apply_patch`` or
``mcp__<server>__<tool>``); deny = ``hookSpecificOutput`` JSON with ``permissionDecision: deny``
and a non-empty reason, exit 0; allow = no output at all (older Codex versions mark a hook that
answers ``allow`` or ``ask`` as failed). Codex cannot ask a human from a hook, so ``ask`` is
answered as deny. Hooks are installed in ``.codex/hooks.json``, merged with whatever is there.

``apply_patch`` becomes one ToolCall whose ``paths`` are every file the patch touches. Its kind
is ``file_delete`` when the patch only deletes files, otherwise ``file_write`` over all the
paths it names -- added, updated (a move's source is an updated file), move targets and deleted
ones too, since removing a file changes it just as rewriting it does. ``arguments`` keeps the tool input plus the parsed
lists (``added``, ``updated``, ``moved_to``, ``deleted``) for receipts and policies that care.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from vectimus import patch
from vectimus.adapter import (
    AdapterError,
    HookOutput,
    MatcherHooksAdapter,
    SessionEvent,
    pre_tool_use_output,
    render_deny_only,
)
from vectimus.model import CallKind, Decision, ToolCall
from vectimus.toolmap import CLAUDE_TOOLS, build_call, split_mcp_name



def _is_argv(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


class CodexAdapter(MatcherHooksAdapter):
    name = "codex"
    display_name = "Codex CLI"
    hooks_file = ".codex/hooks.json"
    supports_ask = False
    fails_open = "Codex runs the tool when its hook times out (after 30 s)"
    governance_files = (
        ".codex/config.toml", ".codex/hooks.json", "~/.codex/config.toml", "~/.codex/hooks.json", "/etc/codex/",
    )
    instruction_files = ("AGENTS.md", "AGENTS.override.md")
    # TOML files: MCP servers are the ``[mcp_servers.<name>]`` tables (``enabled = false`` = off).
    mcp_config_files = (".codex/config.toml", "~/.codex/config.toml")

    def parse(self, event, env):
        parsed = self.parse_envelope(event, env)
        if isinstance(parsed, SessionEvent):
            return parsed
        tool, common = parsed
        tool_input = event.get("tool_input")
        if tool == "apply_patch":
            return self._patch_call(tool_input, common)
        if tool == "Bash" and isinstance(tool_input, dict) and _is_argv(tool_input.get("command")):
            # older Codex versions sent the shell tool's argv, e.g. ["bash", "-lc", "make"]
            tool_input = {**tool_input, "command": shlex.join(tool_input["command"])}
        mcp = split_mcp_name(tool)
        spec = CLAUDE_TOOLS.get("Bash") if tool == "Bash" else None
        return build_call(self.name, tool, spec, tool_input, mcp=mcp, **common)

    def _patch_call(self, tool_input, common: dict) -> ToolCall:
        try:
            text = patch.text_of(tool_input)
            if text is None:
                raise AdapterError("apply_patch call without a 'command' string")
            targets = patch.parse(text)
        except patch.PatchError as exc:
            raise AdapterError(str(exc)) from None
        cwd = common["cwd"]

        def absolute(paths: tuple[str, ...]) -> list[str]:
            return [p if os.path.isabs(p) else os.path.join(cwd, p) for p in paths]

        written = absolute(targets.written)
        deleted = absolute(targets.deleted)
        kind: CallKind = "file_write" if written else "file_delete"
        paths = tuple(dict.fromkeys(written + deleted))
        arguments = {**tool_input, "added": absolute(targets.added),
                     "updated": absolute(targets.updated), "moved_to": absolute(targets.moved_to),
                     "deleted": deleted}
        return ToolCall(agent=self.name, tool="apply_patch", kind=kind, paths=paths,
                        content=targets.added_text or None, arguments=arguments, **common)

    def render(self, decision: Decision, call: ToolCall | None) -> HookOutput:
        return render_deny_only(decision, lambda reason: pre_tool_use_output("deny", reason))

    def install_note(self, project: Path) -> str:
        """What the user must still do for Codex to run the installed hook."""
        return (
            "Codex runs project hooks only when hooks are enabled, the project is\n"
            "trusted and the hook has been reviewed. Add to ~/.codex/config.toml:\n"
            "\n"
            "[features]\n"
            "hooks = true          # older Codex versions: codex_hooks = true\n"
            "\n"
            f"[projects.{json.dumps(str(project))}]\n"
            'trust_level = "trusted"\n'
            "\n"
            "then approve the Vectimus hook once in Codex (/hooks). Unattended runs\n"
            "(codex exec in CI) need --dangerously-bypass-hook-trust to run project hooks\n"
            "nobody has reviewed."
        )

    def detect(self, project, home):
        return (project / ".codex").is_dir() or (home / ".codex").is_dir()

    def canary_event(self, project):
        return {"session_id": "vectimus-doctor", "turn_id": "vectimus-doctor",
                "transcript_path": None, "cwd": str(project), "hook_event_name": "PreToolUse",
                "model": "vectimus-doctor", "permission_mode": "default", "tool_name": "Bash",
                "tool_input": {"command": "rm -rf /"}, "tool_use_id": "vectimus-doctor-canary"}


def register_agents(register):
    register(CodexAdapter())
