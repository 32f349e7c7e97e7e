"""Copilot's tools mapped onto ToolCalls: Copilot CLI / cloud agent names, VS Code agent names,
and Claude Code's names (sent by the PascalCase shape). A name missing here, and not an MCP
tool, becomes an ``unknown`` call.
"""

from __future__ import annotations

from vectimus.adapter import AdapterError
from vectimus import patch
from vectimus.toolmap import CLAUDE_TOOLS, ToolSpec, aliases


def _replacement_paths(tool_input: dict) -> dict:
    """``multi_replace_string_in_file``: every ``replacements[].filePath``."""
    replacements = tool_input.get("replacements")
    paths = [r.get("filePath") for r in replacements if isinstance(r, dict)] \
        if isinstance(replacements, list) else []
    return {**tool_input, "filePaths": paths if paths and all(paths) else None}


def _single_url(tool_input: dict) -> dict:
    """``fetch_webpage``: its one URL (one URL per call, so each is evaluated)."""
    urls = tool_input.get("urls")
    if isinstance(urls, list):
        if len(urls) > 1:
            raise AdapterError("fetch_webpage with several URLs: Vectimus evaluates one URL per "
                               "call, fetch them one at a time")
        return {**tool_input, "url": urls[0] if urls else None}
    return tool_input


_view = ToolSpec("file_read", paths=("path", "file_path"))
_search = ToolSpec("file_read", paths=("path", "dirPath"), optional_path=True)

COPILOT_CLI_TOOLS: dict[str, ToolSpec] = {
    "bash": ToolSpec("shell", command="command"),
    "powershell": ToolSpec("shell", command="command", shell="powershell"),
    "write_bash": ToolSpec("shell", command="input"),
    "write_powershell": ToolSpec("shell", command="input", shell="powershell"),
    "view": _view,
    # Claude-style spellings too: a PascalCase event may carry either (see RUNTIME_NAMES).
    "create": ToolSpec("file_write", paths=("path", "file_path"), content="file_text",
                       normalise=aliases(file_text=("file_text", "content"))),
    "edit": ToolSpec("file_write", paths=("path", "file_path"), content="new_str",
                     normalise=aliases(new_str=("new_str", "new_string"))),
    "glob": _search,
    "grep": _search,
    "web_fetch": ToolSpec("web_fetch", url="url"),
    "web_search": ToolSpec("web_search", query="query"),
    "task": ToolSpec("spawn", prompt="prompt", normalise=aliases(prompt=("prompt", "description"))),
    "read_bash": ToolSpec("internal"),
    "stop_bash": ToolSpec("internal"),
    "list_bash": ToolSpec("internal"),
    "read_powershell": ToolSpec("internal"),
    "stop_powershell": ToolSpec("internal"),
    "list_powershell": ToolSpec("internal"),
    "report_intent": ToolSpec("internal"),
    "update_todo": ToolSpec("internal"),
    "think": ToolSpec("internal"),
}

VSCODE_TOOLS: dict[str, ToolSpec] = {
    "run_in_terminal": ToolSpec("shell", command="command"),
    "read_file": ToolSpec("file_read", paths=("filePath", "path")),
    "create_file": ToolSpec("file_write", paths=("filePath",), content="content"),
    "create_directory": ToolSpec("file_write", paths=("dirPath",)),
    "replace_string_in_file": ToolSpec("file_write", paths=("filePath",), content="newString"),
    "multi_replace_string_in_file": ToolSpec("file_write", paths=("filePaths",),
                                             normalise=_replacement_paths),
    "insert_edit_into_file": ToolSpec("file_write", paths=("filePath",), content="code"),
    "edit_notebook_file": ToolSpec("file_write", paths=("filePath",)),
    "apply_patch": ToolSpec("file_write", paths=("files",), normalise=patch.with_files),
    "fetch_webpage": ToolSpec("web_fetch", url="url", normalise=_single_url),
    "grep_search": _search,
    "file_search": _search,
    "semantic_search": _search,
    "list_dir": ToolSpec("file_read", paths=("path",)),
    "get_errors": ToolSpec("file_read", paths=("filePaths",), optional_path=True),
    "runSubagent": ToolSpec("spawn", prompt="prompt",
                            normalise=aliases(prompt=("prompt", "description"))),
    "get_terminal_output": ToolSpec("internal"),
    "manage_todo_list": ToolSpec("internal"),
}

COPILOT_TOOLS: dict[str, ToolSpec] = {**CLAUDE_TOOLS, **COPILOT_CLI_TOOLS, **VSCODE_TOOLS}
