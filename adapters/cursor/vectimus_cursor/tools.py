"""Cursor's agent tools (``preToolUse``) mapped onto ToolCalls.

Cursor's hook documentation names ``Shell``, ``Read``, ``Write``, ``Delete``, ``Grep`` and
``Task``; the other names and the input spellings below are those its agent has been seen to use
(``StrReplace`` with ``path``, ``file_path`` or ``target_file``, the older snake_case tools). Claude
Code's names are accepted too. A name missing here becomes an ``unknown`` call.
"""

from __future__ import annotations

from vectimus.toolmap import CLAUDE_TOOLS, ToolSpec, aliases

PATH_KEYS = ("file_path", "path", "target_file", "filePath")
DIR_KEYS = ("target_directory", "path", "relative_workspace_path", "directory")

_shell = ToolSpec("shell", command="command", workdir="working_directory")
_write = ToolSpec("file_write", paths=PATH_KEYS, content="content",
                  normalise=aliases(content=("content", "contents", "code_edit")))
_edit = ToolSpec("file_write", paths=PATH_KEYS, content="new_string",
                 normalise=aliases(new_string=("new_string", "newString", "code_edit")))
_delete = ToolSpec("file_delete", paths=PATH_KEYS)
_read = ToolSpec("file_read", paths=PATH_KEYS)
_search = ToolSpec("file_read", paths=DIR_KEYS, optional_path=True)

CURSOR_TOOLS: dict[str, ToolSpec] = {
    **CLAUDE_TOOLS,
    **{name: spec._replace(workdir="working_directory") for name, spec in CLAUDE_TOOLS.items()
       if spec.kind == "shell"},
    "Shell": _shell,
    "Write": _write,
    "StrReplace": _edit,
    "Edit": _edit,
    "MultiEdit": ToolSpec("file_write", paths=PATH_KEYS),
    "Delete": _delete,
    "Read": _read,
    "Grep": _search,
    "Glob": _search,
    "LS": _search,
    "Task": ToolSpec("spawn", prompt="prompt",
                     normalise=aliases(prompt=("prompt", "description", "task"))),
    "WebFetch": ToolSpec("web_fetch", url="url"),
    "WebSearch": ToolSpec("web_search", query="query",
                          normalise=aliases(query=("query", "search_term"))),
    # The agent's snake_case tool names.
    "run_terminal_cmd": _shell,
    "edit_file": _write,
    "search_replace": _edit,
    "write": _write,
    "delete_file": _delete,
    "read_file": _read,
    "list_dir": _search,
    "grep_search": _search,
    "file_search": _search,
    "codebase_search": _search,
    "glob_file_search": _search,
    "web_search": ToolSpec("web_search", query="query",
                           normalise=aliases(query=("query", "search_term"))),
    "todo_write": ToolSpec("internal"),
    "TodoWrite": ToolSpec("internal"),
}
