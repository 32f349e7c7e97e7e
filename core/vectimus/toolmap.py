"""Map an agent's tool name and input onto a ToolCall, table-driven, shared by all adapters.

Standard library only: used on the hot path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from vectimus.adapter import AdapterError
from vectimus.model import CallKind, ToolCall
from vectimus.records import Record


class ToolSpec(Record):
    """How one tool's input maps onto a ToolCall."""

    kind: CallKind
    paths: tuple[str, ...] = ()       # input keys holding a path or a list of paths (first present one is required)
    optional_path: bool = False       # no path given means the call's cwd
    extra_paths: tuple[str, ...] = ()  # further keys whose values are paths (or lists), used when present
    command: str = ""                 # key of the shell command line
    shell: str = "bash"
    workdir: str = ""                 # key of the directory a shell command runs in (relative to the cwd, ``~`` expanded)
    url: str = ""
    query: str = ""
    prompt: str = ""
    content: str = ""
    # Rewrites the tool's own input into the keys named above (aliases, lists, patches); the
    # ToolCall's ``arguments`` keep the input as the agent sent it.
    normalise: Callable[[dict], dict] | None = None


# Claude Code's tools (also sent by VS Code, Copilot's PascalCase shape and Codex).
CLAUDE_TOOLS: dict[str, ToolSpec] = {
    "Bash": ToolSpec("shell", command="command"),
    "PowerShell": ToolSpec("shell", command="command", shell="powershell"),
    "Write": ToolSpec("file_write", paths=("file_path",), content="content"),
    "Edit": ToolSpec("file_write", paths=("file_path",), content="new_string"),
    "MultiEdit": ToolSpec("file_write", paths=("file_path",)),
    "NotebookEdit": ToolSpec("file_write", paths=("notebook_path",), content="new_source"),
    "Read": ToolSpec("file_read", paths=("file_path",)),
    "NotebookRead": ToolSpec("file_read", paths=("notebook_path",)),
    "LS": ToolSpec("file_read", paths=("path",)),
    "Glob": ToolSpec("file_read", paths=("path",), optional_path=True),
    "Grep": ToolSpec("file_read", paths=("path",), optional_path=True),
    "WebFetch": ToolSpec("web_fetch", url="url"),
    "WebSearch": ToolSpec("web_search", query="query"),
    "Agent": ToolSpec("spawn", prompt="prompt"),
    "Task": ToolSpec("spawn", prompt="prompt"),
    # Agent bookkeeping with no effect outside the agent itself.
    "TodoWrite": ToolSpec("internal"),
    "ExitPlanMode": ToolSpec("internal"),
    "EnterPlanMode": ToolSpec("internal"),
    "AskUserQuestion": ToolSpec("internal"),
    "BashOutput": ToolSpec("internal"),
    "KillShell": ToolSpec("internal"),
    "KillBash": ToolSpec("internal"),
    "TaskOutput": ToolSpec("internal"),
    "TaskStop": ToolSpec("internal"),
    "TaskCreate": ToolSpec("internal"),
    "TaskGet": ToolSpec("internal"),
    "TaskList": ToolSpec("internal"),
    "TaskUpdate": ToolSpec("internal"),
    "ToolSearch": ToolSpec("internal"),
    "ListAgents": ToolSpec("internal"),
    "ListMcpResourcesTool": ToolSpec("internal"),
    # Loads a skill's instructions. Its inline `!` commands reach the hook as PreSkillShellCommand
    # (Claude Code 2.1.332; 2.1.197 runs them unhooked, whatever is answered here).
    "Skill": ToolSpec("internal"),
}


def split_mcp_name(tool: str, prefix: str = "mcp__", sep: str = "__") -> tuple[str, str] | None:
    """``mcp__server__tool`` -> ``("server", "tool")``; None when ``tool`` is not an MCP name."""
    if not tool.startswith(prefix):
        return None
    server, _, name = tool[len(prefix):].partition(sep)
    if not server or not name:
        return None
    return server, name


def build_call(agent: str, tool: str, spec: ToolSpec | None, tool_input: Any, *, cwd: str,
               project_dir: str, event: str = "PreToolUse", session_id: str = "",
               tool_use_id: str = "", permission_mode: str = "", raw: dict | None = None,
               mcp: tuple[str, str] | None = None) -> ToolCall:
    """A ToolCall for ``tool``; ``spec`` None means an unknown tool (or MCP when ``mcp`` is set)."""
    if not isinstance(tool_input, dict):
        raise AdapterError(f"{tool} call whose input is not a JSON object")
    common: dict[str, Any] = dict(agent=agent, tool=tool, cwd=cwd, project_dir=project_dir, event=event,
                                  session_id=session_id, tool_use_id=tool_use_id,
                                  permission_mode=permission_mode, raw=raw or {}, arguments=tool_input)
    if mcp is not None:
        return ToolCall(kind="mcp", mcp_server=mcp[0], mcp_tool=mcp[1], **common)
    if spec is None:
        return ToolCall(kind="unknown", **common)
    fields: dict[str, Any] = {}
    workdir = tool_input.get(spec.workdir) if spec.workdir else None
    if isinstance(workdir, str) and workdir:
        cwd = common["cwd"] = os.path.join(cwd, os.path.expanduser(workdir))
    if spec.normalise is not None:
        tool_input = spec.normalise(tool_input)
    if spec.paths:
        given = next((tool_input[k] for k in spec.paths if tool_input.get(k) not in (None, "", [])), None)
        if given is None and spec.optional_path:
            given = cwd
        paths = _path_values(given)
        if not paths:
            raise AdapterError(f"{tool} call without a {spec.paths[0]!r} string")
        extra: list[str] = []
        for key in spec.extra_paths:
            if tool_input.get(key) in (None, "", []):
                continue
            values = _path_values(tool_input[key])
            if not values:
                raise AdapterError(f"{tool} call whose {key!r} is not a path or a list of paths")
            extra.extend(values)
        fields["paths"] = (*paths, *extra)
    if spec.command:
        command = tool_input.get(spec.command)
        if not isinstance(command, str):
            raise AdapterError(f"{tool} call without a {spec.command!r} string")
        fields["command"] = command
        fields["shell"] = spec.shell
    for attr in ("url", "query", "prompt"):
        key = getattr(spec, attr)
        if key:
            value = tool_input.get(key)
            if not isinstance(value, str) or not value:
                raise AdapterError(f"{tool} call without a {key!r} string")
            fields[attr] = value
    if spec.content and isinstance(tool_input.get(spec.content), str):
        fields["content"] = tool_input[spec.content]
    return ToolCall(kind=spec.kind, **fields, **common)


def _path_values(value: Any) -> tuple[str, ...]:
    """A path or a list of paths as a tuple; () when absent or when any entry is not a path."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    return ()


def aliases(**keys: tuple[str, ...]) -> Callable[[dict], dict]:
    """A ``normalise`` that copies the first present of several spellings into one key.

    ``aliases(prompt=("prompt", "description"))`` fills ``prompt`` from ``description`` when an
    agent spells it that way.
    """
    def normalise(tool_input: dict) -> dict:
        out = dict(tool_input)
        for key, spellings in keys.items():
            value = next((tool_input[k] for k in spellings if tool_input.get(k) not in (None, "")), None)
            if value is not None:
                out[key] = value
        return out
    return normalise


