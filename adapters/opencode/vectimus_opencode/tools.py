"""OpenCode's tools mapped onto ToolCalls (names and arguments as OpenCode 1.18.33 sends them).

``filePath`` may be relative (to the call's cwd); a shell call runs in its ``workdir`` when given.
MCP tools are ``<server>_<tool>``. A name missing here, and not an MCP tool, becomes an
``unknown`` call.
"""

from __future__ import annotations

from pathlib import Path

from vectimus import patch
from vectimus.toolmap import ToolSpec, aliases


_search = ToolSpec("file_read", paths=("path",), optional_path=True)

OPENCODE_TOOLS: dict[str, ToolSpec] = {
    "bash": ToolSpec("shell", command="command", workdir="workdir"),
    "write": ToolSpec("file_write", paths=("filePath",), content="content"),
    "edit": ToolSpec("file_write", paths=("filePath",), content="newString"),
    # what GPT models get instead of edit/write
    "apply_patch": ToolSpec("file_write", paths=("files",), normalise=patch.with_files),
    "read": ToolSpec("file_read", paths=("filePath",)),
    "list": _search,
    "glob": _search,
    "grep": _search,
    "webfetch": ToolSpec("web_fetch", url="url"),
    "websearch": ToolSpec("web_search", query="query"),
    "codesearch": ToolSpec("web_search", query="query"),
    "task": ToolSpec("spawn", prompt="prompt", normalise=aliases(prompt=("prompt", "description"))),
    # Agent bookkeeping with no effect outside the agent itself.
    "todowrite": ToolSpec("internal"),
    "todoread": ToolSpec("internal"),
    "question": ToolSpec("internal"),
    "skill": ToolSpec("internal"),
}


def mcp_target(tool: str, project: Path, env: dict) -> tuple[str, str] | None:
    """``(server, tool)`` for an MCP tool ``<server>_<tool>``: the declared server it starts with,
    else the name split at its first ``_`` (a server named with ``_`` is then read short, and
    never matches an allowed one); None for a name with no ``_``."""
    from vectimus.mcp_discovery import declared_tool

    declared = declared_tool(tool, project, env, "opencode", ("{server}_",))
    if declared:
        return declared
    server, _, name = tool.partition("_")
    return (server, name) if server and name else None
